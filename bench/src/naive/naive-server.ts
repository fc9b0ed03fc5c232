// The naive design the benchmark compares against: one event per request, one Postgres upsert
// per event (autocommit), on a table of its own. Run by the bench as its own process.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';
import { naiveServerConfig } from '../bench-config.js';

const cfg = naiveServerConfig();
const pool = new pg.Pool({ connectionString: cfg.databaseUrl, max: cfg.poolSize });
pool.on('error', () => undefined);

await pool.query('CREATE EXTENSION IF NOT EXISTS hll');
await pool.query(`CREATE TABLE IF NOT EXISTS naive_rollups (
  project_id text NOT NULL,
  name text NOT NULL,
  bucket timestamptz NOT NULL,
  count bigint NOT NULL,
  users hll NOT NULL,
  PRIMARY KEY (project_id, name, bucket)
)`);

const UPSERT = `INSERT INTO naive_rollups (project_id, name, bucket, count, users)
  VALUES ($1, $2, date_trunc('minute', now()), 1, hll_add(hll_empty(), hll_hash_text($3)))
  ON CONFLICT (project_id, name, bucket) DO UPDATE
  SET count = naive_rollups.count + 1, users = hll_add(naive_rollups.users, hll_hash_text($3))`;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === 'GET' && req.url === '/readyz') return send(res, 200, { ok: true });
  if (req.method !== 'POST' || req.url !== '/v1/events') {
    return send(res, 404, { error: 'not found' });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let event: { type?: unknown; name?: unknown; userId?: unknown };
  try {
    event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof event;
  } catch {
    return send(res, 400, { error: 'malformed JSON' });
  }
  if (typeof event.name !== 'string' || typeof event.userId !== 'string') {
    return send(res, 400, { error: 'name and userId are required' });
  }
  try {
    await pool.query(UPSERT, ['bench', event.name, event.userId]);
  } catch (err) {
    return send(res, 503, { error: err instanceof Error ? err.message : String(err) });
  }
  send(res, 202, { accepted: 1, rejected: [] });
}

const server = createServer((req, res) => {
  handle(req, res).catch((err: unknown) => send(res, 500, { error: String(err) }));
});
server.keepAliveTimeout = 60_000;
server.listen(cfg.port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
});
