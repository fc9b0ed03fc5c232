import { fileURLToPath } from 'node:url';

/** infra/postgres builds Postgres 15 with the hll extension the aggregator needs. */
const POSTGRES_CONTEXT = fileURLToPath(new URL('../../../infra/postgres', import.meta.url));
const IMAGE = 'tally-test-postgres:15-hll';

let server: Promise<string> | undefined;

/**
 * One Postgres container per test process (testcontainers' reaper removes it when the process
 * ends), built from the project's own image; databases are created in it per test.
 */
export function containerPostgresUrl(): Promise<string> {
  server ??= start();
  return server;
}

async function start(): Promise<string> {
  // NOTE: imported only when a Docker engine answers; machines without one never load it.
  const { GenericContainer } = await import('testcontainers');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  await GenericContainer.fromDockerfile(POSTGRES_CONTEXT).build(IMAGE, { deleteOnExit: false });
  const container = await new PostgreSqlContainer(IMAGE)
    .withUsername('postgres')
    .withPassword('postgres')
    .withDatabase('postgres')
    .start();
  return container.getConnectionUri();
}
