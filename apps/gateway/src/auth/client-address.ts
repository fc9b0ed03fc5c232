import type { IncomingMessage } from 'node:http';

/**
 * The address failed authentication is counted under: the TCP peer. Fastify's `request.ip` is
 * the same only while `trustProxy` is off, so every check reads it here, from the raw request.
 */
export function clientAddress(raw: IncomingMessage): string {
  return raw.socket.remoteAddress ?? '';
}
