export { loadConfig, ConfigError } from './config/load-config.js';
export { envFields } from './config/env-fields.js';
export { loggingModule, type LoggingOptions } from './logging/logging.module.js';
export { HealthModule } from './health/health.module.js';
export { READINESS_CHECKS, type ReadinessCheck } from './health/readiness-check.js';
export { NatsReadiness } from './health/nats-readiness.js';
export { databaseReadiness } from './health/database-readiness.js';
export { isTransientDatabaseError, sqlState } from './database/sql-errors.js';
export { bootstrapApp, type BootstrapOptions } from './bootstrap/bootstrap-app.js';
export { BackgroundLoop } from './lifecycle/background-loop.js';
// PooledPrismaClientClass: the apps' declaration output names it for `extends pooledPrismaClient(…)`.
export {
  pooledPrismaClient,
  type PooledPrismaClientClass,
} from './database/pooled-prisma-client.js';
