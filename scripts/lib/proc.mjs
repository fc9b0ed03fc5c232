// Process, network and logging helpers shared by scripts/stack.mjs and scripts/test.mjs.
// Node built-ins only: these scripts run before `pnpm install`.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = (text) => paint('1', text);

/** One prefix for every line the scripts print themselves, so they stand out from tool output. */
export const log = {
  step: (msg) => console.log(paint('36', `▸ ${msg}`)),
  info: (msg) => console.log(`  ${msg}`),
  ok: (msg) => console.log(paint('32', `✔ ${msg}`)),
  warn: (msg) => console.error(paint('33', `⚠ ${msg}`)),
  error: (msg) => console.error(paint('31', `✖ ${msg}`)),
};

/** A failure the user can act on: printed without a stack trace. */
export class SetupError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SetupError';
  }
}

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Full path of an executable on PATH (plus sbin dirs, which non-root PATHs often lack). */
export function which(name) {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const extra of ['/usr/local/sbin', '/usr/sbin', '/sbin']) {
    if (!dirs.includes(extra)) dirs.push(extra);
  }
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Runs a command with inherited stdio (the user sees its output) and resolves with its exit
 * code; rejects with a SetupError on a non-zero exit unless `allowFailure` is set.
 */
export function run(cmd, args, opts = {}) {
  const { allowFailure = false, ...spawnOpts } = opts;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', ...spawnOpts });
    child.on('error', (err) => reject(new SetupError(`cannot run ${cmd}: ${err.message}`)));
    child.on('close', (code, signal) => {
      const status = code ?? (signal ? 128 : 1);
      if (status !== 0 && !allowFailure) {
        reject(new SetupError(`\`${[cmd, ...args].join(' ')}\` failed (exit ${code ?? signal})`));
      } else {
        resolve(status);
      }
    });
  });
}

/** Runs a short command and captures its output (never throws; check `.status`). */
export function capture(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', ...opts });
  return {
    status: res.error ? -1 : (res.status ?? 1),
    stdout: res.stdout ?? '',
    stderr: res.error ? res.error.message : (res.stderr ?? ''),
  };
}

/** True when something accepts TCP connections on host:port. */
export function tcpReachable(host, port, timeoutMs = 1_000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when nothing is listening on the port (apps listen on 0.0.0.0). */
export function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a truthy value; throws a SetupError after `timeoutMs`. */
export async function waitFor(
  probe,
  { timeoutMs = 30_000, intervalMs = 200, what = 'condition' } = {},
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() >= deadline) {
      throw new SetupError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(intervalMs);
  }
}

export function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** The command line of a running process (Linux), used to check a stored pid is still ours. */
export function pidCommandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/**
 * Sends SIGTERM to a process group (the scripts start every child as a group leader), waits for
 * the leader to exit, and falls back to SIGKILL after `graceMs`.
 */
export async function stopProcess(pid, { graceMs = 15_000 } = {}) {
  if (!pidAlive(pid)) return 'not running';
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return 'stopped';
    await sleep(100);
  }
  signalGroup(pid, 'SIGKILL');
  await waitFor(() => !pidAlive(pid), { timeoutMs: 5_000, what: `pid ${pid} to exit` }).catch(
    () => undefined,
  );
  return 'killed';
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Last `lines` lines of a text file, for pointing at the cause of a failed start. */
export function tailFile(file, lines = 15) {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Hides the password of a URL before printing it. */
export function redactUrl(value) {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}
