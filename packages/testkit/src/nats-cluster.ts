import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './exit-cleanup.js';
import { freePorts } from './free-port.js';
import { readMetaCluster } from './nats-monitor.js';
import { isPortClash, NatsNode, type NatsServerHandle } from './nats-node.js';
import { GiveUpWaiting, waitFor } from './wait-for.js';

export interface NatsClusterHandle {
  /** Client URLs, one per node, in node order. */
  readonly urls: string[];
  /** node<i> is nodes[i]; each can be kill()ed and restart()ed on its own. */
  readonly nodes: NatsServerHandle[];
  /**
   * Waits until every node is up, all agree on one meta leader and the leader
   * sees every other node as current: call after restarting a node before
   * injecting the next fault.
   */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const CLUSTER_NAME = 'tally-test';
const READY_TIMEOUT_MS = 30_000;
const ATTEMPTS = 3;

export async function startNatsCluster(size = 3): Promise<NatsClusterHandle> {
  if (!Number.isInteger(size) || size < 2) {
    throw new Error(`a cluster needs at least 2 nodes, got ${size}`);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchCluster(size);
    } catch (err) {
      if (attempt < ATTEMPTS && isPortClash(err)) continue;
      throw err;
    }
  }
}

async function launchCluster(size: number): Promise<NatsClusterHandle> {
  const ports = await freePorts(size * 3);
  const portAt = (i: number): number => {
    const port = ports[i];
    if (port === undefined) throw new Error('not enough free ports');
    return port;
  };
  const clientPort = (i: number): number => portAt(i);
  const routePort = (i: number): number => portAt(size + i);
  const monitorPort = (i: number): number => portAt(2 * size + i);
  const root = await mkdtemp(join(tmpdir(), 'tally-nats-cluster-'));
  const forgetRoot = onProcessExit(() => rmSync(root, { recursive: true, force: true }));
  const indexes = [...Array(size).keys()];

  const started = await Promise.allSettled(
    indexes.map(async (i) => {
      const dir = join(root, `node${i}`);
      await mkdir(dir);
      return NatsNode.start({
        dir,
        port: clientPort(i),
        monitorPort: monitorPort(i),
        jetstream: true,
        readyTimeoutMs: READY_TIMEOUT_MS,
        cluster: {
          serverName: `node${i}`,
          name: CLUSTER_NAME,
          port: routePort(i),
          routes: indexes.filter((j) => j !== i).map((j) => `nats://127.0.0.1:${routePort(j)}`),
        },
      });
    }),
  );
  const nodes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop()));
    await rm(root, { recursive: true, force: true });
    forgetRoot();
  };
  const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }

  const cluster: NatsClusterHandle = {
    urls: nodes.map((n) => n.url),
    nodes,
    waitHealthy: (timeoutMs = READY_TIMEOUT_MS) => waitHealthy(nodes, timeoutMs),
    stop,
  };
  try {
    await cluster.waitHealthy();
  } catch (err) {
    await stop();
    throw err;
  }
  return cluster;
}

async function waitHealthy(nodes: NatsNode[], timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const down = nodes.filter((n) => !n.running).map((n) => n.serverName);
      if (down.length > 0) throw new GiveUpWaiting(`nodes not running: ${down.join(', ')}`);
      const views = await Promise.all(nodes.map((n) => readMetaCluster(n.monitorPort)));
      const leaders = new Set(views.map((v) => v.leader));
      const [leader] = leaders;
      if (leaders.size !== 1 || leader === undefined) {
        throw new Error(
          `nodes disagree on the meta leader: ${[...leaders].map(String).join(', ')}`,
        );
      }
      const leaderView = views[nodes.findIndex((n) => n.serverName === leader)];
      const current = new Set(leaderView?.replicas.filter((r) => r.current).map((r) => r.name));
      const behind = nodes
        .map((n) => n.serverName)
        .filter((name) => name !== leader && !current.has(name ?? ''));
      if (behind.length > 0) {
        throw new Error(`leader ${leader} does not see as current: ${behind.join(', ')}`);
      }
      return true;
    },
    { timeoutMs, intervalMs: 100, what: 'the NATS cluster to be healthy' },
  );
}
