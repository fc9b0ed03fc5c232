import { request } from 'node:http';
import { dockerHostFromEnv, dockerDisabledByEnv } from './config.js';

const PING_TIMEOUT_MS = 1_000;

/**
 * Whether a Docker engine answers `GET /_ping` on DOCKER_HOST (unix:// or tcp://) or the
 * default socket. The `docker` CLI alone is not enough: on our machines it exists without an
 * engine, so this asks the engine itself.
 */
export function dockerEngineReachable(): Promise<boolean> {
  if (dockerDisabledByEnv()) return Promise.resolve(false);
  const host = dockerHostFromEnv() ?? 'unix:///var/run/docker.sock';
  const target = host.startsWith('unix://')
    ? { socketPath: host.slice('unix://'.length) }
    : parseTcp(host);
  if (!target) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', timeout: PING_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function parseTcp(host: string): { host: string; port: number } | undefined {
  try {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    return { host: url.hostname, port: Number(url.port || 2375) };
  } catch {
    return undefined;
  }
}
