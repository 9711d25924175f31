// Runs a started role until SIGTERM or SIGINT, then stops its steps in reverse with in-flight work drained.
import type { RoleInstance } from './assemble-role';

/** How long a role may take to stop before the process exits anyway. */
export const STOP_GRACE_MS = 15_000;

/**
 * Resolves once the role has stopped after a signal. A second signal, or a stop that outlasts `graceMs`, exits the
 * process with status 1: an operator who presses Ctrl-C twice means it.
 */
export function stopOnSignals(instance: RoleInstance, graceMs = STOP_GRACE_MS): Promise<void> {
  return new Promise((resolve) => {
    let stopped = false;
    // Signal handlers do not keep Node alive; a running role must stay up until told to stop.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const done = (): void => {
      if (stopped) return;
      stopped = true;
      clearInterval(keepAlive);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve();
    };
    // However the role stops (a signal, a failed start, a caller), release the process.
    void instance.stopped.then(done);
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        instance.logger.warn(`second ${signal}: exiting now`);
        process.exit(1);
      }
      stopping = true;
      instance.logger.info(`${signal}: stopping`);
      setTimeout(() => {
        instance.logger.error(`did not stop within ${graceMs} ms; exiting`);
        process.exit(1);
      }, graceMs).unref();
      instance.stop().catch((err) => instance.logger.error('stop failed', { err }));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
