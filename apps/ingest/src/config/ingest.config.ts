import { envFields, loadConfig } from '@tally/platform';
import { z } from 'zod';

const IngestEnv = z.object({
  NATS_URL: envFields.natsServers,
  HTTP_PORT: envFields.port(3001),
  LOG_LEVEL: envFields.logLevel,
  TALLY_PARTITIONS: envFields.positiveInt(8),
  STREAM_REPLICAS: envFields.positiveInt(1),
  EVENT_MAX_AGE_HOURS: envFields.positiveInt(24 * 7),
  EVENT_MAX_FUTURE_MINUTES: envFields.positiveInt(10),
  EVENTS_DUPLICATE_WINDOW_MINUTES: envFields.positiveInt(10),
  EVENTS_MAX_AGE_DAYS: envFields.positiveInt(7),
  REJECTED_MAX_AGE_DAYS: envFields.positiveInt(7),
});

export function ingestConfig(env: Record<string, string | undefined>) {
  const e = loadConfig(IngestEnv, env);
  return {
    http: { port: e.HTTP_PORT },
    logLevel: e.LOG_LEVEL,
    nats: { servers: e.NATS_URL, replicas: e.STREAM_REPLICAS },
    partitions: e.TALLY_PARTITIONS,
    timeWindow: {
      maxAgeMs: e.EVENT_MAX_AGE_HOURS * 3_600_000,
      maxFutureMs: e.EVENT_MAX_FUTURE_MINUTES * 60_000,
    },
    streams: {
      eventsDuplicateWindowMs: e.EVENTS_DUPLICATE_WINDOW_MINUTES * 60_000,
      eventsMaxAgeMs: e.EVENTS_MAX_AGE_DAYS * 86_400_000,
      rejectedMaxAgeMs: e.REJECTED_MAX_AGE_DAYS * 86_400_000,
    },
  };
}

export type IngestConfig = ReturnType<typeof ingestConfig>;
