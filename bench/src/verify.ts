import { STREAMS } from '@tally/contracts';
import { waitFor } from '@tally/testkit';
import type { BenchStack } from './stack.js';

/**
 * The aggregator is idle when, for every partition subject that holds messages, the stored
 * offset (`partition_offsets.seq`) has reached the last stream sequence on that subject.
 */
export async function aggregatorCaughtUp(stack: BenchStack): Promise<boolean> {
  const info = await stack.jsm.streams.info(STREAMS.events.name, {
    subjects_filter: '>',
  });
  const subjects = Object.keys(info.state.subjects ?? {});
  const rows = await stack.pg.query<{ partition: number; seq: string }>(
    'SELECT partition, seq::text AS seq FROM partition_offsets',
  );
  const offsets = new Map(rows.rows.map((r) => [r.partition, Number(r.seq)]));
  for (const subject of subjects) {
    const partition = Number(subject.slice(subject.lastIndexOf('.') + 1));
    const last = await stack.jsm.streams.getMessage(STREAMS.events.name, { last_by_subj: subject });
    if ((offsets.get(partition) ?? 0) < (last?.seq ?? 0)) return false;
  }
  return true;
}

/**
 * On a reused stack the events stream may hold messages that this database never saw (a NATS
 * shared with other runs), so there the aggregator's durable consumers must have nothing
 * pending and nothing unacknowledged (it acks only after the commit).
 */
export async function consumersDrained(stack: BenchStack): Promise<boolean> {
  let consumers = 0;
  for await (const info of stack.jsm.consumers.list(STREAMS.events.name)) {
    consumers++;
    if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
  }
  return consumers > 0;
}

export async function waitUntilIdle(stack: BenchStack, timeoutMs = 120_000): Promise<void> {
  await waitFor(
    async () => (stack.kind === 'private' ? aggregatorCaughtUp(stack) : consumersDrained(stack)),
    {
      timeoutMs,
      intervalMs: 50,
      what:
        'the aggregator to commit up to the end of the events stream (if it never does, ' +
        "look for errors in the aggregator's log)",
    },
  );
}

/** Sum of `count` per granularity for one custom event name of one project. */
export async function rollupTotals(
  stack: BenchStack,
  projectId: string,
  name: string,
): Promise<Record<'minute' | 'hour' | 'day', number>> {
  const result = await stack.pg.query<{ granularity: string; n: string }>(
    `SELECT granularity, coalesce(sum(count), 0)::text AS n FROM rollups
     WHERE project_id = $1 AND event_type = 'custom' AND dimension = $2
     GROUP BY granularity`,
    [projectId, name],
  );
  const totals = { minute: 0, hour: 0, day: 0 };
  for (const row of result.rows) {
    if (row.granularity === 'minute' || row.granularity === 'hour' || row.granularity === 'day') {
      totals[row.granularity] = Number(row.n);
    }
  }
  return totals;
}

/** Committed so far at minute granularity (for the progress line). */
export async function committedSoFar(
  stack: BenchStack,
  projectId: string,
  name: string,
): Promise<number> {
  const result = await stack.pg.query<{ n: string }>(
    `SELECT coalesce(sum(count), 0)::text AS n FROM rollups
     WHERE project_id = $1 AND event_type = 'custom' AND dimension = $2 AND granularity = 'minute'`,
    [projectId, name],
  );
  return Number(result.rows[0]?.n ?? 0);
}
