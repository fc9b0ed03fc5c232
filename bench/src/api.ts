import { waitFor } from '@tally/testkit';
import { Pool } from 'undici';

export interface BenchProject {
  projectId: string;
  writeKey: string;
  readKey: string;
}

async function call(
  pool: Pool,
  method: 'GET' | 'POST',
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await pool.request({
    path,
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // keep the text for the error message
  }
  return { status: res.statusCode, json };
}

/**
 * A project of its own for this run, with a write and a read key, through the admin API: the
 * bench's events and seeded rows never mix with anyone else's data, even on a reused stack.
 */
export async function createBenchProject(
  origin: string,
  adminToken: string,
  name: string,
): Promise<BenchProject> {
  const pool = new Pool(origin, { connections: 1 });
  try {
    const project = await call(pool, 'POST', '/v1/admin/projects', adminToken, { name });
    if (project.status !== 201) {
      throw new Error(
        `POST /v1/admin/projects answered ${project.status}: ${JSON.stringify(project.json)}`,
      );
    }
    const projectId = (project.json as { id: string }).id;
    const key = async (kind: 'write' | 'read') => {
      const res = await call(pool, 'POST', `/v1/admin/projects/${projectId}/keys`, adminToken, {
        kind,
      });
      if (res.status !== 201) {
        throw new Error(
          `issuing a ${kind} key answered ${res.status}: ${JSON.stringify(res.json)}`,
        );
      }
      return (res.json as { key: string }).key;
    };
    const writeKey = await key('write');
    const readKey = await key('read');
    // The gateway learns keys from a KV watch: wait until it knows both.
    await waitFor(
      async () => {
        const read = await call(pool, 'GET', '/v1/rejected?limit=1', readKey);
        const write = await call(pool, 'POST', '/v1/events', writeKey, { events: [] });
        return read.status !== 401 && write.status !== 401;
      },
      { timeoutMs: 10_000, intervalMs: 50, what: 'the gateway to know the bench keys' },
    );
    return { projectId, writeKey, readKey };
  } finally {
    await pool.close();
  }
}

export interface SeriesPoint {
  bucket: string;
  count: number;
  uniqueUsers: number;
}

/** `GET /v1/metrics`; throws unless 200. */
export async function getSeries(
  pool: Pool,
  readKey: string,
  params: Record<string, string>,
): Promise<SeriesPoint[]> {
  const res = await pool.request({
    path: `/v1/metrics?${new URLSearchParams(params).toString()}`,
    method: 'GET',
    headers: { authorization: `Bearer ${readKey}` },
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) {
    throw new Error(`GET /v1/metrics answered ${res.statusCode}: ${text.slice(0, 300)}`);
  }
  return (JSON.parse(text) as { series: SeriesPoint[] }).series;
}
