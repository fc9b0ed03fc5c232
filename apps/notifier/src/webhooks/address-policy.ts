import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Counter } from 'prom-client';

/** A destination the notifier will not call; the message says why (never a secret). */
export class DestinationRefusedError extends Error {
  constructor(
    message: string,
    /** False only when the name did not resolve: that may change, a refused address will not. */
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DestinationRefusedError';
  }
}

const refusals = new Counter({
  name: 'tally_notifier_destinations_refused_total',
  help: 'Webhook destinations refused by the address policy (rule saved or delivery attempt)',
  labelNames: ['reason'],
});

type RefusalReason = 'url' | 'unresolvable' | 'address' | 'port';

function refused(reason: RefusalReason, message: string): DestinationRefusedError {
  refusals.inc({ reason });
  return new DestinationRefusedError(message, reason !== 'unresolvable');
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface DestinationRules {
  /** CIDRs let through on any port although not public (`WEBHOOK_ALLOW_PRIVATE`). */
  allowCidrs: readonly string[];
  /** Ports any other destination may use (`WEBHOOK_ALLOWED_PORTS`). */
  ports: readonly number[];
}

const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

const cidr = (text: string) => ipaddr.parseCIDR(text) as [ipaddr.IPv6, number];
/** The only IPv6 space that is globally routed unicast (RFC 4291, IANA). */
const GLOBAL_UNICAST = cidr('2000::/3');
/** NAT64 well-known prefix: the gateway connects to the IPv4 address in the last 32 bits. */
const NAT64 = cidr('64:ff9b::/96');

/** The IPv4 address in the last 32 bits of an IPv6 address. */
function lastIPv4(addr: ipaddr.IPv6): ipaddr.IPv4 {
  return new ipaddr.IPv4(addr.toByteArray().slice(12));
}

/**
 * Which IP addresses webhooks may connect to: public unicast only. IPv4 by its ipaddr.js range
 * (`unicast` excludes private, loopback, link-local and so 169.254.169.254, CGNAT 100.64/10,
 * multicast, reserved). IPv6 only inside global unicast 2000::/3 and there only ipaddr.js's
 * `unicast` (no 6to4 2002::/16, Teredo 2001::/32, documentation, ORCHID), which leaves out all of
 * ::/8 (IPv4-compatible ::a9fe:a9fe, loopback, unspecified), unique-local fc00::/7 (and so
 * fd00:ec2::254), link-local and multicast. The two IPv6 forms that reach an IPv4 address in a
 * known way, IPv4-mapped ::ffff:0:0/96 and NAT64 64:ff9b::/96, are judged by that IPv4 address.
 */
export class AddressPolicy {
  private readonly allow: [ipaddr.IPv4 | ipaddr.IPv6, number][];
  private readonly ports: ReadonlySet<number>;

  constructor(
    rules: DestinationRules,
    private readonly resolve: Resolver = systemResolver,
  ) {
    this.allow = rules.allowCidrs.map((c) => ipaddr.parseCIDR(c));
    this.ports = new Set(rules.ports);
  }

  /** Whether `ip` is inside a CIDR of `WEBHOOK_ALLOW_PRIVATE` (then any port is fine). */
  allowListed(ip: string): boolean {
    if (!ipaddr.isValid(ip)) return false;
    const addr = ipaddr.process(ip);
    return this.allow.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
  }

  /** Why `ip` is refused, or undefined when it may be called. */
  refusal(ip: string): string | undefined {
    if (!ipaddr.isValid(ip)) return `not an IP address: ${ip}`;
    if (this.allowListed(ip)) return undefined;
    const addr = ipaddr.parse(ip);
    if (addr.kind() === 'ipv4') return publicIPv4(ip, addr as ipaddr.IPv4);
    const v6 = addr as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return publicIPv4(ip, v6.toIPv4Address());
    if (v6.match(NAT64)) return publicIPv4(ip, lastIPv4(v6));
    const range = v6.range();
    if (!v6.match(GLOBAL_UNICAST)) {
      return `${ip} is not a global unicast address (${range === 'unicast' ? '::/8 and other unassigned space' : range})`;
    }
    return range === 'unicast' ? undefined : `${ip} is a ${range} address`;
  }

  /**
   * Resolves the URL's host once and checks every address it resolves to (a name that also
   * points somewhere private is refused outright) and the port. The caller connects to the
   * returned address.
   */
  async check(url: string): Promise<ResolvedAddress> {
    const parsed = parseDestination(url);
    const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    const addresses = await this.addressesOf(host);
    for (const a of addresses) {
      const why = this.refusal(a.address);
      if (why) throw refused('address', `${host} refused: ${why}`);
      // NOTE: refused ports matter because the delivery log shows why an attempt failed: with
      // any port allowed, a rule's destinations would scan a host's ports.
      if (!this.ports.has(port) && !this.allowListed(a.address)) {
        throw refused(
          'port',
          `port ${port} refused: webhooks may use ports ${[...this.ports].join(', ')}`,
        );
      }
    }
    return addresses[0]!;
  }

  private async addressesOf(host: string): Promise<ResolvedAddress[]> {
    if (isIP(host)) return [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
    let addresses: ResolvedAddress[];
    try {
      addresses = await this.resolve(host);
    } catch {
      throw refused('unresolvable', `cannot resolve ${host}`);
    }
    if (addresses.length === 0) throw refused('unresolvable', `cannot resolve ${host}`);
    return addresses;
  }
}

function publicIPv4(ip: string, v4: ipaddr.IPv4): string | undefined {
  const range = v4.range();
  if (range === 'unicast') return undefined;
  return ip === v4.toString()
    ? `${ip} is a ${range} address`
    : `${ip} embeds ${v4.toString()}, a ${range} address`;
}

function parseDestination(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refused('url', 'not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw refused('url', `unsupported scheme ${parsed.protocol}`);
  }
  if (parsed.username || parsed.password) {
    throw refused('url', 'credentials in the URL are not allowed');
  }
  return parsed;
}
