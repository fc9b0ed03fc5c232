import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { INestApplicationContext } from '@nestjs/common';
import { STREAMS, SUBJECTS, type StoredEventBatch } from '@tally/contracts';
import { JetStreamProvisioner } from '@tally/nats';
import { waitFor } from '@tally/testkit';
import { PrismaService } from '../database/prisma.service.js';
import { AggregatorTestBed } from '../test-support/aggregator-test-bed.fixture.js';
import { pageView } from '../test-support/stored-events.fixture.js';

/** More than CONSUMER_MAX_DELIVER's old default (5), which the aggregator applied to deliveries. */
const HANDOVERS = 6;

/**
 * Issue 12 follow-up: redeliveries are routine (a stop, a lost lease, a rebalance nak what a
 * replica had buffered), so an accepted batch handed over more often than CONSUMER_MAX_DELIVER
 * before it is applied must still be counted, not dead-lettered.
 */
describe('aggregator and a batch handed over many times', () => {
  let bed: AggregatorTestBed;
  let app: INestApplicationContext | undefined;

  before(async () => {
    bed = await AggregatorTestBed.start();
    await new JetStreamProvisioner(bed.connection).ensureStreams([STREAMS.events, STREAMS.dead]);
  });

  after(async () => {
    await app?.close();
    await bed?.stop();
  });

  it('applies the batch and dead-letters nothing', async () => {
    const batch: StoredEventBatch = {
      v: 1,
      batchId: 'handed-over',
      projectId: 'p1',
      partition: 0,
      events: [pageView('u1'), pageView('u2'), pageView('u3')],
    };
    await bed.connection.js.publish(SUBJECTS.events(0), JSON.stringify(batch));
    // Replicas that had it buffered and gave it back unhandled, as a runner does on a stop.
    await new JetStreamProvisioner(bed.connection).ensureConsumer({
      stream: STREAMS.events.name,
      durable: 'aggregator-p0',
      filterSubject: SUBJECTS.events(0),
      ackWaitMs: 10_000,
      maxAckPending: 1_000,
    });
    const consumer = await bed.connection.js.consumers.get(STREAMS.events.name, 'aggregator-p0');
    for (let round = 1; round <= HANDOVERS; round++) {
      const msg = await consumer.next({ expires: 10_000 });
      assert.ok(msg, `delivery ${round}`);
      assert.equal(msg.info.deliveryCount, round);
      msg.nak();
    }

    app = await bed.startAggregator();
    const prisma = app.get(PrismaService);
    const jsm = await bed.connection.manager();
    const outcome = await waitFor(
      async () => {
        const [row] = await prisma.$queryRaw<{ count: bigint | null }[]>`
          SELECT sum(count)::bigint AS count FROM rollups
          WHERE granularity = 'minute' AND project_id = 'p1'`;
        const dead = (await jsm.streams.info(STREAMS.dead.name)).state.messages;
        const counted = Number(row?.count ?? 0);
        return counted > 0 || dead > 0 ? { counted, dead } : undefined;
      },
      { timeoutMs: 20_000, what: 'the batch counted or dead-lettered' },
    );
    assert.deepEqual(outcome, { counted: 3, dead: 0 });
  });
});
