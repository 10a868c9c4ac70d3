import { EventEmitter } from 'node:events';

import { installShutdown, type ShutdownStep } from '../../src/server/shutdown';

function recorder() {
  const lines: string[] = [];
  const exits: number[] = [];
  const logger = {
    info: (...args: unknown[]) => void lines.push(String(args[args.length - 1])),
    error: (...args: unknown[]) => void lines.push(String(args[args.length - 1])),
  } as unknown as Parameters<typeof installShutdown>[0]['logger'];
  return { lines, exits, logger, exit: (code: number) => void exits.push(code) };
}

describe('installShutdown', () => {
  it('runs the steps in order on SIGTERM, then exits 0', async () => {
    const { lines, exits, logger, exit } = recorder();
    const ran: string[] = [];
    const signals = new EventEmitter();
    const step = (name: string): ShutdownStep => ({ name, run: async () => void ran.push(name) });
    installShutdown({
      steps: [step('drain'), step('workers'), step('store')],
      timeoutMs: 1_000,
      logger,
      exit,
      signalSource: signals as unknown as NodeJS.Process,
    });
    signals.emit('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(ran).toEqual(['drain', 'workers', 'store']);
    expect(exits).toEqual([0]);
    expect(lines).toEqual(['Shutting down: draining requests', 'Stopped']);
  });

  it('runs the later steps after one fails and exits 1', async () => {
    const { lines, exits, logger, exit } = recorder();
    const ran: string[] = [];
    const handle = installShutdown({
      steps: [
        {
          name: 'workers',
          run: () => {
            throw new Error('worker would not stop');
          },
        },
        { name: 'store', run: () => void ran.push('store') },
      ],
      timeoutMs: 1_000,
      logger,
      exit,
      signalSource: new EventEmitter() as unknown as NodeJS.Process,
    });
    expect(await handle.shutdown('SIGINT')).toBe(1);
    expect(ran).toEqual(['store']);
    expect(exits).toEqual([1]);
    expect(lines).toContain('Error while shutting down (workers)');
    expect(lines).not.toContain('Stopped');
  });

  it('exits 1 once at the deadline, and not again when the step ends later', async () => {
    const { lines, exits, logger, exit } = recorder();
    let release: () => void = () => undefined;
    const handle = installShutdown({
      steps: [{ name: 'drain', run: () => new Promise<void>((resolve) => (release = resolve)) }],
      timeoutMs: 50,
      logger,
      exit,
      signalSource: new EventEmitter() as unknown as NodeJS.Process,
    });
    expect(await handle.shutdown('SIGTERM')).toBe(1);
    expect(lines).toContain("Shutdown did not finish within 50 ms (still in 'drain'): forcing exit");
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(exits).toEqual([1]);
  });

  it('stops listening after uninstall', () => {
    const { exits, logger, exit } = recorder();
    const signals = new EventEmitter();
    const handle = installShutdown({
      steps: [],
      timeoutMs: 50,
      logger,
      exit,
      signalSource: signals as unknown as NodeJS.Process,
    });
    handle.uninstall();
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    expect(signals.listenerCount('SIGINT')).toBe(0);
    expect(exits).toEqual([]);
  });
});
