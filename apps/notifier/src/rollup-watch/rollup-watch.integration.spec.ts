import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { DEAD_LETTER_HEADERS, STREAMS, SUBJECTS, type RollupDelta } from '@tally/contracts';
import { waitFor } from '@tally/testkit';
import { NotifierTestBed } from '../test-support/notifier-test-bed.fixture.js';
import { rollupDelta } from './rollup-delta.fixture.js';

// Runs the built app (dist/main.js) as its own process against a private nats-server and a
// fresh, migrated database, the way it runs in production.
const DURABLE = 'notifier';
const DEAD_SUBJECT = SUBJECTS.dead(STREAMS.rollups.name, DURABLE);
const MINUTE = 60_000;
const T = Date.parse('2026-11-25T10:15:00.000Z');
const WAIT = { timeoutMs: 15_000, intervalMs: 50 };

interface WatermarkRow {
  last_seq: string;
  last_bucket: Date | null;
}

describe('notifier: rollup stream → watermarks', () => {
  let bed: NotifierTestBed;
  let jsm: JetStreamManager;
  let published = 0;

  before(async () => {
    bed = await NotifierTestBed.start();
    // NOTE: started before TALLY_ROLLUPS exists, as when the notifier comes up before the
    // aggregator: it must be ready anyway and start consuming once the stream appears.
    await bed.startNotifier({ CONSUMER_BATCH_SIZE: '16', CONSUMER_MAX_DELIVER: '3' });
    jsm = await jetstreamManager(bed.nc);
  });

  after(async () => {
    await bed?.stop();
  });

  async function publish(subject: string, data: string | Uint8Array): Promise<void> {
    await jetstream(bed.nc).publish(subject, data);
    published++;
  }

  function publishDelta(delta: RollupDelta): Promise<void> {
    return publish(SUBJECTS.rollups(delta.projectId), JSON.stringify(delta));
  }

  async function watermark(projectId: string): Promise<WatermarkRow | undefined> {
    const result = await bed.sql.query<WatermarkRow>(
      'SELECT last_seq, last_bucket FROM rollup_watermarks WHERE project_id = $1',
      [projectId],
    );
    return result.rows[0];
  }

  /** Until the consumer has acked (or dead-lettered) everything published so far. */
  function allHandled(): Promise<true> {
    return waitFor<true>(
      async () => {
        const info = await jsm.consumers.info(STREAMS.rollups.name, DURABLE);
        return info.ack_floor.stream_seq >= published && info.num_ack_pending === 0
          ? true
          : undefined;
      },
      { ...WAIT, what: `consumer ${DURABLE} to ack ${published} messages` },
    );
  }

  it('waits for the rollup stream, then keeps the highest seq and newest bucket per project', async () => {
    // What the aggregator provisions; the notifier must not create it.
    await jsm.streams.add({ name: STREAMS.rollups.name, subjects: [...STREAMS.rollups.subjects] });

    await publishDelta(rollupDelta('p1', 10, [T]));
    await publishDelta(rollupDelta('p1', 20, [T + MINUTE]));
    const row = await waitFor(
      async () => {
        const r = await watermark('p1');
        return r?.last_seq === '20' ? r : undefined;
      },
      { ...WAIT, what: 'p1 watermark at seq 20' },
    );
    assert.equal(row.last_bucket?.getTime(), T + MINUTE);

    // An older delta (another partition, or a redelivery) never moves last_seq back, but a
    // newer bucket it carries still counts.
    await publishDelta(rollupDelta('p1', 15, [T + 5 * MINUTE]));
    await publishDelta(rollupDelta('p1', 12, [T - MINUTE]));
    await allHandled();
    const after = await watermark('p1');
    assert.equal(after?.last_seq, '20');
    assert.equal(after?.last_bucket?.getTime(), T + 5 * MINUTE);
  });

  it('dead-letters undecodable messages with the reason and keeps consuming', async () => {
    await publish(SUBJECTS.rollups('p1'), 'this is not JSON {');
    await publish(SUBJECTS.rollups('p1'), JSON.stringify({ projectId: 'p1', seq: 'nope' }));
    await publishDelta(rollupDelta('p1', 30, [T + 6 * MINUTE]));
    await publishDelta(rollupDelta('p2', 31, []));

    await waitFor(async () => (await watermark('p1'))?.last_seq === '30', {
      ...WAIT,
      what: 'p1 watermark at seq 30 after poison',
    });
    const p2 = await waitFor(async () => watermark('p2'), { ...WAIT, what: 'p2 watermark' });
    assert.deepEqual(p2, { last_seq: '31', last_bucket: null });

    const dead = await waitFor(
      async () => {
        const info = await jsm.streams.info(STREAMS.dead.name);
        if (info.state.messages < 2) return undefined;
        return Promise.all([1, 2].map((seq) => jsm.streams.getMessage(STREAMS.dead.name, { seq })));
      },
      { ...WAIT, what: 'two dead-lettered messages' },
    );
    const texts = dead.map((m) => new TextDecoder().decode(m?.data));
    assert.deepEqual(
      texts.sort(),
      ['this is not JSON {', '{"projectId":"p1","seq":"nope"}'].sort(),
    );
    for (const msg of dead) {
      assert.equal(msg?.subject, DEAD_SUBJECT);
      const reason = msg?.header.get(DEAD_LETTER_HEADERS.reason) ?? '';
      assert.ok(reason.startsWith('undecodable'), `unexpected reason: ${reason}`);
      assert.equal(msg?.header.get(DEAD_LETTER_HEADERS.stream), STREAMS.rollups.name);
      assert.equal(msg?.header.get(DEAD_LETTER_HEADERS.consumer), DURABLE);
    }
    await allHandled();
  });
});
