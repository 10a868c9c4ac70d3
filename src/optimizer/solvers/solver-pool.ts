/**
 * Runs solves in worker threads so that a slow, stuck or crashing backend never blocks or
 * kills the service: the pool enforces the time limit itself (terminating the worker), turns a
 * dead worker into an ERROR result, and respawns workers as needed.
 *
 * Worker file: compiled code (dist/) starts `solver.worker.js` next to this file. When this
 * file runs from TypeScript source (ts-jest), a Worker cannot load `.ts`, so the worker starts
 * from a small eval'd bootstrap that registers a `.ts` require hook built on
 * `typescript.transpileModule` (type-stripping only, no type check) and then requires
 * `solver.worker.ts`. typescript is a devDependency, which is exactly when sources are run.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

import type { LinearModel, SolveOptions, SolverBackendName, SolveResult } from './linear-model';
import type { PoolToWorkerMessage, WorkerToPoolMessage } from './worker-protocol';

export { solveInProcess } from './solver-backend';

export interface SolverPoolOptions {
  /** Number of worker threads (>= 1). */
  readonly size: number;
  /**
   * Extra time after `timeLimitMs` before the pool terminates the worker. HiGHS honours its own
   * time limit and returns its incumbent within this grace; javascript-lp-solver often does not.
   * Default 500 ms.
   */
  readonly timeLimitGraceMs?: number;
  /** How long `close()` waits for in-flight and queued solves before terminating. Default 10 s. */
  readonly closeTimeoutMs?: number;
}

type CrashMode = 'throw' | 'exit';

interface Job {
  readonly id: number;
  readonly backend: SolverBackendName;
  readonly timeLimitMs: number;
  readonly message: PoolToWorkerMessage;
  readonly transfer: ArrayBuffer[];
  readonly signal?: AbortSignal;
  readonly resolve: (result: SolveResult) => void;
  readonly reject: (error: Error) => void;
  onAbort?: () => void;
  timer?: NodeJS.Timeout;
  startedAt?: number;
  settled: boolean;
}

interface Slot {
  worker: Worker;
  /** `dead`: gave up after repeated boot failures; revived by the next solve. */
  state: 'starting' | 'idle' | 'busy' | 'dead';
  job?: Job;
}

/** After this many workers in a row die before becoming ready, queued solves fail instead of waiting. */
const MAX_CONSECUTIVE_BOOT_FAILURES = 3;

const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

const TS_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const ts = require(workerData.typescriptPath);
require.extensions['.ts'] = (module, filename) => {
  const output = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    },
  });
  module._compile(output.outputText, filename);
};
require(workerData.entry);
`;

function startWorker(): Worker {
  const compiledEntry = path.join(__dirname, 'solver.worker.js');
  if (__filename.endsWith('.js') && existsSync(compiledEntry)) return new Worker(compiledEntry);
  return new Worker(TS_BOOTSTRAP, {
    eval: true,
    workerData: {
      entry: path.join(__dirname, 'solver.worker.ts'),
      typescriptPath: require.resolve('typescript'),
    },
  });
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const error = new Error('The solve was aborted');
  error.name = 'AbortError';
  return error;
}

/**
 * The model as sent to a worker. Arrays on a SharedArrayBuffer (the coefficients, build-model.ts)
 * go as they are: both threads only read them. The others are copied and the copies transferred,
 * so the caller's model stays usable.
 */
function copyForTransfer(model: LinearModel): { model: LinearModel; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const send = <T extends Float64Array | Int32Array | Uint8Array>(array: T): T => {
    if (array.buffer instanceof SharedArrayBuffer) return array;
    const copy = array.slice() as T;
    transfer.push(copy.buffer as ArrayBuffer);
    return copy;
  };
  const copy: LinearModel = {
    columnCount: model.columnCount,
    rowCount: model.rowCount,
    objective: send(model.objective),
    columnLower: send(model.columnLower),
    columnUpper: send(model.columnUpper),
    integrality: send(model.integrality),
    rowLower: send(model.rowLower),
    rowUpper: send(model.rowUpper),
    columnStart: send(model.columnStart),
    rowIndex: send(model.rowIndex),
    value: send(model.value),
  };
  return { model: copy, transfer };
}

export class SolverPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly activeJobs = new Set<Job>();
  private readonly timeLimitGraceMs: number;
  private readonly closeTimeoutMs: number;
  private nextJobId = 1;
  private consecutiveBootFailures = 0;
  private closed = false;
  private drainWaiters: (() => void)[] = [];
  private readyWaiters: (() => void)[] = [];

  constructor(options: SolverPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new RangeError(`SolverPool size must be a positive integer, got ${options.size}`);
    }
    this.timeLimitGraceMs = options.timeLimitGraceMs ?? 500;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    for (let index = 0; index < options.size; index += 1) {
      const slot: Slot = { worker: undefined as unknown as Worker, state: 'starting' };
      this.slots.push(slot);
      this.spawn(slot);
    }
  }

  /**
   * Solve `model` in a worker. Resolves with the backend's result; with TIME_LIMIT (no values)
   * when the worker had to be terminated at `timeLimitMs` + grace; with ERROR when the worker
   * died. Rejects with an `AbortError` when `signal` (or `options.signal`) aborts: a queued solve
   * leaves the queue, a running one's worker is terminated and replaced, so the capacity is free
   * again at once. Rejects with an Error after `close()`. The model's arrays are copied before
   * being transferred, except those on shared memory, which the worker only reads.
   */
  solve(
    model: LinearModel,
    backend: SolverBackendName,
    options: SolveOptions,
    signal?: AbortSignal,
  ): Promise<SolveResult> {
    let copied: ReturnType<typeof copyForTransfer>;
    try {
      copied = copyForTransfer(model);
    } catch (error) {
      return Promise.reject(error);
    }
    const { model: copy, transfer } = copied;
    // An AbortSignal cannot be cloned into a worker message; the pool watches it instead.
    const { signal: optionsSignal, ...workerOptions } = options;
    return this.enqueue(
      (id) => ({ type: 'solve', id, model: copy, backend, options: workerOptions }),
      transfer,
      backend,
      options.timeLimitMs,
      signal ?? optionsSignal,
    );
  }

  /**
   * Resolves once no worker is still booting (each has loaded HiGHS). Optional: solves queue
   * until a worker is ready anyway; use it to warm the pool at start-up.
   */
  whenReady(): Promise<void> {
    if (!this.slots.some((slot) => slot.state === 'starting')) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** @internal Test hook: the next free worker dies (uncaught exception or exit). */
  crashWorkerForTest(mode: CrashMode): Promise<SolveResult> {
    return this.enqueue((id) => ({ type: '__crashForTest', id, mode }), [], 'HIGHS', 60_000);
  }

  /**
   * Stops accepting solves, waits up to `closeTimeoutMs` for in-flight and queued solves, then
   * terminates every worker; a solve still unfinished then resolves with ERROR.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.activeJobs.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.drainWaiters.push(resolve)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.closeTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    for (const job of [...this.activeJobs]) {
      this.settle(job, this.errorResult(job, 'SolverPool closed before the solve finished'));
    }
    this.queue.length = 0;
    await Promise.all(
      this.slots.map((slot) => {
        slot.worker.removeAllListeners();
        return slot.worker.terminate();
      }),
    );
  }

  private enqueue(
    messageFor: (id: number) => PoolToWorkerMessage,
    transfer: ArrayBuffer[],
    backend: SolverBackendName,
    timeLimitMs: number,
    signal?: AbortSignal,
  ): Promise<SolveResult> {
    if (this.closed) return Promise.reject(new Error('SolverPool is closed'));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<SolveResult>((resolve, reject) => {
      const id = this.nextJobId++;
      const job: Job = {
        id,
        backend,
        timeLimitMs,
        message: messageFor(id),
        transfer,
        signal,
        resolve,
        reject,
        settled: false,
      };
      if (signal !== undefined) {
        job.onAbort = () => this.abort(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.activeJobs.add(job);
      this.queue.push(job);
      this.reviveDeadSlots();
      this.pump();
    });
  }

  private spawn(slot: Slot): void {
    const worker = startWorker();
    slot.worker = worker;
    slot.state = 'starting';
    slot.job = undefined;
    worker.on('message', (message: WorkerToPoolMessage) => this.onMessage(slot, worker, message));
    worker.on('error', (error) => this.onDeath(slot, worker, `Solver worker crashed: ${error.message}`));
    worker.on('messageerror', (error) =>
      this.onDeath(slot, worker, `Solver worker message failed: ${error.message}`),
    );
    worker.on('exit', (code) => this.onDeath(slot, worker, `Solver worker exited with code ${code}`));
  }

  private onMessage(slot: Slot, worker: Worker, message: WorkerToPoolMessage): void {
    if (slot.worker !== worker) return;
    if (message.type === 'ready') {
      this.consecutiveBootFailures = 0;
      this.release(slot);
      return;
    }
    const job = slot.job;
    if (job === undefined || job.id !== message.id) return;
    this.settle(job, message.result);
    this.release(slot);
  }

  private onDeath(slot: Slot, worker: Worker, reason: string): void {
    if (slot.worker !== worker) return;
    const job = slot.job;
    if (slot.state === 'starting') this.consecutiveBootFailures += 1;
    const givingUp = this.consecutiveBootFailures >= MAX_CONSECUTIVE_BOOT_FAILURES;
    this.recycle(slot, !givingUp);
    if (job !== undefined) this.settle(job, this.errorResult(job, reason));
    if (givingUp) {
      for (const queued of this.queue.splice(0)) {
        this.settle(queued, this.errorResult(queued, `Solver workers fail to start: ${reason}`));
      }
      this.notifyIfBooted();
    }
  }

  private abort(job: Job): void {
    if (job.settled || job.signal === undefined) return;
    const queuedAt = this.queue.indexOf(job);
    if (queuedAt >= 0) this.queue.splice(queuedAt, 1);
    const slot = this.slots.find((candidate) => candidate.job === job);
    if (slot !== undefined) this.recycle(slot);
    this.settle(job, abortError(job.signal));
  }

  private onTimeLimit(slot: Slot, job: Job): void {
    if (slot.job !== job || job.settled) return;
    this.recycle(slot);
    this.settle(job, {
      backend: job.backend,
      status: 'TIME_LIMIT',
      solveMs: performance.now() - (job.startedAt ?? performance.now()),
      message: `Solver worker terminated after the ${job.timeLimitMs} ms time limit (+${this.timeLimitGraceMs} ms grace)`,
    });
  }

  /** Terminates the slot's worker (whatever it is doing) and starts a fresh one. */
  private recycle(slot: Slot, respawn = true): void {
    const worker = slot.worker;
    worker.removeAllListeners();
    // A late 'error' from the dying worker must not become an uncaught exception.
    worker.on('error', () => undefined);
    void worker.terminate();
    slot.job = undefined;
    slot.state = 'dead';
    if (!respawn || (this.closed && this.activeJobs.size === 0)) return;
    this.spawn(slot);
  }

  private reviveDeadSlots(): void {
    const deadSlots = this.slots.filter((slot) => slot.state === 'dead');
    if (deadSlots.length === 0) return;
    this.consecutiveBootFailures = 0;
    for (const slot of deadSlots) this.spawn(slot);
  }

  private release(slot: Slot): void {
    slot.state = 'idle';
    slot.job = undefined;
    slot.worker.unref();
    this.pump();
    this.notifyIfBooted();
  }

  private notifyIfBooted(): void {
    if (this.slots.some((slot) => slot.state === 'starting')) return;
    for (const resolveReady of this.readyWaiters.splice(0)) resolveReady();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.state !== 'idle') continue;
      const job = this.queue.shift() as Job;
      slot.state = 'busy';
      slot.job = job;
      job.startedAt = performance.now();
      slot.worker.ref();
      slot.worker.postMessage(job.message, job.transfer);
      const deadlineMs = job.timeLimitMs + this.timeLimitGraceMs;
      // setTimeout fires at once for delays beyond 2^31 - 1 ms, so a huge limit means no pool timer.
      if (deadlineMs <= MAX_TIMER_DELAY_MS)
        job.timer = setTimeout(() => this.onTimeLimit(slot, job), deadlineMs);
    }
  }

  private settle(job: Job, outcome: SolveResult | Error): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    if (job.onAbort !== undefined) job.signal?.removeEventListener('abort', job.onAbort);
    this.activeJobs.delete(job);
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome);
    if (this.activeJobs.size === 0) {
      for (const resolveDrain of this.drainWaiters.splice(0)) resolveDrain();
    }
  }

  private errorResult(job: Job, message: string): SolveResult {
    return {
      backend: job.backend,
      status: 'ERROR',
      solveMs: job.startedAt === undefined ? 0 : performance.now() - job.startedAt,
      message,
    };
  }
}
