export { startAppProcess, type AppProcessHandle, type AppProcessOptions } from './app-process.js';
export { freePort } from './free-port.js';
export { type ExitInfo } from './managed-process.js';
export { startNatsCluster, type NatsClusterHandle } from './nats-cluster.js';
export {
  checkNatsConfig,
  localiseNatsConfig,
  startNatsFromConfigs,
  type ConfigNodesHandle,
} from './nats-config-file.js';
export { natsServerBin } from './nats-binary.js';
export { type NatsServerHandle } from './nats-node.js';
export { startNatsServer, type NatsServerOptions } from './nats-server.js';
export { runNodeScript } from './node-script.js';
export { startPrivatePostgres, type PrivatePostgresHandle } from './private-postgres.js';
export { startServiceProcess, type ServiceProcess } from './service-process.js';
export {
  createTestDatabase,
  type TestDatabaseHandle,
  type TestDatabaseOptions,
  type TestDatabaseSource,
} from './test-database.js';
export { GiveUpWaiting, waitFor, type WaitForOptions } from './wait-for.js';
export { createWatchedTestDatabase, type WatchedTestDatabase } from './watched-test-database.js';
export { appEntry, appMigrations, assertBuilt, workspaceRoot } from './workspace-paths.js';
