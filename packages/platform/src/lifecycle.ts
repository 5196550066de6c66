import { exitOnEnvError } from './env.js';
import type { Logger } from './logger.js';

/** A service's configuration from `load`; a configuration error is printed and exits 78 (`main.ts` only). */
export function loadEnvOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (e) {
    return exitOnEnvError(e);
  }
}

export interface ShutdownOptions {
  logger: Logger;
  /** Logged (with the signal) when the drain starts, e.g. what the service stops doing. */
  message: string;
  signals?: readonly NodeJS.Signals[];
  /** How to exit once the drain is over (default `process.exit`). */
  exit?: (code: number) => void;
}

/**
 * A service's graceful shutdown: on the first of `signals` (SIGTERM, SIGINT), log `message`, run `drain`
 * (stop taking work, finish what is in flight, close connections), log `stopped` and exit 0; when the
 * drain fails, log `shutdown failed` and exit 1. Signals that arrive while draining are ignored.
 * Returns the shutdown itself, for a service that decides to stop on its own.
 */
export function onShutdown(
  options: ShutdownOptions,
  drain: (signal: string) => Promise<void>,
): (signal: string) => Promise<void> {
  const { logger, message } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ signal }, message);
      try {
        await drain(signal);
      } catch (e) {
        logger.error({ err: e instanceof Error ? e.message : String(e) }, 'shutdown failed');
        exit(1);
        return;
      }
      logger.info('stopped');
      exit(0);
    })();
    return stopping;
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT'])
    process.on(signal, () => void shutdown(signal));
  return shutdown;
}
