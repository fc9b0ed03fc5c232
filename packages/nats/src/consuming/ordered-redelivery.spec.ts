import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Consumer, JetStreamManager } from '@nats-io/jetstream';
import { DEAD_LETTER_HEADERS, STREAMS, SUBJECTS } from '@tally/contracts';
import { startNatsServer, waitFor, type NatsServerHandle } from '@tally/testkit';
import { z } from 'zod';
import { NatsConnection } from '../connection/nats-connection.js';
import { DEFAULT_CONSUMER_OPTIONS, type ConsumerDefaults } from '../nats.options.js';
import { JetStreamProvisioner } from '../provisioning/jetstream-provisioner.js';
import { JetStreamPublisher } from '../publishing/jetstream-publisher.js';
import { PoisonMessageError, type ConsumedBatch } from './consumed-batch.js';
import { ConsumerRunner } from './consumer-runner.js';
import { DeadLetters } from './dead-letters.js';
import { HandlingLog } from './handling-log.js';

const STREAM = { name: 'TEST_ORDERED', subjects: ['test.ordered.*'] };
const Item = z.object({ n: z.number().int() });
type Item = z.infer<typeof Item>;
type Handler = (batch: ConsumedBatch<Item>) => Promise<void>;

/** Short enough that a "crashed" runner's messages come back quickly. */
const ACK_WAIT_MS = 1_000;
const DEFAULTS: ConsumerDefaults = {
  ...DEFAULT_CONSUMER_OPTIONS,
  batchSize: 16,
  maxDeliver: 2,
  maxCrashes: 2,
  ackWaitMs: ACK_WAIT_MS,
  maxBackoffMs: 50,
  lingerMs: 0,
};

describe('an ordered consumer and redeliveries (issue 12 follow-up)', () => {
  let server: NatsServerHandle;
  let nats: NatsConnection;
  let jsm: JetStreamManager;

  before(async () => {
    server = await startNatsServer();
    nats = await NatsConnection.open({ servers: [server.url], name: 'ordered-spec' });
    jsm = await nats.manager();
    await new JetStreamProvisioner(nats).ensureStreams([STREAM, STREAMS.dead]);
  });

  after(async () => {
    await nats.onApplicationShutdown();
    await server.stop();
  });

  /**
   * A runner on `connection` (its own, when the test lets it "crash"); the delivery count of each
   * message NATS hands it is pushed to `deliveries`.
   */
  function runner(
    durable: string,
    handler: Handler,
    defaults: Partial<ConsumerDefaults> = {},
    connection = nats,
    deliveries: number[] = [],
  ): ConsumerRunner {
    const deps = {
      nats: recording(connection, deliveries),
      provisioner: new JetStreamProvisioner(connection),
      deadLetters: new DeadLetters(new JetStreamPublisher(connection)),
      handlingLog: new HandlingLog(connection),
      defaults: { ...DEFAULTS, ...defaults },
    };
    const spec = { stream: STREAM.name, durable, subject: 'test.ordered.*', schema: Item };
    return new ConsumerRunner(deps, { ...spec, ordered: true }, handler as never, {
      durable,
      filterSubject: `test.ordered.${durable}`,
    });
  }

  function recording(connection: NatsConnection, deliveries: number[]): NatsConnection {
    const get = async (stream: string, name: string): Promise<Consumer> => {
      const consumer = await connection.js.consumers.get(stream, name);
      const consume: Consumer['consume'] = (opts) =>
        consumer.consume({
          ...opts,
          callback: (msg) => {
            deliveries.push(msg.info.deliveryCount);
            void opts?.callback?.(msg);
          },
        });
      return Object.assign(Object.create(consumer) as Consumer, { consume });
    };
    // NOTE: the runner reads only `js.consumers.get` of the connection.
    return { js: { consumers: { get } } } as unknown as NatsConnection;
  }

  const publish = (durable: string, n: number) =>
    nats.js.publish(`test.ordered.${durable}`, JSON.stringify({ n }));

  const deadLetter = async (durable: string) => {
    const subject = SUBJECTS.dead(STREAM.name, durable);
    const found = await jsm.streams
      .getMessage(STREAMS.dead.name, { last_by_subj: subject })
      .catch(() => null);
    // NOTE: undefined, not null, when there is none: waitFor takes null for an answer.
    return found ?? undefined;
  };

  it('applies a message handed back unhandled more often than maxDeliver', async () => {
    const durable = 'handovers';
    const applied: number[] = [];
    await publish(durable, 1);
    await new JetStreamProvisioner(nats).ensureConsumer({
      stream: STREAM.name,
      durable,
      filterSubject: `test.ordered.${durable}`,
      ackWaitMs: ACK_WAIT_MS,
      maxAckPending: DEFAULTS.batchSize * 4,
    });
    // Each round is an owner that had the message buffered and gave it back unhandled, as a
    // runner does when it stops or loses its lease.
    const consumer = await nats.js.consumers.get(STREAM.name, durable);
    const counts: number[] = [];
    for (let round = 1; round <= DEFAULTS.maxDeliver + 2; round++) {
      const msg = await consumer.next({ expires: 10_000 });
      assert.ok(msg, `delivery ${round}`);
      counts.push(msg.info.deliveryCount);
      msg.nak();
    }
    const stop = new AbortController();
    const deliveries: number[] = [];
    const apply: Handler = async (batch) => {
      applied.push(...batch.messages.map((m) => m.data.n));
    };
    const consuming = runner(durable, apply, {}, nats, deliveries).run(stop.signal);
    await waitFor(async () => applied.length > 0 || (await deadLetter(durable)), {
      timeoutMs: 10_000,
      what: 'the message applied or dead-lettered',
    });
    stop.abort();
    await consuming;
    // The scenario: NATS counted more than maxDeliver deliveries by the time it was applied.
    assert.deepEqual(counts, [1, 2, 3, 4]);
    assert.deepEqual(deliveries, [5]);
    assert.equal(await deadLetter(durable), undefined);
    assert.deepEqual(applied, [1]);
  });

  it('still dead-letters a message that fails for good at once', async () => {
    const durable = 'poison';
    const tries: number[] = [];
    let triedAlone = 0;
    await publish(durable, -1);
    await publish(durable, 2);
    const stop = new AbortController();
    const consuming = runner(durable, async (batch) => {
      tries.push(...batch.messages.map((m) => m.data.n));
      if (batch.messages.length === 1 && batch.messages[0]?.data.n === -1) triedAlone++;
      if (batch.messages.some((m) => m.data.n < 0)) throw new PoisonMessageError('negative');
    }).run(stop.signal);
    const dead = await waitFor(() => deadLetter(durable), { timeoutMs: 10_000, what: 'dead' });
    await waitFor(async () => tries.includes(2), { timeoutMs: 10_000, what: 'the next item' });
    stop.abort();
    await consuming;
    assert.match(dead.header.get(DEAD_LETTER_HEADERS.reason), /PoisonMessageError: negative/);
    assert.equal(dead.header.get(DEAD_LETTER_HEADERS.deliveries), '1');
    // Tried alone once (after its batch failed, if it had one): no retries.
    assert.equal(triedAlone, 1);
  });

  it('dead-letters a message that kills the process each time it is handled', async () => {
    const durable = 'crash-loop';
    const applied: number[] = [];
    let crashes = 0;
    await publish(durable, 666);
    await publish(durable, 3);
    const abandoned: NatsConnection[] = [];
    for (let run = 1; run <= DEFAULTS.maxCrashes + 2; run++) {
      // Each run is a process of its own: the handler never returns for 666 ("the process
      // dies"), and its connection is closed without an orderly stop.
      const connection = await NatsConnection.open({ servers: [server.url], name: `crash-${run}` });
      let hung = false;
      const handler: Handler = async (batch) => {
        if (batch.messages.some((m) => m.data.n === 666)) {
          hung = true;
          crashes++;
          return new Promise<void>(() => {});
        }
        applied.push(...batch.messages.map((m) => m.data.n));
      };
      const stop = new AbortController();
      const running = runner(durable, handler, {}, connection).run(stop.signal);
      await waitFor(async () => hung || applied.includes(3), {
        timeoutMs: 10_000,
        what: `run ${run} hung or applied`,
      });
      if (!hung) {
        stop.abort();
        await running;
        await connection.onApplicationShutdown();
        break;
      }
      abandoned.push(connection);
      await connection.core.close();
    }
    const dead = await deadLetter(durable);
    assert.ok(dead, 'the crashing message is dead-lettered');
    assert.match(dead.header.get(DEAD_LETTER_HEADERS.reason), /died 2 times while handling it/);
    assert.equal(dead.json<Item>().n, 666);
    assert.deepEqual(applied, [3]);
    // Once with its batch at most, then alone until the bound.
    assert.ok(crashes <= DEFAULTS.maxCrashes + 1, `crashed ${crashes} times`);
    assert.equal(abandoned.length, crashes);
  });
});
