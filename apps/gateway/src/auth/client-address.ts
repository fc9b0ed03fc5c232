import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';

/**
 * The source failed authentication is counted under: the TCP peer's IPv4 address, or the /64
 * network of an IPv6 peer (one subscriber usually holds a whole /64, so counting single IPv6
 * addresses would let a client rotate past the limit). Fastify's `request.ip` is the peer only
 * while `trustProxy` is off, so every check reads it here, from the raw request.
 */
export function clientAddress(raw: IncomingMessage): string {
  const peer = raw.socket.remoteAddress ?? '';
  if (!ipaddr.isValid(peer)) return peer;
  const address = ipaddr.process(peer);
  if (address.kind() === 'ipv4') return address.toString();
  const network = address.toByteArray().slice(0, 8).concat(Array<number>(8).fill(0));
  return `${ipaddr.fromByteArray(network).toString()}/64`;
}
