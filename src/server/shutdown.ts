/**
 * Graceful shutdown of the server process. The first SIGTERM / SIGINT runs the stop steps in
 * order (stop accepting and drain HTTP and WebSocket, stop background work, close the solver
 * workers, close the store) and exits 0. A second signal, a step that fails, or a shutdown that
 * outlasts its deadline exits 1 with a log line saying which.
 */
import type { Logger } from './logger';

export interface ShutdownStep {
  /** Named in the log when this step fails or is still running at the deadline. */
  readonly name: string;
  run(): Promise<void> | void;
}

export interface ShutdownOptions {
  /** Run one after another, in this order; a failed step is logged and the rest still run. */
  readonly steps: readonly ShutdownStep[];
  /** Deadline for all steps together, from the first signal (config SHUTDOWN_TIMEOUT_MS). */
  readonly timeoutMs: number;
  readonly logger: Pick<Logger, 'info' | 'error'>;
  /** `process.exit` in the server. */
  readonly exit: (code: number) => void;
  /** Where the signals come from; `process` in the server. */
  readonly signalSource?: Pick<NodeJS.Process, 'on' | 'off'>;
  readonly signals?: readonly NodeJS.Signals[];
}

export interface ShutdownHandle {
  /** Starts shutting down as a signal named `reason` would; resolves with the exit code passed to `exit`. */
  shutdown(reason: string): Promise<number>;
  /** Removes the signal listeners. */
  uninstall(): void;
}

export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export function installShutdown({
  steps,
  timeoutMs,
  logger,
  exit,
  signalSource = process,
  signals = SHUTDOWN_SIGNALS,
}: ShutdownOptions): ShutdownHandle {
  let outcome: Promise<number> | undefined;
  let settle: (code: number) => void = () => undefined;
  let currentStep: string | undefined;
  let exited = false;
  let deadline: NodeJS.Timeout | undefined;

  const finish = (code: number) => {
    if (exited) return;
    exited = true;
    clearTimeout(deadline);
    settle(code);
    exit(code);
  };

  const shutdown = (reason: string): Promise<number> => {
    if (outcome !== undefined) {
      logger.error(
        { signal: reason, step: currentStep },
        `Second ${reason} during shutdown: exiting now without finishing '${currentStep ?? 'shutdown'}'`,
      );
      finish(1);
      return outcome;
    }
    outcome = new Promise<number>((resolve) => {
      settle = resolve;
    });
    logger.info({ signal: reason, timeoutMs }, 'Shutting down: draining requests');
    // Deliberately not unref'd: a step waiting on nothing must not let the process exit 0 unnoticed.
    deadline = setTimeout(() => {
      logger.error(
        { timeoutMs, step: currentStep },
        `Shutdown did not finish within ${timeoutMs} ms (still in '${currentStep}'): forcing exit`,
      );
      finish(1);
    }, timeoutMs);
    void runSteps().then((failed) => {
      if (failed === 0) logger.info('Stopped');
      finish(failed === 0 ? 0 : 1);
    });
    return outcome;
  };

  const runSteps = async (): Promise<number> => {
    let failed = 0;
    for (const step of steps) {
      currentStep = step.name;
      try {
        await step.run();
      } catch (error) {
        failed += 1;
        logger.error({ err: error, step: step.name }, `Error while shutting down (${step.name})`);
      }
    }
    return failed;
  };

  const listeners = signals.map((signal) => {
    const listener = () => void shutdown(signal);
    signalSource.on(signal, listener);
    return { signal, listener };
  });

  return {
    shutdown,
    uninstall: () => {
      for (const { signal, listener } of listeners) signalSource.off(signal, listener);
    },
  };
}
