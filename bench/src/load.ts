import { Worker } from 'node:worker_threads';
import { COUNTER, type LoadJob, type LoadResult } from './load-worker.js';

export type { LatencySummary, LoadResult } from './load-worker.js';

export interface RunningLoad {
  /** Requests answered, events accepted and failed attempts so far. */
  progress(): { requests: number; accepted: number; failures: number };
  done: Promise<LoadResult>;
}

/** Runs one load phase in a worker thread. */
export function startLoad(job: Omit<LoadJob, 'counters'>): RunningLoad {
  const counters = new SharedArrayBuffer(4 * 4);
  const view = new Int32Array(counters);
  const worker = new Worker(new URL('./load-worker.js', import.meta.url), {
    workerData: { ...job, counters } satisfies LoadJob,
  });
  const done = new Promise<LoadResult>((resolve, reject) => {
    worker.once('message', (result: LoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`load worker exited with code ${code}`)));
  });
  return {
    progress: () => ({
      requests: Atomics.load(view, COUNTER.requests),
      accepted: Atomics.load(view, COUNTER.accepted),
      failures: Atomics.load(view, COUNTER.failures),
    }),
    done,
  };
}
