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
const SYNC_OPTIONS = { cwd: '/', stdio: 'ignore' } as const;

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
  const server = new PrivatePostgres(binDir, dir, port, owner !== undefined);
  try {
    await server.init();
    await server.start();
  } catch (err) {
    await server.stop();
    throw new Error(`cannot start a private Postgres in ${dir}: ${failureText(err)}`, {
      cause: err,
    });
  }
  return server;
}

class PrivatePostgres implements PrivatePostgresHandle {
  readonly url: string;
  readonly logFile: string;
  private readonly dataDir: string;
  private readonly forget: () => void;
  private stopped = false;

  constructor(
    private readonly binDir: string,
    private readonly dir: string,
    readonly port: number,
    private readonly asServerUser: boolean,
  ) {
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    this.dataDir = join(dir, 'data');
    this.logFile = join(dir, 'postgres.log');
    this.forget = onProcessExit(() => {
      if (this.running) execFileSync(...this.command('pg_ctl', this.stopArgs()), SYNC_OPTIONS);
      rmSync(dir, { recursive: true, force: true });
    });
  }

  async init(): Promise<void> {
    const args = [
      '-D',
      this.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-locale',
    ];
    await run(...this.command('initdb', args), { cwd: '/' });
  }

  async start(): Promise<void> {
    // No Unix socket: everything connects over TCP, and a socket path can be too long or clash.
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
    const args = ['-D', this.dataDir, '-l', this.logFile, '-o', options, '-w'];
    await run(...this.command('pg_ctl', [...args, '-t', String(START_TIMEOUT_S), 'start']), {
      cwd: '/',
    });
  }

  async crash(): Promise<void> {
    await run(...this.command('pg_ctl', this.stopArgs()), { cwd: '/' });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.running) await this.crash();
    this.forget();
    await rm(this.dir, { recursive: true, force: true });
  }

  private get running(): boolean {
    return existsSync(join(this.dataDir, 'postmaster.pid'));
  }

  private stopArgs(): string[] {
    return ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop'];
  }

  /** The command line running a server tool, as the server's user when we are root. */
  private command(tool: string, args: string[]): [string, string[]] {
    const bin = join(this.binDir, tool);
    return this.asServerUser ? ['runuser', ['-u', SERVER_USER, '--', bin, ...args]] : [bin, args];
  }
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

function failureText(err: unknown): string {
  const stderr = (err as { stderr?: unknown }).stderr;
  const message = err instanceof Error ? err.message : String(err);
  return typeof stderr === 'string' && stderr.trim() ? `${message}\n${stderr.trim()}` : message;
}
