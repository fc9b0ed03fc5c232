import { httpGet, tcpAccepts } from './probes.js';

export interface MetaClusterView {
  leader: string | undefined;
  /** Only the meta leader lists its followers. */
  replicas: Array<{ name: string; current: boolean }>;
}

/**
 * One readiness check of a node: JetStream enabled (not the bare /healthz,
 * which fails during JetStream recovery) and the client port accepting.
 * Throws with the reason when not ready, so waitFor can report it.
 */
export async function checkNatsNode(
  port: number,
  monitorPort: number,
  jetstream: boolean,
): Promise<true> {
  const path = jetstream ? '/healthz?js-enabled-only=true' : '/healthz';
  const health = await httpGet(`http://127.0.0.1:${monitorPort}${path}`);
  if (health.status !== 200) {
    throw new Error(`${path} answered ${health.status}: ${health.body.trim()}`);
  }
  return tcpAccepts(port);
}

export async function readMetaCluster(monitorPort: number): Promise<MetaClusterView> {
  const answer = await httpGet(`http://127.0.0.1:${monitorPort}/jsz`);
  if (answer.status !== 200) throw new Error(`/jsz answered ${answer.status}`);
  const jsz: unknown = JSON.parse(answer.body);
  const meta = field(jsz, 'meta_cluster');
  const leader = field(meta, 'leader');
  const replicas = field(meta, 'replicas');
  return {
    leader: typeof leader === 'string' && leader !== '' ? leader : undefined,
    replicas: Array.isArray(replicas)
      ? replicas.map((r: unknown) => ({
          name: String(field(r, 'name')),
          current: field(r, 'current') === true,
        }))
      : [],
  };
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
