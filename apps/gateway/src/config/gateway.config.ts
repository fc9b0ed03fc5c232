import { KeyKind, ProjectId } from '@tally/contracts';
import { envFields, loadConfig } from '@tally/platform';
import { z } from 'zod';

const ApiKey = z.object({
  key: z.string().min(16, 'keys must be at least 16 characters'),
  projectId: ProjectId,
  kind: KeyKind,
});

/** A rate; `0` turns the limit off. */
const rate = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

const GatewayEnv = z.object({
  NATS_URL: envFields.natsServers,
  HTTP_PORT: envFields.port(3000),
  LOG_LEVEL: envFields.logLevel,
  // Static bootstrap keys (dev stack, e2e); keys issued through the admin API live in NATS KV.
  TALLY_API_KEYS: z
    .string()
    .default('[]')
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of keys' });
        return z.NEVER;
      }
    })
    .pipe(z.array(ApiKey)),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  STREAM_REPLICAS: envFields.positiveInt(1),
  LIVE_HEARTBEAT_MS: envFields.positiveInt(15_000),
  INGEST_TIMEOUT_MS: envFields.positiveInt(5_000),
  QUERY_TIMEOUT_MS: envFields.positiveInt(5_000),
  RETRY_AFTER_SECONDS: envFields.positiveInt(1),
  INGEST_CHUNK_BYTES: envFields.positiveInt(512 * 1024),
  RATE_LIMIT_WRITE_EVENTS_PER_SECOND: rate(50_000),
  RATE_LIMIT_WRITE_BURST_EVENTS: envFields.positiveInt(100_000),
  RATE_LIMIT_READ_REQUESTS_PER_SECOND: rate(100),
  RATE_LIMIT_READ_BURST: envFields.positiveInt(200),
  RATE_LIMIT_MANAGE_REQUESTS_PER_SECOND: rate(10),
  RATE_LIMIT_MANAGE_BURST: envFields.positiveInt(20),
  RATE_LIMIT_SYNC_MS: envFields.positiveInt(100),
  // GET /v1/live: open streams per read key and per replica, and how long one may stay open.
  LIVE_MAX_STREAMS_PER_KEY: envFields.positiveInt(20),
  LIVE_MAX_STREAMS: envFields.positiveInt(2_000),
  LIVE_MAX_STREAM_LIFETIME_MS: envFields.positiveInt(30 * 60_000),
  AUTH_FAILURES_PER_MINUTE: rate(10),
  AUTH_FAILURES_BURST: envFields.positiveInt(20),
  AUTH_FAILURES_MAX_ADDRESSES: envFields.positiveInt(100_000),
  // Queries (issue 12, findings 5 and 17).
  QUERY_ATTEMPT_TIMEOUT_MS: envFields.positiveInt(1_000),
  // The HTTP edge: how long a client may take, and how many connections it may hold open.
  HTTP_HEADERS_TIMEOUT_MS: envFields.positiveInt(5_000),
  HTTP_REQUEST_TIMEOUT_MS: envFields.positiveInt(15_000),
  HTTP_IDLE_TIMEOUT_MS: envFields.positiveInt(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: envFields.positiveInt(5_000),
  HTTP_MAX_CONNECTIONS: envFields.positiveInt(5_000),
  HTTP_MAX_BODY_BYTES: envFields.positiveInt(64 * 1024),
});

/**
 * The HTTP timeouts, checked against each other and against the waits they must outlast, and the
 * live streams against the connection cap.
 */
const CheckedGatewayEnv = GatewayEnv.superRefine((e, ctx) => {
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    const message = 'must not exceed HTTP_REQUEST_TIMEOUT_MS';
    ctx.addIssue({ code: 'custom', path: ['HTTP_HEADERS_TIMEOUT_MS'], message });
  }
  // NOTE: the idle timeout also runs while a response is pending or a live stream is quiet, so
  // it must outlast the longest wait for a service and the gap between live heartbeats.
  const longestQuietMs = Math.max(e.LIVE_HEARTBEAT_MS, e.INGEST_TIMEOUT_MS, e.QUERY_TIMEOUT_MS);
  if (e.HTTP_IDLE_TIMEOUT_MS <= longestQuietMs) {
    const message =
      'must exceed LIVE_HEARTBEAT_MS, INGEST_TIMEOUT_MS and QUERY_TIMEOUT_MS, or live streams ' +
      'and slow answers are cut off';
    ctx.addIssue({ code: 'custom', path: ['HTTP_IDLE_TIMEOUT_MS'], message });
  }
  // NOTE: live streams hold connections; at the cap, every new request would be cut on arrival.
  if (e.LIVE_MAX_STREAMS >= e.HTTP_MAX_CONNECTIONS) {
    const message = 'must be below HTTP_MAX_CONNECTIONS, or live streams can hold every connection';
    ctx.addIssue({ code: 'custom', path: ['LIVE_MAX_STREAMS'], message });
  }
});

export type ApiKeyConfig = z.infer<typeof ApiKey>;

export function gatewayConfig(env: Record<string, string | undefined>) {
  const e = loadConfig(CheckedGatewayEnv, env);
  return {
    http: {
      port: e.HTTP_PORT,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      idleTimeoutMs: e.HTTP_IDLE_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
      maxBodyBytes: e.HTTP_MAX_BODY_BYTES,
    },
    logLevel: e.LOG_LEVEL,
    nats: { servers: e.NATS_URL },
    apiKeys: e.TALLY_API_KEYS,
    adminToken: e.ADMIN_TOKEN,
    projectsBucketReplicas: e.STREAM_REPLICAS,
    live: {
      heartbeatMs: e.LIVE_HEARTBEAT_MS,
      maxStreamsPerKey: e.LIVE_MAX_STREAMS_PER_KEY,
      maxStreams: e.LIVE_MAX_STREAMS,
      maxStreamLifetimeMs: e.LIVE_MAX_STREAM_LIFETIME_MS,
    },
    timeouts: { ingestMs: e.INGEST_TIMEOUT_MS, queryMs: e.QUERY_TIMEOUT_MS },
    retryAfterSeconds: e.RETRY_AFTER_SECONDS,
    ingestChunkBytes: e.INGEST_CHUNK_BYTES,
    rateLimits: {
      write: {
        ratePerSecond: e.RATE_LIMIT_WRITE_EVENTS_PER_SECOND,
        burst: e.RATE_LIMIT_WRITE_BURST_EVENTS,
      },
      read: {
        ratePerSecond: e.RATE_LIMIT_READ_REQUESTS_PER_SECOND,
        burst: e.RATE_LIMIT_READ_BURST,
      },
      manage: {
        ratePerSecond: e.RATE_LIMIT_MANAGE_REQUESTS_PER_SECOND,
        burst: e.RATE_LIMIT_MANAGE_BURST,
      },
      syncMs: e.RATE_LIMIT_SYNC_MS,
    },
    authFailures: {
      policy: { ratePerSecond: e.AUTH_FAILURES_PER_MINUTE / 60, burst: e.AUTH_FAILURES_BURST },
      maxAddresses: e.AUTH_FAILURES_MAX_ADDRESSES,
    },
    queries: { attemptTimeoutMs: e.QUERY_ATTEMPT_TIMEOUT_MS },
  };
}

export type GatewayConfig = ReturnType<typeof gatewayConfig>;
