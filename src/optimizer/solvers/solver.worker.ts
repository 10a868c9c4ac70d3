/**
 * Worker-thread entry of the SolverPool. It loads HiGHS once, says `ready`, then answers one
 * `solve` message at a time. Typed arrays of the result are transferred back, not copied.
 *
 * The `__crashForTest` message exists only so tests can check that the pool survives a dying
 * worker; it is not part of any public type.
 */
import { parentPort } from 'node:worker_threads';

import { loadHighs } from './highs.backend';
import type { SolveResult } from './linear-model';
import { errorMessage } from './solve-support';
import { solveInProcess } from './solver-backend';
import type { PoolToWorkerMessage, WorkerToPoolMessage } from './worker-protocol';

/**
 * Buffers that can be moved to the pool. A view over part of a larger or shared buffer (say,
 * WASM memory) is left out and gets structured-cloned instead; each buffer is listed once.
 */
function transferablesOf(result: SolveResult): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const arrays = [
    result.columnValues,
    result.rowDuals,
    result.reducedCosts,
    result.basis?.columnStatus,
    result.basis?.rowStatus,
  ];
  for (const array of arrays) {
    if (array === undefined || !(array.buffer instanceof ArrayBuffer)) continue;
    if (array.byteOffset === 0 && array.byteLength === array.buffer.byteLength) buffers.add(array.buffer);
  }
  return [...buffers];
}

function crash(mode: 'throw' | 'exit'): void {
  if (mode === 'exit') process.exit(70);
  setImmediate(() => {
    throw new Error('Crash requested by test');
  });
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('solver.worker must run inside a worker thread');
  const send = (message: WorkerToPoolMessage, transfer: ArrayBuffer[] = []) =>
    port.postMessage(message, transfer);

  port.on('message', (message: PoolToWorkerMessage) => {
    if (message.type === '__crashForTest') {
      crash(message.mode);
      return;
    }
    const failed = (error: unknown): SolveResult => ({
      backend: message.backend,
      status: 'ERROR',
      solveMs: 0,
      message: errorMessage(error),
    });
    solveInProcess(message.model, message.backend, message.options)
      .then((result) => {
        try {
          send({ type: 'result', id: message.id, result }, transferablesOf(result));
        } catch (error) {
          send({ type: 'result', id: message.id, result: failed(error) });
        }
      })
      .catch((error: unknown) => send({ type: 'result', id: message.id, result: failed(error) }));
  });
  // A failed preload is not fatal: the HiGHS backend retries and reports ERROR per solve.
  await loadHighs().catch(() => undefined);
  send({ type: 'ready' });
}

void main();
