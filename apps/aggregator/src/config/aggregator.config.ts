import { envFields, loadConfig } from '@tally/platform';
import { z } from 'zod';

const AggregatorEnv = z.object({
  NATS_URL: envFields.natsServers,
  DATABASE_URL: envFields.databaseUrl,
  HTTP_PORT: envFields.port(3002),
  LOG_LEVEL: envFields.logLevel,
  TALLY_PARTITIONS: envFields.positiveInt(8),
  CONSUMER_BATCH_SIZE: envFields.positiveInt(512),
  // The crash-loop guard of the ordered per-partition consumers (deliveries are not counted).
  CONSUMER_MAX_CRASHES: envFields.positiveInt(3),
  CONSUMER_LINGER_MS: envFields.nonNegativeInt(100),
  CONSUMER_ACK_WAIT_SECONDS: envFields.positiveInt(10),
  STREAM_REPLICAS: envFields.positiveInt(1),
  ROLLUP_STREAM_MAX_AGE_HOURS: envFields.positiveInt(72),
  APPLIED_BATCH_RETENTION_HOURS: envFields.positiveInt(24),
  // Metrics queries: each project's share of this replica (issue 12, finding 5).
  QUERY_CONCURRENCY_PER_PROJECT: envFields.positiveInt(2),
  QUERY_QUEUE_PER_PROJECT: envFields.nonNegativeInt(64),
  // The notifier's alert-evaluation queries: their own share, apart from users' queries.
  QUERY_ALERT_CONCURRENCY: envFields.positiveInt(1),
  QUERY_ALERT_QUEUE: envFields.nonNegativeInt(32),
});

export function aggregatorConfig(env: Record<string, string | undefined>) {
  const e = loadConfig(AggregatorEnv, env);
  return {
    http: { port: e.HTTP_PORT },
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    nats: { servers: e.NATS_URL, replicas: e.STREAM_REPLICAS },
    partitions: e.TALLY_PARTITIONS,
    consumer: {
      batchSize: e.CONSUMER_BATCH_SIZE,
      maxCrashes: e.CONSUMER_MAX_CRASHES,
      handlingReplicas: e.STREAM_REPLICAS,
      // NOTE: how long a crashed replica's unacked batches wait before redelivery.
      ackWaitMs: e.CONSUMER_ACK_WAIT_SECONDS * 1_000,
      lingerMs: e.CONSUMER_LINGER_MS,
    },
    rollupStreamMaxAgeMs: e.ROLLUP_STREAM_MAX_AGE_HOURS * 3_600_000,
    appliedBatchRetentionMs: e.APPLIED_BATCH_RETENTION_HOURS * 3_600_000,
    queries: {
      interactive: {
        concurrency: e.QUERY_CONCURRENCY_PER_PROJECT,
        queue: e.QUERY_QUEUE_PER_PROJECT,
      },
      alert: {
        concurrency: e.QUERY_ALERT_CONCURRENCY,
        queue: e.QUERY_ALERT_QUEUE,
      },
    },
  };
}

export type AggregatorConfig = ReturnType<typeof aggregatorConfig>;
