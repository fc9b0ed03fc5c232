// NATS for the local stack and the tests: find or install the binary, reuse or start a server.
import { existsSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { LOG_DIR, TALLY_HOME } from './config.mjs';
import { debianArchiveUrl, extractPackage, findInSuites } from './debian-archive.mjs';
import { SetupError, capture, log, pidAlive, portFree, tailFile, waitFor, which } from './proc.mjs';
import { natsServerVersion, parseVersion, releaseLine, versionAtLeast } from './server-version.mjs';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

// Debian testing first (it carries the current release), then unstable.
const DEBIAN_SUITES = ['forky', 'sid'];
const INSTALL_DIR = path.join(TALLY_HOME, 'nats-server');

/** `2.15.1` for a binary that prints `nats-server: v2.15.1`; undefined when it does not run. */
export function binaryVersion(bin) {
  const res = capture(bin, ['--version']);
  const parsed = res.status === 0 ? parseVersion(res.stdout) : undefined;
  return parsed?.join('.');
}

/** The binary inside a `dpkg -x` folder (Debian ships it in /usr/bin or /usr/sbin). */
function binaryIn(dir) {
  return ['usr/bin/nats-server', 'usr/sbin/nats-server']
    .map((rel) => path.join(dir, rel))
    .find((file) => existsSync(file));
}

/** Newest binary fetched by an earlier run, with its version, or undefined. */
function installedBinary() {
  if (!existsSync(INSTALL_DIR)) return undefined;
  const found = readdirSync(INSTALL_DIR)
    .filter((name) => parseVersion(name) && !name.endsWith('.partial'))
    .map((name) => ({ version: name, bin: binaryIn(path.join(INSTALL_DIR, name)) }))
    .filter((entry) => entry.bin);
  found.sort((a, b) => (versionAtLeast(a.version, b.version) ? -1 : 1));
  return found[0];
}

/** Fetches nats-server from Debian testing (or unstable) into .tally/nats-server/<version>/. */
async function installFromDebian() {
  const archive = debianArchiveUrl();
  log.step(`NATS: fetching nats-server from ${archive} (${DEBIAN_SUITES.join(', then ')})`);
  const entry = await findInSuites(archive, 'nats-server', DEBIAN_SUITES);
  // Debian's `2.15.1-1` is upstream 2.15.1, packaging revision 1.
  const version = parseVersion(entry.version)?.join('.') ?? entry.version;
  const dir = path.join(INSTALL_DIR, version);
  await extractPackage(archive, entry, dir);
  const bin = binaryIn(dir);
  if (!bin) throw new SetupError(`the ${entry.filename} package has no nats-server binary`);
  log.ok(`NATS: installed nats-server ${version} (Debian ${entry.suite}) in ${dir}`);
  return { version: binaryVersion(bin) ?? version, bin };
}

/**
 * Fetches the current release; when that fails (e.g. offline), an older binary that still meets
 * the minimum is used with a warning rather than stopping the run.
 */
async function installOrFallBack(candidates, minimum) {
  try {
    return await installFromDebian();
  } catch (err) {
    const fallback = candidates.find((c) => c && c.version && versionAtLeast(c.version, minimum));
    if (!fallback) throw err;
    log.warn(
      `NATS: ${err.message}; using nats-server ${fallback.version} (${fallback.bin}) instead`,
    );
    return fallback;
  }
}

/** Throws unless `bin` (called `what` in the message) runs and is at least `minimum`. */
function assertUsable({ bin, version }, minimum, what, hint = '') {
  if (!version) throw new SetupError(`${what} (${bin}) does not run: \`${bin} --version\` failed`);
  if (!versionAtLeast(version, minimum)) {
    throw new SetupError(
      `${what} (${bin}) is nats-server ${version}; Tally needs ${minimum} or newer${hint}`,
    );
  }
}

/**
 * Path of a nats-server binary of the release line the project ships (NATS_SERVER_BIN wins, if it
 * is at least the minimum): the one on PATH when it is current enough, else one fetched earlier into
 * .tally/nats-server, else one fetched now from the Debian archive. Prints the version used.
 */
export async function ensureNatsBinary() {
  const { release, minimum } = natsServerVersion();
  const configured = process.env.NATS_SERVER_BIN;
  if (configured) {
    const bin = which(configured) ?? configured;
    const chosen = { bin, version: binaryVersion(bin) };
    assertUsable(
      chosen,
      minimum,
      'NATS_SERVER_BIN',
      ' (unset it to let this script fetch a current one)',
    );
    log.ok(`NATS: nats-server ${chosen.version} from NATS_SERVER_BIN (${bin})`);
    return bin;
  }
  const wanted = `${releaseLine(release)}.0`;
  const onPath = which('nats-server');
  const candidates = [onPath && { bin: onPath, version: binaryVersion(onPath) }, installedBinary()];
  let chosen = candidates.find((c) => c && c.version && versionAtLeast(c.version, wanted));
  if (!chosen) {
    if (onPath) {
      log.info(
        `NATS: ${onPath} is nats-server ${binaryVersion(onPath) ?? '(unknown)'}, older than ${wanted}`,
      );
    }
    chosen = await installOrFallBack(candidates, minimum);
  }
  assertUsable(chosen, minimum, 'the chosen nats-server');
  log.ok(
    `NATS: using nats-server ${chosen.version} (${chosen.bin}); Tally ships ${release}, needs >= ${minimum}`,
  );
  return chosen.bin;
}

/**
 * Connects, reads the server's INFO line and disconnects. Resolves undefined when nothing
 * NATS-like answers.
 */
export function natsInfo(host, port, timeoutMs = 1_500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: host.replace(/^\[|\]$/g, ''), port });
    let buffer = '';
    const done = (info) => {
      socket.destroy();
      resolve(info);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const end = buffer.indexOf('\r\n');
      if (end === -1) return;
      const line = buffer.slice(0, end);
      try {
        done(line.startsWith('INFO ') ? JSON.parse(line.slice(5)) : undefined);
      } catch {
        done(undefined);
      }
    });
  });
}

function parseServers(natsUrl) {
  return natsUrl
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((raw) => {
      const url = new URL(raw);
      return { raw, host: url.hostname, port: Number(url.port || 4222) };
    });
}

/** First free loopback port from `from` upwards (the old server keeps its own). */
async function freePortFrom(from) {
  for (let port = from; port < from + 100; port++) {
    if (await portFree(port)) return port;
  }
  throw new SetupError(`no free port in ${from}..${from + 99} for nats-server`);
}

/**
 * The first server of `natsUrl` that answers and is current enough, or `{ tooOld }` naming one that
 * answered with a version below the minimum (the stack must not run on it).
 */
async function findUsableServer(servers, minimum) {
  let tooOld;
  for (const server of servers) {
    const info = await natsInfo(server.host, server.port);
    if (!info) continue;
    if (!versionAtLeast(info.version, minimum)) {
      tooOld ??= { ...server, version: info.version };
      continue;
    }
    if (!info.jetstream) {
      throw new SetupError(
        `the NATS server at ${server.raw} (version ${info.version}) runs without JetStream; ` +
          'restart it with -js, or point NATS_URL at another server',
      );
    }
    return { server, version: info.version };
  }
  return { tooOld };
}

/**
 * Reuses a NATS server from `natsUrl` when one answers with JetStream and at least the minimum
 * version; otherwise starts nats-server (the project's release) on loopback with its store in
 * .tally/nats: on the first URL's port, or, when an older server holds that port, on the next free
 * one. Resolves with the URL the apps must use, and `started` set when this call started a server.
 */
export async function ensureNatsServer({ natsUrl, monitorPort }) {
  const servers = parseServers(natsUrl);
  if (servers.length === 0) throw new SetupError(`NATS_URL=${natsUrl} names no server`);
  const { minimum } = natsServerVersion();
  const { server, version, tooOld } = await findUsableServer(servers, minimum);
  if (server) {
    log.ok(`NATS: reusing ${server.raw} (nats-server ${version}, JetStream on)`);
    return { started: undefined, url: natsUrl, version };
  }

  const first = servers[0];
  if (!LOOPBACK.has(first.host)) {
    const why = tooOld
      ? `the server at ${tooOld.raw} is nats-server ${tooOld.version}, and Tally needs ${minimum} or newer`
      : `no NATS server answers at ${natsUrl}`;
    throw new SetupError(`${why}; ${first.host} is not this machine, so none is started`);
  }
  let port = first.port;
  if (tooOld) {
    port = await freePortFrom(tooOld.port + 1);
    log.warn(
      `NATS: not reusing ${tooOld.raw}: it is nats-server ${tooOld.version}, Tally needs ${minimum} or newer; ` +
        `starting its own on port ${port} instead (that server is left alone)`,
    );
  }
  return startNatsServer({ port, monitorPort });
}

async function startNatsServer({ port, monitorPort }) {
  const bin = await ensureNatsBinary();
  const storeDir = path.join(TALLY_HOME, 'nats');
  mkdirSync(storeDir, { recursive: true });
  mkdirSync(LOG_DIR, { recursive: true });
  const args = ['-js', '-sd', storeDir, '-p', String(port), '-a', '127.0.0.1'];
  if (monitorPort && (await portFree(monitorPort))) {
    args.push('-m', String(monitorPort));
  } else if (monitorPort) {
    log.warn(
      `NATS monitoring port ${monitorPort} is in use; starting without monitoring (set TALLY_NATS_MONITOR_PORT)`,
    );
  }
  const logFile = path.join(LOG_DIR, 'nats.log');
  log.step(
    `NATS: starting ${bin} ${args.join(' ')} (log: ${path.relative(process.cwd(), logFile)})`,
  );
  const fd = openSync(logFile, 'a');
  const child = spawn(bin, args, { stdio: ['ignore', fd, fd], detached: true });
  child.unref();
  const pid = child.pid;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const info = await waitFor(
    async () => {
      if (exited || !pidAlive(pid)) {
        throw new SetupError(
          `nats-server exited during start; last lines of ${logFile}:\n${tailFile(logFile)}`,
        );
      }
      const answer = await natsInfo('127.0.0.1', port);
      return answer?.jetstream ? answer : undefined;
    },
    { timeoutMs: 30_000, what: `nats-server on port ${port}` },
  );
  const url = `nats://127.0.0.1:${port}`;
  log.ok(`NATS: started nats-server ${info.version} on ${url} (pid ${pid}, store ${storeDir})`);
  return { started: { name: 'nats', kind: 'process', pid, cmd: bin }, url, version: info.version };
}
