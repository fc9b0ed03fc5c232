import type { Tally } from './tally-client.js';

/**
 * Node only: flushes on `beforeExit` and on SIGTERM/SIGINT (then exits with 0). Returns a
 * function that removes the hooks.
 */
export function installShutdownHooks(tally: Tally): () => void {
  const onBeforeExit = () => {
    if (tally.queueSize > 0) void tally.flush();
  };
  const onSignal = () => {
    void tally.shutdown().finally(() => process.exit(0));
  };
  process.on('beforeExit', onBeforeExit);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return () => {
    process.off('beforeExit', onBeforeExit);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
