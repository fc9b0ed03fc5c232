import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onProcessExit } from './exit-cleanup.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);
const PG_LIB = '/usr/lib/postgresql';
/** Postgres refuses to run as root; as root the cluster belongs to this user. */
const SERVER_USER = 'postgres';
const START_TIMEOUT_S = 60;

export interface PrivatePostgresHandle {
  /** postgres://postgres@127.0.0.1:<port>/postgres, for createTestDatabase({ baseUrl }). */
  readonly url: string;
  readonly port: number;
  /** The server's own log (every run, appended). */
  readonly logFile: string;
  /** `pg_ctl stop -m immediate`: every backend is killed at once, as in a crash. */
  crash(): Promise<void>;
  /** Starts the stopped server again on the same port and data, waiting until it accepts. */
  start(): Promise<void>;
  /** Stops the server and removes its data; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A Postgres cluster of its own (initdb + pg_ctl from the installed server binaries) on a free
 * loopback port, for a test that stops and starts the server: the machine's shared server must
 * never be restarted by a test.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgresHandle> {
  const binDir = serverBinaries();
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'tally-pg-'));
  const owner = process.getuid?.() === 0 ? userIds(SERVER_USER) : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const asOwner = (tool: string, args: string[]): [string, string[]] => {
    const bin = join(binDir, tool);
    return owner ? ['runuser', ['-u', SERVER_USER, '--', bin, ...args]] : [bin, args];
  };
  const pgCtl = (...args: string[]) =>
    run(...asOwner('pg_ctl', ['-D', dataDir, ...args]), { cwd: '/' });
  const crashNow = () => {
    const [cmd, args] = asOwner('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    execFileSync(cmd, args, { cwd: '/', stdio: 'ignore' });
  };
  const forget = onProcessExit(() => {
    if (existsSync(join(dataDir, 'postmaster.pid'))) crashNow();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    // No Unix socket: everything connects over TCP, and a socket path can be too long or clash.
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
    await pgCtl('-l', logFile, '-o', options, '-w', '-t', String(START_TIMEOUT_S), 'start');
  };
  let stopped = false;
  try {
    await run(
      ...asOwner('initdb', [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '-E',
        'UTF8',
        '--no-locale',
      ]),
      { cwd: '/' },
    );
    await start();
  } catch (err) {
    forget();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`cannot start a private Postgres in ${dir}: ${describe(err)}`, { cause: err });
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    logFile,
    async crash() {
      await pgCtl('-m', 'immediate', '-w', 'stop');
    },
    start,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (existsSync(join(dataDir, 'postmaster.pid'))) await pgCtl('-m', 'immediate', '-w', 'stop');
      forget();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** bin/ of the highest installed Debian server version. */
function serverBinaries(): string {
  const majors = existsSync(PG_LIB)
    ? readdirSync(PG_LIB)
        .filter((d) => /^\d+$/.test(d) && existsSync(join(PG_LIB, d, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const major = majors[0];
  if (major === undefined) {
    throw new Error(
      `no PostgreSQL server binaries under ${PG_LIB} (Debian: apt-get install postgresql)`,
    );
  }
  return join(PG_LIB, major, 'bin');
}

function userIds(user: string): { uid: number; gid: number } {
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function describe(err: unknown): string {
  const stderr = (err as { stderr?: unknown }).stderr;
  const message = err instanceof Error ? err.message : String(err);
  return typeof stderr === 'string' && stderr.trim() ? `${message}\n${stderr.trim()}` : message;
}
