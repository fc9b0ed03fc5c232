import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection as CoreConnection } from '@nats-io/transport-node';
import { DEAD_LETTER_HEADERS, STREAMS } from '@tally/contracts';
import { startNatsServer, waitFor, type NatsServerHandle } from '@tally/testkit';
import { z } from 'zod';
import { NatsModule } from '../nats.module.js';
import { PoisonMessageError, type ConsumedBatch } from './consumed-batch.js';
import { JetStreamConsumer } from './jetstream-consumer.decorator.js';

const Item = z.object({ n: z.number().int() });
type Item = z.infer<typeof Item>;
const STREAM = { name: 'TEST_ITEMS', subjects: ['test.items.*'] };

/** Fails the same way on every try, like a Postgres data error. */
class DataError extends Error {
  override readonly name = 'DataError';
}

@Injectable()
class ItemSink {
  readonly applied: number[] = [];
  /** How often each item was handed to the handler on its own. */
  readonly soloAttempts = new Map<number, number>();
  failuresLeft = 0;

  @JetStreamConsumer({
    stream: STREAM.name,
    durable: 'sink',
    subject: 'test.items.*',
    schema: Item,
    ordered: true,
    isTransient: (err) => !(err instanceof DataError),
  })
  async apply(batch: ConsumedBatch<Item>): Promise<void> {
    const [only] = batch.messages;
    if (only && batch.messages.length === 1) {
      this.soloAttempts.set(only.data.n, (this.soloAttempts.get(only.data.n) ?? 0) + 1);
    }
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('database restarting');
    }
    if (batch.messages.some((m) => m.data.n < 0)) throw new PoisonMessageError('negative item');
    if (batch.messages.some((m) => m.data.n === 1013)) throw new DataError('1013 cannot be stored');
    this.applied.push(...batch.messages.map((m) => m.data.n));
  }
}

describe('@JetStreamConsumer on a real nats-server', () => {
  let server: NatsServerHandle;
  let app: INestApplicationContext;
  let nc: CoreConnection;
  let jsm: JetStreamManager;
  let sink: ItemSink;

  before(async () => {
    server = await startNatsServer();
    @Module({
      imports: [
        NatsModule.forRootAsync({
          useFactory: () => ({
            servers: [server.url],
            name: 'test',
            streams: [STREAM, STREAMS.dead],
            consumers: { batchSize: 16, maxDeliver: 3, maxBackoffMs: 50 },
          }),
        }),
      ],
      providers: [ItemSink],
    })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    await app.init();
    sink = app.get(ItemSink);
    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
  });

  after(async () => {
    await app.close();
    await nc.close();
    await server.stop();
  });

  const publish = async (payload: string, id: string) => {
    await jsm.jetstream().publish('test.items.a', payload, { msgID: id });
  };

  const pendingAcks = async () => (await jsm.consumers.info(STREAM.name, 'sink')).num_ack_pending;

  it('hands messages over in order and acks them after the handler succeeded', async () => {
    for (let n = 1; n <= 40; n++) await publish(JSON.stringify({ n }), `ok-${n}`);
    await waitFor(async () => sink.applied.length === 40, { timeoutMs: 10_000, what: '40 items' });
    assert.deepEqual(
      sink.applied,
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    await waitFor(async () => (await pendingAcks()) === 0, { timeoutMs: 5_000, what: 'acks' });
  });

  it('retries a transiently failing batch in place, without losing order', async () => {
    sink.applied.length = 0;
    sink.failuresLeft = 3;
    for (let n = 100; n < 110; n++) await publish(JSON.stringify({ n }), `retry-${n}`);
    await waitFor(async () => sink.applied.length === 10, {
      timeoutMs: 10_000,
      what: 'retried items',
    });
    assert.deepEqual(
      sink.applied,
      Array.from({ length: 10 }, (_, i) => 100 + i),
    );
    assert.equal(sink.failuresLeft, 0);
  });

  it('dead-letters undecodable and poison messages with a reason and keeps consuming', async () => {
    sink.applied.length = 0;
    await publish('not json', 'bad-1');
    await publish(JSON.stringify({ n: 'seven' }), 'bad-2');
    await publish(JSON.stringify({ n: -1 }), 'bad-3');
    await publish(JSON.stringify({ n: 7 }), 'good-7');
    await waitFor(async () => sink.applied.includes(7), {
      timeoutMs: 10_000,
      what: 'item after poison',
    });
    const reasons = await waitFor(
      async () => {
        const info = await jsm.streams.info(STREAMS.dead.name);
        if (info.state.messages < 3) return undefined;
        const found: string[] = [];
        for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
          const msg = await jsm.streams.getMessage(STREAMS.dead.name, { seq });
          found.push(msg?.header.get(DEAD_LETTER_HEADERS.reason) ?? '');
        }
        return found;
      },
      { timeoutMs: 10_000, what: 'three dead letters' },
    );
    assert.equal(reasons.length, 3);
    assert.match(reasons[0] ?? '', /^undecodable: not JSON/);
    assert.match(reasons[1] ?? '', /^undecodable: /);
    assert.match(reasons[2] ?? '', /PoisonMessageError: negative item/);
    assert.deepEqual(sink.applied, [7]);
  });

  it('dead-letters a message that fails for good at once, without retrying it in place', async () => {
    sink.applied.length = 0;
    for (const n of [1011, 1012, 1013, 1014]) await publish(JSON.stringify({ n }), `data-${n}`);
    await waitFor(async () => sink.applied.includes(1014), {
      timeoutMs: 10_000,
      what: 'item after the data error',
    });
    assert.deepEqual(sink.applied, [1011, 1012, 1014]);
    // Tried alone once (after its batch failed, if it had one): no retries with backoff.
    assert.equal(sink.soloAttempts.get(1013), 1);
    const info = await jsm.streams.info(STREAMS.dead.name);
    const dead = await jsm.streams.getMessage(STREAMS.dead.name, { seq: info.state.last_seq });
    assert.match(dead?.header.get(DEAD_LETTER_HEADERS.reason) ?? '', /^DataError: 1013 cannot/);
    assert.equal(dead?.header.get(DEAD_LETTER_HEADERS.deliveries), '1');
  });
});
