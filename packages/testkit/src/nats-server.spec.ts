import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startNatsServer } from './entry.js';

test('a stored JetStream message survives SIGKILL and restart on the same port and store', async (t) => {
  const server = await startNatsServer();
  t.after(() => server.stop());
  assert.equal(server.url, `nats://127.0.0.1:${server.port}`);

  const before = await connect({ servers: server.url });
  const jsm = await jetstreamManager(before);
  await jsm.streams.add({ name: 'KIT', subjects: ['kit.>'] });
  const ack = await jetstream(before).publish('kit.one', 'hello');
  await before.close();

  await server.kill();
  await assert.rejects(connect({ servers: server.url, reconnect: false }), 'server should be down');

  await server.restart();
  const after = await connect({ servers: server.url });
  t.after(() => after.close());
  const stored = await (await jetstreamManager(after)).streams.getMessage('KIT', { seq: ack.seq });
  assert.equal(new TextDecoder().decode(stored?.data), 'hello');
});

test('stop() ends the server and removes its store dir; jetstream can be off', async () => {
  const server = await startNatsServer({ jetstream: false });
  const nc = await connect({ servers: server.url });
  await assert.rejects(jetstreamManager(nc), 'JetStream should be disabled');
  await nc.close();

  await server.stop();
  assert.equal(existsSync(server.storeDir), false);
  await assert.rejects(connect({ servers: server.url, reconnect: false }));
  await assert.rejects(server.restart(), /was stopped/);
});
