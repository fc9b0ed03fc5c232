import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AckPolicy } from '@nats-io/jetstream';
import { STREAMS, SUBJECTS } from '@tally/contracts';
import { checkNatsConfig, startNatsFromConfigs, waitFor, workspaceRoot } from '@tally/testkit';
import { NatsConnection } from '../connection/nats-connection.js';
import { JetStreamProvisioner } from '../provisioning/jetstream-provisioner.js';

// Issue 13, part 4: the NATS configs users deploy are started here, not only written. Each runs
// from a temp copy with our ports and store dir (every other option as shipped), after
// `nats-server -t` accepted it.
const SINGLE = join(workspaceRoot(), 'infra', 'nats', 'nats.conf');
const CLUSTER = [1, 2, 3].map((n) =>
  join(workspaceRoot(), 'infra', 'nats', 'cluster', `node${n}.conf`),
);
const EVENTS = 40;
const PARTITIONS = 8;

/** The JetStream settings the server reports it runs with (`/varz`). */
async function jetstreamConfig(monitorPort: number): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${monitorPort}/varz`);
  const varz = (await response.json()) as { jetstream?: { config?: Record<string, unknown> } };
  return varz.jetstream?.config ?? {};
}

/** Provisions the events stream, publishes to every partition and reads everything back. */
async function eventsRoundTrip(urls: string[], replicas: number): Promise<void> {
  const connection = await NatsConnection.open({ servers: urls, name: 'shipped-config' });
  try {
    await new JetStreamProvisioner(connection).ensureStreams([{ ...STREAMS.events, replicas }]);
    const jsm = await connection.manager();
    // A new replicated stream takes writes once its replicas have elected a leader.
    const info = await waitFor(
      async () => {
        const current = await jsm.streams.info(STREAMS.events.name);
        return current.cluster?.leader ? current : undefined;
      },
      { timeoutMs: 20_000, what: `a leader of ${STREAMS.events.name}` },
    );
    assert.equal(info.config.num_replicas, replicas);
    assert.equal(info.cluster?.replicas?.length ?? 0, replicas - 1, 'replicas besides the leader');
    const sent = Array.from({ length: EVENTS }, (_, i) => `event-${i}`);
    for (const [i, body] of sent.entries()) {
      await connection.js.publish(SUBJECTS.events(i % PARTITIONS), body);
    }
    await jsm.consumers.add(STREAMS.events.name, {
      durable_name: 'check',
      ack_policy: AckPolicy.Explicit,
    });
    const consumer = await connection.js.consumers.get(STREAMS.events.name, 'check');
    const received: string[] = [];
    while (received.length < EVENTS) {
      const batch = await consumer.fetch({
        max_messages: EVENTS - received.length,
        expires: 5_000,
      });
      for await (const message of batch) {
        received.push(message.string());
        await message.ackAck();
      }
    }
    assert.deepEqual(received, sent);
  } finally {
    await connection.onApplicationShutdown();
  }
}

describe('the shipped NATS configs', () => {
  it('infra/nats/nats.conf passes the check, fsyncs every write and carries the events stream', async () => {
    const servers = await startNatsFromConfigs([SINGLE]);
    try {
      const [node] = servers.nodes;
      assert.ok(node);
      assert.equal((await jetstreamConfig(node.monitorPort))['sync_always'], true);
      await eventsRoundTrip(servers.urls, 1);
    } finally {
      await servers.stop();
    }
  });

  it('infra/nats/cluster/node1..3.conf form a cluster that fsyncs and carries the events stream at R3', async () => {
    const cluster = await startNatsFromConfigs(CLUSTER);
    try {
      for (const node of cluster.nodes) {
        assert.equal((await jetstreamConfig(node.monitorPort))['sync_always'], true, node.url);
      }
      await eventsRoundTrip(cluster.urls, 3);
    } finally {
      await cluster.stop();
    }
  });

  it('the check fails on an option the server does not know', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tally-nats-conf-check-'));
    try {
      const file = join(dir, 'nats.conf');
      await writeFile(file, `${await readFile(SINGLE, 'utf8')}\nsync_interval_typo: always\n`);
      await assert.rejects(checkNatsConfig(file), /unknown field "sync_interval_typo"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
