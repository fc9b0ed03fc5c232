import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** A destination the notifier will not call; the message says why (never a secret). */
export class DestinationRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DestinationRefusedError';
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/**
 * Which IP addresses webhooks may connect to: public unicast only (ipaddr.js range
 * `unicast`), which excludes private, loopback, link-local (and so 169.254.169.254),
 * CGNAT 100.64/10, unique-local IPv6 (and so fd00:ec2::254), multicast, reserved, and IPv6
 * forms that embed an IPv4 address (mapped, 6to4, Teredo). CIDRs in `allow` are let through
 * anyway (local development and tests: `WEBHOOK_ALLOW_PRIVATE=127.0.0.1/32`).
 */
export class AddressPolicy {
  private readonly allow: [ipaddr.IPv4 | ipaddr.IPv6, number][];

  constructor(
    allowCidrs: readonly string[],
    private readonly resolve: Resolver = systemResolver,
  ) {
    this.allow = allowCidrs.map((c) => ipaddr.parseCIDR(c));
  }

  /** Why `ip` is refused, or undefined when it may be called. */
  refusal(ip: string): string | undefined {
    if (!ipaddr.isValid(ip)) return `not an IP address: ${ip}`;
    const addr = ipaddr.process(ip);
    if (this.allow.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits))) {
      return undefined;
    }
    const range = addr.range();
    return range === 'unicast' ? undefined : `${ip} is a ${range} address`;
  }

  /**
   * Resolves the URL's host once and checks every address it resolves to (a name that also
   * points somewhere private is refused outright). The caller connects to the returned address.
   */
  async check(url: string): Promise<ResolvedAddress> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DestinationRefusedError('not a URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new DestinationRefusedError(`unsupported scheme ${parsed.protocol}`);
    }
    if (parsed.username || parsed.password) {
      throw new DestinationRefusedError('credentials in the URL are not allowed');
    }
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    let addresses: ResolvedAddress[];
    if (isIP(host)) {
      addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
    } else {
      try {
        addresses = await this.resolve(host);
      } catch {
        throw new DestinationRefusedError(`cannot resolve ${host}`);
      }
    }
    if (addresses.length === 0) throw new DestinationRefusedError(`cannot resolve ${host}`);
    for (const a of addresses) {
      const why = this.refusal(a.address);
      if (why) throw new DestinationRefusedError(`${host} refused: ${why}`);
    }
    return addresses[0]!;
  }
}
