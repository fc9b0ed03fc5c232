import { envFields, loadConfig } from '@tally/platform';
import { z } from 'zod';
import ipaddr from 'ipaddr.js';
import { parseDuration, parseSchedule } from '../webhooks/retry-schedule.js';

const durationMs = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      try {
        return parseDuration(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    });

const NotifierEnv = z.object({
  NATS_URL: envFields.natsServers,
  DATABASE_URL: envFields.databaseUrl,
  HTTP_PORT: envFields.port(3003),
  LOG_LEVEL: envFields.logLevel,
  CONSUMER_BATCH_SIZE: envFields.positiveInt(256),
  CONSUMER_MAX_DELIVER: envFields.positiveInt(5),
  CONSUMER_LINGER_MS: envFields.nonNegativeInt(100),
  STREAM_REPLICAS: envFields.positiveInt(1),
  ALERT_EVAL_INTERVAL: durationMs('30s'),
  ALERT_POLL_INTERVAL: durationMs('500ms'),
  ALERT_QUERY_TIMEOUT: durationMs('2s'),
  ALERT_EVAL_BATCH: envFields.positiveInt(1000),
  ALERT_RULES_PER_PROJECT: envFields.positiveInt(200),
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default('0,5s,5m,30m,2h,5h,10h,10h')
    .transform((value, ctx) => {
      try {
        return parseSchedule(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  WEBHOOK_RETRY_JITTER: z.coerce.number().min(0).max(1).default(0.2),
  WEBHOOK_MAX_RETRY_AFTER: durationMs('1h'),
  WEBHOOK_TIMEOUT: durationMs('10s'),
  WEBHOOK_RESPONSE_CAP_BYTES: envFields.positiveInt(1024),
  WEBHOOK_ALLOW_PRIVATE: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().refine(ipaddr.isValidCIDR, 'must be a CIDR like 127.0.0.1/32'))),
  WEBHOOK_ALLOWED_PORTS: z
    .string()
    .default('80,443')
    .transform((value) =>
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map(Number),
    )
    .pipe(z.array(z.number().int().min(1).max(65_535)).min(1, 'name at least one port')),
});

export function notifierConfig(env: Record<string, string | undefined>) {
  const e = loadConfig(NotifierEnv, env);
  return {
    http: { port: e.HTTP_PORT },
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    nats: { servers: e.NATS_URL, replicas: e.STREAM_REPLICAS },
    consumer: {
      batchSize: e.CONSUMER_BATCH_SIZE,
      maxDeliver: e.CONSUMER_MAX_DELIVER,
      lingerMs: e.CONSUMER_LINGER_MS,
    },
    alerts: {
      evalIntervalMs: e.ALERT_EVAL_INTERVAL,
      pollIntervalMs: e.ALERT_POLL_INTERVAL,
      queryTimeoutMs: e.ALERT_QUERY_TIMEOUT,
      evalBatchSize: e.ALERT_EVAL_BATCH,
      rulesPerProject: e.ALERT_RULES_PER_PROJECT,
    },
    webhooks: {
      retry: {
        schedule: e.WEBHOOK_RETRY_SCHEDULE,
        jitter: e.WEBHOOK_RETRY_JITTER,
        maxRetryAfterMs: e.WEBHOOK_MAX_RETRY_AFTER,
      },
      timeoutMs: e.WEBHOOK_TIMEOUT,
      responseCap: e.WEBHOOK_RESPONSE_CAP_BYTES,
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
      allowedPorts: e.WEBHOOK_ALLOWED_PORTS,
    },
  };
}

export type NotifierConfig = ReturnType<typeof notifierConfig>;
