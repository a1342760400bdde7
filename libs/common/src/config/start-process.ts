import type { Logger } from 'pino';
import { LoggingEnv, rootLogger } from '../logging/logging.js';
import { ConfigError, validateEnv } from './load-config.js';

/**
 * The longest a process takes to stop after SIGTERM or SIGINT, whatever Redis and Odoo do.
 * A clean close normally takes well under a second; it can hang only on a dependency that
 * is down or slow (a close that waits for Redis to acknowledge, an Odoo call in flight).
 * Stopping then loses nothing: reports not yet acknowledged stay in Redis and come back to
 * a writer, and a poll job in hand is picked up again. Below Docker's 10 s grace period, so
 * the process says why it stopped before it would be killed without a word.
 */
export const SHUTDOWN_DEADLINE_MS = 8_000;

/** What a bootstrap hands back: the Nest application, closed on a signal. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Runs an app's bootstrap and owns its life from then on. A bad configuration or a failed
 * start ends the process with exit code 1 and one log line that says why (every config
 * problem at once). SIGTERM or SIGINT closes the app (workers before Redis, as Nest orders
 * the module hooks) and exits 0; if the close has not finished within SHUTDOWN_DEADLINE_MS,
 * or a second signal comes, it exits 1 at once, saying so. Nest's own shutdown hooks are not
 * used: they wait for the close with no bound and ignore a second signal.
 */
export function startProcess(
  service: string,
  env: NodeJS.ProcessEnv,
  bootstrap: () => Promise<Closable>,
): void {
  const log = processLogger(service, env);
  let app: Closable | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn(`${signal} again: exiting without waiting for the close`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal}: stopping`);
    setTimeout(() => {
      log.error(
        `not stopped ${SHUTDOWN_DEADLINE_MS / 1_000} s after ${signal} (a dependency down or slow); exiting now`,
      );
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    // A signal during the start closes what has started once it is there.
    if (app) void close(app);
  };
  const close = async (started: Closable): Promise<void> => {
    try {
      await started.close();
      log.info('stopped');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'close failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  bootstrap().then(
    (started) => {
      app = started;
      if (stopping) void close(started);
    },
    (err: unknown) => {
      if (err instanceof ConfigError) log.error(`${service} failed to start: ${err.message}`);
      else log.error({ err }, `${service} failed to start`);
      process.exit(1);
    },
  );
}

/**
 * The process's own logger, from LOG_LEVEL and LOG_FORMAT; with bad values the defaults,
 * as the start that follows reports them with every other problem.
 */
export function processLogger(service: string, env: NodeJS.ProcessEnv): Logger {
  let logging: LoggingEnv;
  try {
    logging = validateEnv(LoggingEnv, env);
  } catch {
    logging = new LoggingEnv();
  }
  return rootLogger({ service, level: logging.LOG_LEVEL, format: logging.LOG_FORMAT });
}
