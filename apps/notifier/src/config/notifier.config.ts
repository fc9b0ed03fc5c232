import { envFields, loadConfig } from '@tally/platform';
import { z } from 'zod';

const NotifierEnv = z.object({
  NATS_URL: envFields.natsServers,
  DATABASE_URL: envFields.databaseUrl,
  HTTP_PORT: envFields.port(3003),
  LOG_LEVEL: envFields.logLevel,
  CONSUMER_BATCH_SIZE: envFields.positiveInt(256),
  CONSUMER_MAX_DELIVER: envFields.positiveInt(5),
  STREAM_REPLICAS: envFields.positiveInt(1),
});

export function notifierConfig(env: Record<string, string | undefined>) {
  const e = loadConfig(NotifierEnv, env);
  return {
    http: { port: e.HTTP_PORT },
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    nats: { servers: e.NATS_URL, replicas: e.STREAM_REPLICAS },
    consumer: { batchSize: e.CONSUMER_BATCH_SIZE, maxDeliver: e.CONSUMER_MAX_DELIVER },
  };
}

export type NotifierConfig = ReturnType<typeof notifierConfig>;
