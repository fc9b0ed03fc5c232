// Servers and apps started by a test must not outlive the test process, even
// when a test forgets to stop them or the runner kills the file on timeout.

type SyncCleanup = () => void;

const cleanups = new Set<SyncCleanup>();
let installed = false;

export function onProcessExit(cleanup: SyncCleanup): () => void {
  install();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

function runAll(): void {
  // Newest first, like a stack: processes die before the dirs they write to go.
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Best effort: the process is going away anyway.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', runAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      runAll();
      process.removeListener(signal, handler);
      // Only re-raise when nobody else handles the signal, so that the default
      // action (terminate) still happens as it would without the testkit.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, handler);
  }
}
