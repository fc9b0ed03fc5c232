// The only place the testkit reads its environment, so overrides are easy to find.

export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export const POSTGRES_START_COMMAND =
  'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

export function natsServerBinFromEnv(): string | undefined {
  return process.env['NATS_SERVER_BIN'] || undefined;
}

export function testDatabaseUrlFromEnv(): string | undefined {
  return process.env['TEST_DATABASE_URL'] || undefined;
}

export function dockerHostFromEnv(): string | undefined {
  return process.env['DOCKER_HOST'] || undefined;
}

/** TALLY_TEST_DOCKER=0 keeps tests on local servers even where a Docker engine answers. */
export function dockerDisabledByEnv(): boolean {
  return process.env['TALLY_TEST_DOCKER'] === '0';
}
