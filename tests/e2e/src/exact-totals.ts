import assert from 'node:assert/strict';
import { waitFor } from '@tally/testkit';
import { getSeries } from './client.js';
import { bucketStart, observedSeries, totalCount, type SeriesMap } from './ledger.js';
import type { LoadOptions, LoadResult } from './load.js';
import { log, storedDuplicates, waitUntilAggregatorIdle, type Stack } from './stack.js';

const DAY = 86_400_000;

/** The load every fault test sends: 200 bodies of 100 events from 4 retrying senders. */
export const loadOptions = (name: string): LoadOptions => ({
  name,
  bodies: 200,
  batchSize: 100,
  senders: 4,
  distinctUsers: 64,
});

/** Sum of counts (and the series) for one custom name, via the API. */
export async function customTotal(
  stack: Stack,
  name: string,
): Promise<{ count: number; points: SeriesMap }> {
  const dayStart = bucketStart(Date.now(), 'day');
  const points = observedSeries(
    await getSeries(stack.gatewayUrl, stack.readKey, {
      type: 'custom',
      name,
      granularity: 'day',
      from: new Date(dayStart - 2 * DAY).toISOString(),
      to: new Date(dayStart + 2 * DAY).toISOString(),
    }),
  );
  return { count: totalCount(points), points };
}

/**
 * Waits until the rollups hold what the 202s promised, then until the aggregator has committed
 * the whole events stream, and checks again: a late double count cannot hide behind an early
 * match. `seqBefore` is the events stream's last sequence before the load: each body is at most
 * one message per partition, so more than that means a batch was stored twice.
 */
export async function assertExactTotals(
  stack: Stack,
  label: string,
  name: string,
  load: LoadResult,
  distinctUsers: number,
  seqBefore: number,
): Promise<void> {
  const waitStarted = Date.now();
  const reached = await waitFor(
    async () => {
      const t = await customTotal(stack, name);
      return t.count >= load.accepted ? t : false;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `${label} totals to reach ${load.accepted}` },
  ).catch(async (err: unknown) => {
    log(`${label}: ${err instanceof Error ? err.message : String(err)}`);
    return customTotal(stack, name);
  });
  if (reached.count !== load.accepted) {
    log(
      `${label}: stored since seq ${seqBefore}: ${JSON.stringify(await storedDuplicates(stack, seqBefore))}`,
    );
  }
  assert.equal(reached.count, load.accepted, `${label}: counted events == events in 202 answers`);
  log(`${label}: totals exact (${reached.count}) after ${Date.now() - waitStarted} ms of polling`);

  const idle = await waitUntilAggregatorIdle(stack, 60_000);
  log(
    `${label}: aggregator idle: offsets ${idle.offsets.join(',')} = stream last seqs ${idle.lastSeqs.join(',')}, stream last_seq ${idle.streamLastSeq}`,
  );
  assert.equal(idle.deadLetters, 0, 'nothing was dead-lettered');
  const stored = idle.streamLastSeq - seqBefore;
  log(`${label}: the events stream grew by ${stored} messages for ${load.bodies} bodies`);
  assert.ok(
    stored <= load.bodies * stack.partitions,
    `${label}: no batch stored twice (${stored} messages)`,
  );
  const final = await customTotal(stack, name);
  assert.equal(final.count, load.accepted, `${label}: still exact once the aggregator is idle`);
  const buckets = Object.values(final.points);
  // One day bucket unless the run crossed midnight; users then split over two buckets.
  if (buckets.length === 1) {
    assert.equal(buckets[0]?.uniqueUsers, distinctUsers, `${label}: unique users`);
  }
}
