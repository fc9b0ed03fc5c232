// Postgres for the local stack and the tests: reuse a server or start a private cluster, make
// sure the hll extension is installed, create databases and apply migrations.
import { createHash } from 'node:crypto';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { LOG_DIR, TALLY_HOME } from './config.mjs';
import { aptInstall, canApt } from './toolchain.mjs';
import {
  ROOT,
  SetupError,
  capture,
  isRoot,
  log,
  redactUrl,
  run,
  tcpReachable,
  which,
} from './proc.mjs';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const PG_LIB = '/usr/lib/postgresql';

function serverOf(url) {
  const parsed = new URL(url);
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 5432) };
}

/** Same server and credentials, another database. */
export function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Highest-versioned Debian server install: { major, binDir } or undefined. */
function findServerBinaries() {
  let majors = [];
  try {
    majors = readdirSync(PG_LIB)
      .filter((d) => /^\d+$/.test(d) && existsSync(path.join(PG_LIB, d, 'bin', 'postgres')))
      .map(Number)
      .sort((a, b) => b - a);
  } catch {
    // no Debian layout
  }
  if (majors.length > 0) {
    return { major: majors[0], binDir: path.join(PG_LIB, String(majors[0]), 'bin') };
  }
  const pgCtl = which('pg_ctl');
  if (!pgCtl) return undefined;
  const binDir = path.dirname(realpathSync(pgCtl));
  const version = /(\d+)/.exec(capture(path.join(binDir, 'postgres'), ['--version']).stdout);
  return version ? { major: Number(version[1]), binDir } : undefined;
}

function psqlBinary() {
  const onPath = which('psql');
  if (onPath) return onPath;
  const server = findServerBinaries();
  if (server && existsSync(path.join(server.binDir, 'psql'))) {
    return path.join(server.binDir, 'psql');
  }
  throw new SetupError('psql is not installed (Debian: apt-get install -y postgresql-client)');
}

/** Runs one SQL statement through psql; returns { ok, out, err }. */
export function psql(url, sql) {
  const res = capture(
    psqlBinary(),
    ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql],
    {
      env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
    },
  );
  return { ok: res.status === 0, out: res.stdout.trim(), err: res.stderr.trim() };
}

function serverMajor(url) {
  const res = psql(url, "SELECT current_setting('server_version_num')");
  return res.ok ? Math.floor(Number(res.out) / 10_000) : undefined;
}

/**
 * Makes sure a Postgres server answers at `adminUrl` (a URL whose database exists, usually
 * `postgres`). Order: reuse one that answers; else start a private cluster under .tally/pg from
 * installed binaries; else (root + apt) install PostgreSQL first. Resolves with `started` set when
 * this call started a server, so the caller can stop it again.
 */
export async function ensurePostgres(adminUrl) {
  const { host, port } = serverOf(adminUrl);
  if (await tcpReachable(host, port)) {
    return { started: undefined, major: checkLogin(adminUrl, 'reusing') };
  }
  if (!LOOPBACK.has(host)) {
    throw new SetupError(
      `no Postgres answers at ${host}:${port} (${redactUrl(adminUrl)}), and it is not this machine`,
    );
  }

  let server = findServerBinaries();
  if (!server) {
    if (!canApt()) {
      throw new SetupError(
        'PostgreSQL is not installed and nothing answers on ' +
          `${host}:${port}. Install it with the hll extension (Debian 12: sudo apt-get install -y ` +
          'postgresql postgresql-15-hll), or set TALLY_PG_URL to a server you can use.',
      );
    }
    await aptInstall(['postgresql']);
    server = findServerBinaries();
    if (!server) throw new SetupError('apt installed postgresql but its binaries were not found');
    // On a machine with systemd the package starts its own cluster on 5432 with password auth.
    if (await tcpReachable(host, port)) {
      trustDebianCluster(server.major, port);
      return {
        started: undefined,
        major: checkLogin(adminUrl, 'using the newly installed server at'),
      };
    }
  }
  const started = await startPrivateCluster(server, port);
  return { started, major: checkLogin(adminUrl, 'logged in to') };
}

function checkLogin(adminUrl, verb) {
  const res = psql(adminUrl, "SELECT current_setting('server_version_num')");
  if (!res.ok) {
    throw new SetupError(
      `Postgres answers at ${redactUrl(adminUrl)} but the login failed:\n  ${res.err}\n` +
        '  Put credentials into TALLY_PG_URL (postgres://user:password@host:port/postgres), or allow ' +
        'passwordless local logins for user postgres in pg_hba.conf ("host all postgres 127.0.0.1/32 trust").',
    );
  }
  const major = Math.floor(Number(res.out) / 10_000);
  log.ok(`Postgres: ${verb} ${redactUrl(adminUrl)} (PostgreSQL ${major})`);
  return major;
}

/**
 * NOTE: only for a cluster apt created during this very run: lets user postgres log in over
 * 127.0.0.1 without a password, as on the project's development machines.
 */
function trustDebianCluster(major, port) {
  const hba = `/etc/postgresql/${major}/main/pg_hba.conf`;
  if (!existsSync(hba)) return;
  const line = 'host all postgres 127.0.0.1/32 trust';
  const text = readFileSync(hba, 'utf8');
  if (!text.includes(line)) {
    log.step(`Postgres: allowing passwordless local TCP logins for user postgres in ${hba}`);
    writeFileSync(
      hba,
      `# added by tally scripts/stack.mjs for local development\n${line}\n${text}`,
    );
    capture('pg_ctlcluster', [String(major), 'main', 'reload']);
  }
  log.info(`(the Debian cluster ${major}/main serves port ${port})`);
}

/** Command prefix that runs a Postgres binary as a user Postgres accepts (never root). */
function asUser(runAs, cmd, args) {
  return runAs ? ['runuser', ['-u', runAs, '--', cmd, ...args]] : [cmd, args];
}

function canAccess(runAs, ...files) {
  if (!runAs) return true;
  const tests = files.flatMap((f, i) => [...(i ? ['-a'] : []), '-w', f]);
  return capture('runuser', ['-u', runAs, '--', 'test', ...tests], { cwd: '/' }).status === 0;
}

/** Creates the data and log locations, owned by `runAs` when running as root. */
function prepareDirs(runAs) {
  const candidates = [
    {
      dataDir: path.join(TALLY_HOME, 'pg'),
      logFile: path.join(LOG_DIR, 'postgres.log'),
      owned: [],
    },
  ];
  if (runAs) {
    // NOTE: if the checkout lives where user postgres cannot reach (e.g. under /root), keep the
    // cluster in postgres's own home instead.
    const tag = createHash('sha1').update(ROOT).digest('hex').slice(0, 8);
    const base = `/var/lib/postgresql/tally-${tag}`;
    candidates.push({
      dataDir: path.join(base, 'pg'),
      logFile: path.join(base, 'postgres.log'),
      owned: [base],
    });
  }
  const owner = runAs ? userIds(runAs) : undefined;
  for (const candidate of candidates) {
    mkdirSync(candidate.dataDir, { recursive: true, mode: 0o700 });
    mkdirSync(path.dirname(candidate.logFile), { recursive: true });
    closeSync(openSync(candidate.logFile, 'a'));
    if (owner) {
      for (const file of [...candidate.owned, candidate.dataDir, candidate.logFile]) {
        chownSync(file, owner.uid, owner.gid);
      }
    }
    if (canAccess(runAs, candidate.dataDir, candidate.logFile)) return candidate;
  }
  throw new SetupError(
    `user ${runAs} cannot write to any of: ${candidates.map((c) => c.dataDir).join(', ')}`,
  );
}

function userIds(user) {
  const uid = Number(capture('id', ['-u', user]).stdout.trim());
  const gid = Number(capture('id', ['-g', user]).stdout.trim());
  if (!Number.isInteger(uid) || capture('id', ['-u', user]).status !== 0) {
    throw new SetupError(
      `Postgres refuses to run as root and there is no "${user}" user to run it as`,
    );
  }
  return { uid, gid };
}

async function startPrivateCluster({ major, binDir }, port) {
  const runAs = isRoot() ? 'postgres' : undefined;
  const { dataDir, logFile } = prepareDirs(runAs);
  const versionFile = path.join(dataDir, 'PG_VERSION');
  if (existsSync(versionFile)) {
    const existing = readFileSync(versionFile, 'utf8').trim();
    if (existing !== String(major)) {
      throw new SetupError(
        `${dataDir} holds a PostgreSQL ${existing} cluster but ${major} is installed; remove the directory to start over`,
      );
    }
  } else {
    log.step(
      `Postgres: creating a private cluster in ${dataDir}${runAs ? ` (as user ${runAs})` : ''}`,
    );
    const [cmd, args] = asUser(runAs, path.join(binDir, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-locale',
    ]);
    await run(cmd, args, { cwd: '/', stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const pgCtl = path.join(binDir, 'pg_ctl');
  // No Unix socket: everything connects over TCP, and a socket path can be too long or clash.
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
  log.step(`Postgres: starting PostgreSQL ${major} on 127.0.0.1:${port} (log: ${logFile})`);
  const [cmd, args] = asUser(runAs, pgCtl, [
    '-D',
    dataDir,
    '-l',
    logFile,
    '-o',
    serverOptions,
    '-w',
    '-t',
    '60',
    'start',
  ]);
  const status = await run(cmd, args, {
    cwd: '/',
    stdio: ['ignore', 'ignore', 'inherit'],
    allowFailure: true,
  });
  if (status !== 0) {
    throw new SetupError(
      `pg_ctl could not start Postgres; see ${logFile}:\n${capture('tail', ['-n', '15', logFile]).stdout}`,
    );
  }
  log.ok(`Postgres: started private cluster ${dataDir} on 127.0.0.1:${port}`);
  return { name: 'postgres', kind: 'pg_ctl', pgCtl, dataDir, runAs: runAs ?? null };
}

/** Stops a cluster that ensurePostgres started. */
export async function stopPrivateCluster(started) {
  const [cmd, args] = asUser(started.runAs ?? undefined, started.pgCtl, [
    '-D',
    started.dataDir,
    '-m',
    'fast',
    '-w',
    'stop',
  ]);
  return run(cmd, args, { cwd: '/', stdio: ['ignore', 'ignore', 'inherit'], allowFailure: true });
}

/**
 * The aggregator's migration creates the `hll` extension, which needs the server's
 * postgresql-<major>-hll package. Installs it with apt for a local server when possible.
 */
export async function ensureHll(adminUrl) {
  const available = () =>
    psql(adminUrl, "SELECT count(*) FROM pg_available_extensions WHERE name = 'hll'").out === '1';
  if (available()) return;
  const major = serverMajor(adminUrl) ?? '<major>';
  const pkg = `postgresql-${major}-hll`;
  const local = LOOPBACK.has(serverOf(adminUrl).host);
  if (local && canApt()) {
    await aptInstall([pkg]);
    if (available()) return;
  }
  throw new SetupError(
    `the Postgres server at ${redactUrl(adminUrl)} lacks the "hll" extension (HyperLogLog, used for unique users).\n` +
      `  Install ${pkg} on that server (Debian: sudo apt-get install -y ${pkg}) and run this again.`,
  );
}

/** CREATE DATABASE unless it exists. */
export function ensureDatabase(databaseUrl) {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new SetupError(`unsupported database name "${name}" in ${redactUrl(databaseUrl)}`);
  }
  const admin = withDatabase(databaseUrl, 'postgres');
  const exists = psql(admin, `SELECT 1 FROM pg_database WHERE datname = '${name}'`);
  if (!exists.ok) {
    throw new SetupError(`cannot list databases on ${redactUrl(admin)}: ${exists.err}`);
  }
  if (exists.out === '1') return false;
  const created = psql(admin, `CREATE DATABASE "${name}"`);
  if (!created.ok) throw new SetupError(`CREATE DATABASE ${name} failed: ${created.err}`);
  return true;
}

/** Applies one app's Prisma-layout migrations with @tally/migrate. */
export async function migrate(databaseUrl, migrationsDir) {
  const cli = path.join(ROOT, 'packages/migrate/dist/cli.js');
  if (!existsSync(cli)) {
    throw new SetupError(
      'packages/migrate/dist/cli.js is missing: the build of @tally/migrate failed',
    );
  }
  await run(process.execPath, [cli, '--dir', migrationsDir], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
}
