// The load generator, in a worker thread so that the main thread's probes, progress line and
// database polling never delay a request (or its latency measurement) and vice versa.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import hdr from 'hdr-histogram-js';
import { Pool } from 'undici';
import { bodyFactory, singleEventFactory, type BodySpec } from './bodies.js';
import { FatalAnswer, postUntilStored } from './http-post.js';

export interface LoadJob {
  origin: string;
  path: string;
  writeKey: string;
  body: BodySpec;
  /** `batch`: `{events:[…]}` of body.batchSize; `single`: one event per request. */
  shape: 'batch' | 'single';
  /** closed: `connections` clients each send the next request when the last one answered. */
  mode: 'closed' | 'open';
  connections: number;
  /** open loop: requests per second, scheduled at fixed intervals whatever the answers do. */
  ratePerS?: number;
  durationMs: number;
  /** Int32Array over a SharedArrayBuffer: [requests answered, events accepted, failed attempts]. */
  counters: SharedArrayBuffer;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  requests: number;
  accepted: number;
  failures: Record<string, number>;
  elapsedMs: number;
  /** Milliseconds; open loop: from the scheduled send time (no coordinated omission). */
  latency: LatencySummary;
  fatal?: string;
}

export const COUNTER = { requests: 0, accepted: 1, failures: 2 } as const;

async function run(job: LoadJob): Promise<LoadResult> {
  const counters = new Int32Array(job.counters);
  const pool = new Pool(job.origin, {
    connections: job.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
  });
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const headers = {
    authorization: `Bearer ${job.writeKey}`,
    'content-type': 'application/json',
  };
  const body = job.shape === 'batch' ? bodyFactory(job.body) : singleEventFactory(job.body);
  const expected = job.shape === 'batch' ? job.body.batchSize : 1;
  const failures: Record<string, number> = {};
  let accepted = 0;
  let requests = 0;
  let next = 0;
  let fatal: string | undefined;

  const send = async (intendedAt: number): Promise<void> => {
    const outcome = await postUntilStored(pool, job.path, headers, body(next++), expected);
    histogram.recordValue(Math.max(1, Math.round((performance.now() - intendedAt) * 1000)));
    requests++;
    accepted += outcome.accepted;
    Atomics.add(counters, COUNTER.requests, 1);
    Atomics.add(counters, COUNTER.accepted, outcome.accepted);
    for (const kind of outcome.failures) {
      failures[kind] = (failures[kind] ?? 0) + 1;
      Atomics.add(counters, COUNTER.failures, 1);
    }
  };
  const onFatal = (err: unknown) => {
    fatal ??= err instanceof FatalAnswer || err instanceof Error ? err.message : String(err);
  };

  const started = performance.now();
  const end = started + job.durationMs;
  if (job.mode === 'closed') {
    const client = async () => {
      while (performance.now() < end && fatal === undefined) {
        await send(performance.now()).catch(onFatal);
      }
    };
    await Promise.all(Array.from({ length: job.connections }, client));
  } else {
    const intervalMs = 1000 / (job.ratePerS ?? 1);
    const inFlight = new Set<Promise<void>>();
    let k = 0;
    while (fatal === undefined) {
      const now = performance.now();
      let intended = started + k * intervalMs;
      if (intended >= end) break;
      while (intended <= now) {
        const p = send(intended).catch(onFatal);
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        k++;
        intended = started + k * intervalMs;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(intended - now, 5))));
    }
    await Promise.all(inFlight);
  }
  const elapsedMs = performance.now() - started;
  await pool.close();
  const ms = (us: number) => us / 1000;
  return {
    requests,
    accepted,
    failures,
    elapsedMs,
    latency: {
      count: histogram.totalCount,
      p50: ms(histogram.getValueAtPercentile(50)),
      p95: ms(histogram.getValueAtPercentile(95)),
      p99: ms(histogram.getValueAtPercentile(99)),
      p999: ms(histogram.getValueAtPercentile(99.9)),
      max: ms(histogram.maxValue),
      mean: ms(histogram.mean),
    },
    ...(fatal !== undefined ? { fatal } : {}),
  };
}

if (parentPort) {
  const port = parentPort;
  run(workerData as LoadJob).then(
    (result) => port.postMessage(result),
    (err: unknown) => {
      throw err;
    },
  );
}
