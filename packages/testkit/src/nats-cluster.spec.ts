import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startNatsCluster, waitFor } from './entry.js';

test('an R3 stream keeps accepting publishes while its leader node is down', async (t) => {
  const cluster = await startNatsCluster(3);
  t.after(() => cluster.stop());
  assert.equal(cluster.urls.length, 3);

  const setup = await connect({ servers: cluster.urls });
  const jsm = await jetstreamManager(setup);
  const created = await jsm.streams.add({ name: 'R3', subjects: ['r3.>'], num_replicas: 3 });
  assert.equal(created.config.num_replicas, 3);
  await jetstream(setup).publish('r3.a', 'before', { msgID: 'before' });
  const leaderName = (await jsm.streams.info('R3')).cluster?.leader;
  await setup.close();

  // Kill the stream leader (the hardest node to lose) and talk to a survivor.
  const victimIndex = Number(leaderName?.replace('node', ''));
  const victim = cluster.nodes[victimIndex];
  const survivor = cluster.nodes[(victimIndex + 1) % 3];
  assert.ok(victim && survivor, `stream leader ${String(leaderName)} is one of the nodes`);
  await victim.kill();

  const nc = await connect({ servers: survivor.url });
  t.after(() => nc.close());
  const js = jetstream(nc);
  // A new stream leader must be elected first; msgID makes retries idempotent.
  const ack = await waitFor(
    () => js.publish('r3.a', 'during', { msgID: 'during', timeout: 2_000 }),
    {
      timeoutMs: 20_000,
      intervalMs: 200,
      what: 'a publish to the R3 stream with one node down',
    },
  );
  assert.equal(ack.seq, 2);

  await victim.restart();
  await cluster.waitHealthy();
  const survivorJsm = await jetstreamManager(nc);
  await waitFor(
    async () => {
      const info = await survivorJsm.streams.info('R3');
      const replicas = info.cluster?.replicas ?? [];
      return info.state.messages === 2 && replicas.length === 2 && replicas.every((r) => r.current);
    },
    { timeoutMs: 20_000, intervalMs: 200, what: 'all R3 replicas to be current again' },
  );
});
