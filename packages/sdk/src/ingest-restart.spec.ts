import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { waitFor } from '@tally/testkit';
import { startPipelineStack, type PipelineStack } from './testing/pipeline-stack.js';
import { recordingClient } from './testing/recording-client.js';

const PER_PHASE = 1000;

function log(message: string): void {
  console.log(`[sdk ${new Date().toISOString().slice(11, 23)}] ${message}`);
}

let stack: PipelineStack;
before(async () => {
  stack = await startPipelineStack();
});
after(async () => {
  await stack?.stop();
});

async function minuteTotal(name: string): Promise<number> {
  const result = await stack.pg.query<{ n: string }>(
    `SELECT coalesce(sum(count), 0)::text AS n FROM rollups
     WHERE granularity = 'minute' AND event_type = 'custom' AND dimension = $1`,
    [name],
  );
  return Number(result.rows[0]?.n ?? 0);
}

async function appliedBatches(): Promise<number> {
  const result = await stack.pg.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM applied_batches',
  );
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * The platform fetch, except that every `DROP_EVERY`th 202 is swallowed and the SDK sees a
 * dropped connection instead: the batch is stored, but the SDK cannot know it and must resend.
 */
const DROP_EVERY = 7;
function fetchLosingAcknowledgements(): { fetch: typeof fetch; dropped: () => number } {
  let acknowledgements = 0;
  let dropped = 0;
  return {
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (response.status !== 202 || ++acknowledgements % DROP_EVERY !== 0) return response;
      await response.arrayBuffer();
      dropped++;
      throw new TypeError('fetch failed: the connection dropped after the gateway answered');
    },
    dropped: () => dropped,
  };
}

test('every tracked event is counted exactly once through lost 202s and an ingest SIGKILL', async () => {
  const name = `sdk-restart-${randomUUID().slice(0, 8)}`;
  const lossy = fetchLosingAcknowledgements();
  const { tally, errors, rejections, retries, batches } = recordingClient({
    endpoint: stack.gatewayUrl,
    writeKey: stack.writeKey,
    fetch: lossy.fetch,
    flushAt: 50,
    flushIntervalMs: 20,
    maxRetries: 60,
    retryBaseMs: 50,
    retryMaxMs: 500,
  });
  const acknowledged = () => batches.reduce((sum, b) => sum + b.accepted, 0);
  const track = (count: number) => {
    for (let i = 0; i < count; i++) {
      tally.track({ type: 'custom', name, userId: `user-${i % 100}` });
    }
  };

  track(PER_PHASE);
  await waitFor(async () => acknowledged() >= 200, { timeoutMs: 30_000, what: 'first 202s' });
  await stack.ingest.kill('SIGKILL');
  const ackedAtKill = acknowledged();
  log(`ingest SIGKILLed after ${ackedAtKill} acknowledged events`);
  track(PER_PHASE);
  await waitFor(async () => retries.length > 0, { timeoutMs: 30_000, what: 'a retried batch' });
  log(`first retry (${retries[0]?.reason}); restarting ingest`);
  await stack.ingest.restart();
  log('ingest ready again');
  await tally.shutdown();
  log(
    `all acknowledged after ${retries.length} retries (${retries.map((r) => r.reason).join(',')})`,
  );

  assert.ok(ackedAtKill < 2 * PER_PHASE, 'ingest died while events were still on their way');
  assert.ok(lossy.dropped() > 0, 'some stored batches were resent after a lost 202');
  assert.ok(retries.some((r) => r.reason === 'network'));
  assert.deepEqual(errors, [], 'nothing refused, given up on or dropped');
  assert.equal(rejections.length, 0);
  assert.equal(acknowledged(), 2 * PER_PHASE);

  const total = await waitFor(
    async () => {
      const n = await minuteTotal(name);
      return n >= 2 * PER_PHASE ? n : false;
    },
    {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: `minute rollups of ${name} to reach ${2 * PER_PHASE}`,
    },
  );
  assert.equal(total, 2 * PER_PHASE);
  log(`minute rollups hold ${total}`);
  // A late double count cannot hide behind an early match: wait until the aggregator has
  // applied every stored batch, then count again.
  await waitFor(async () => (await appliedBatches()) === (await stack.storedBatches()), {
    timeoutMs: 60_000,
    intervalMs: 200,
    what: 'the aggregator to apply every stored batch',
  });
  assert.equal(await minuteTotal(name), 2 * PER_PHASE, 'still exact once the aggregator is idle');
});
