import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import hdr from 'hdr-histogram-js';
import { Pool } from 'undici';
import { getSeries } from './api.js';
import { postUntilStored } from './http-post.js';

export interface FreshnessProbe {
  /** Stops after the probe in flight; resolves to the summary. */
  stop(): Promise<FreshnessSummary>;
}

export interface FreshnessSummary {
  probes: number;
  p50: number;
  p99: number;
  max: number;
  /** Probes acknowledged (each one event of `name`), for verification. */
  acked: number;
}

const POLL_MS = 10;
const PROBE_EVERY_MS = 200;

/**
 * Measures 202 → visible in `GET /v1/metrics`: posts ONE event of its own name, then polls the
 * query API (every 10 ms) until the day total of that name reaches the number of probes acked so
 * far. Probes run one after another, so each one's visibility is unambiguous.
 */
export function startFreshnessProbe(opts: {
  origin: string;
  writeKey: string;
  readKey: string;
  name: string;
  /** Count already acked for this name (by earlier probes). */
  ackedBefore: number;
  idPrefix: string;
}): FreshnessProbe {
  const pool = new Pool(opts.origin, { connections: 2, pipelining: 1 });
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000 });
  let stopping = false;
  let acked = opts.ackedBefore;
  const day = 86_400_000;
  const params = {
    type: 'custom',
    name: opts.name,
    granularity: 'day',
    from: new Date(Math.floor(Date.now() / day) * day - day).toISOString(),
    to: new Date(Math.floor(Date.now() / day) * day + 2 * day).toISOString(),
  };
  const headers = { authorization: `Bearer ${opts.writeKey}`, 'content-type': 'application/json' };
  let failure: Error | undefined;
  const loop = (async () => {
    let k = 0;
    while (!stopping) {
      const started = performance.now();
      const id = `${opts.idPrefix}-${(k++).toString(16).padStart(12, '0')}`;
      const body = JSON.stringify({
        id,
        type: 'custom',
        name: opts.name,
        userId: 'fresh',
        properties: {},
      });
      await postUntilStored(pool, '/v1/events', headers, body, 1);
      const ackedAt = performance.now();
      acked += 1;
      for (;;) {
        const series = await getSeries(pool, opts.readKey, params);
        const total = series.reduce((n, p) => n + p.count, 0);
        if (total >= acked) break;
        if (performance.now() - ackedAt > 120_000) {
          throw new Error('a probe event never became visible');
        }
        await delay(POLL_MS);
      }
      histogram.recordValue(Math.max(1, Math.round(performance.now() - ackedAt)));
      const wait = PROBE_EVERY_MS - (performance.now() - started);
      if (wait > 0 && !stopping) await delay(wait);
    }
  })().catch((err: unknown) => {
    failure = err instanceof Error ? err : new Error(String(err));
  });
  return {
    async stop() {
      stopping = true;
      await loop;
      await pool.close();
      if (failure !== undefined) throw failure;
      return {
        probes: histogram.totalCount,
        p50: histogram.getValueAtPercentile(50),
        p99: histogram.getValueAtPercentile(99),
        max: histogram.maxValue,
        acked,
      };
    },
  };
}
