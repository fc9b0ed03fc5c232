// NATS for the local stack and the tests: find or install the binary, reuse or start a server.
import { mkdirSync, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { LOG_DIR, TALLY_HOME } from './config.mjs';
import { ensureAptBinary } from './toolchain.mjs';
import { SetupError, log, pidAlive, portFree, tailFile, waitFor } from './proc.mjs';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Path of a nats-server binary (NATS_SERVER_BIN wins), installed with apt when possible. */
export const ensureNatsBinary = () =>
  ensureAptBinary({ command: 'nats-server', envVar: 'NATS_SERVER_BIN', aptPackage: 'nats-server' });

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

/**
 * Reuses a NATS server from `natsUrl` when one answers (it must have JetStream); otherwise starts
 * `nats-server -js` on the first URL's loopback port with its store in .tally/nats.
 * Resolves with `started` set when this call started a server.
 */
export async function ensureNatsServer({ natsUrl, monitorPort }) {
  const servers = parseServers(natsUrl);
  if (servers.length === 0) throw new SetupError(`NATS_URL=${natsUrl} names no server`);
  for (const server of servers) {
    const info = await natsInfo(server.host, server.port);
    if (!info) continue;
    if (!info.jetstream) {
      throw new SetupError(
        `the NATS server at ${server.raw} (version ${info.version}) runs without JetStream; ` +
          'restart it with -js, or point NATS_URL at another server',
      );
    }
    log.ok(`NATS: reusing ${server.raw} (nats-server ${info.version}, JetStream on)`);
    return { started: undefined, version: info.version };
  }

  const first = servers[0];
  if (!LOOPBACK.has(first.host)) {
    throw new SetupError(
      `no NATS server answers at ${natsUrl}, and ${first.host} is not this machine`,
    );
  }
  const bin = await ensureNatsBinary();
  const storeDir = path.join(TALLY_HOME, 'nats');
  mkdirSync(storeDir, { recursive: true });
  mkdirSync(LOG_DIR, { recursive: true });
  const args = ['-js', '-sd', storeDir, '-p', String(first.port), '-a', '127.0.0.1'];
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
  await waitFor(
    async () => {
      if (exited || !pidAlive(pid)) {
        throw new SetupError(
          `nats-server exited during start; last lines of ${logFile}:\n${tailFile(logFile)}`,
        );
      }
      const info = await natsInfo('127.0.0.1', first.port);
      return info?.jetstream ? info : undefined;
    },
    { timeoutMs: 30_000, what: `nats-server on port ${first.port}` },
  );
  log.ok(`NATS: started on nats://127.0.0.1:${first.port} (pid ${pid}, store ${storeDir})`);
  return { started: { name: 'nats', kind: 'process', pid, cmd: bin } };
}
