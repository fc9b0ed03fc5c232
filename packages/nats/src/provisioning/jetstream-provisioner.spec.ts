import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { startNatsServer, type NatsServerHandle } from '@tally/testkit';
import { NatsConnection } from '../connection/nats-connection.js';
import { JetStreamProvisioner } from './jetstream-provisioner.js';

describe('JetStreamProvisioner on a real nats-server', () => {
  let server: NatsServerHandle;
  let connection: NatsConnection;
  let provisioner: JetStreamProvisioner;

  before(async () => {
    server = await startNatsServer();
    connection = await NatsConnection.open({ servers: [server.url], name: 'test' });
    provisioner = new JetStreamProvisioner(connection);
  });

  after(async () => {
    await connection.onApplicationShutdown();
    await server.stop();
  });

  const spec = {
    stream: 'PROV',
    durable: 'worker',
    filterSubject: 'prov.a',
    ackWaitMs: 10_000,
    maxAckPending: 64,
  };

  it('creates streams and consumers, and is safe to run again', async () => {
    await provisioner.ensureStreams([
      { name: 'PROV', subjects: ['prov.*'], duplicateWindowMs: 60_000 },
    ]);
    await provisioner.ensureStreams([
      { name: 'PROV', subjects: ['prov.*'], duplicateWindowMs: 60_000 },
    ]);
    await provisioner.ensureConsumer(spec);
    await provisioner.ensureConsumer(spec);
    const info = await (await connection.manager()).consumers.info('PROV', 'worker');
    assert.equal(info.config.ack_wait, nanos(10_000));
    assert.equal(info.config.max_ack_pending, 64);
  });

  it('updates a consumer created with a start sequence without touching where it starts', async () => {
    const jsm = await connection.manager();
    await jsm.consumers.add('PROV', {
      durable_name: 'older',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: 1,
      filter_subject: 'prov.b',
      ack_wait: nanos(30_000),
    });
    await provisioner.ensureConsumer({ ...spec, durable: 'older', filterSubject: 'prov.b' });
    const info = await jsm.consumers.info('PROV', 'older');
    assert.equal(info.config.ack_wait, nanos(10_000));
    assert.equal(info.config.deliver_policy, DeliverPolicy.StartSequence);
  });
});
