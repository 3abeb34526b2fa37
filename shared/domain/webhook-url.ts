import { BlockList, isIP } from 'node:net';

/** What an endpoint URL may be; locally a loopback `http` URL is allowed for testing. */
export interface UrlPolicy {
  allowLoopbackHttp: boolean;
}

const MAX_URL_LENGTH = 2048;

/**
 * Addresses a webhook must never reach: private, shared, loopback, link-local (the instance metadata
 * service at 169.254.169.254 and fd00:ec2::254), documentation, benchmark, multicast and reserved
 * ranges, and the IPv6 forms that carry an IPv4 address (compatible, mapped, translated, NAT64, 6to4),
 * which could hide any of them.
 */
const FORBIDDEN = (() => {
  // One list per family: a BlockList also matches an IPv4 address against IPv6 rules (as ::ffff:a.b.c.d).
  const v4 = new BlockList();
  const v6 = new BlockList();
  for (const [net, bits] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const) {
    v4.addSubnet(net, bits, 'ipv4');
  }
  for (const [net, bits] of [
    // IPv4-compatible (::a.b.c.d, which holds :: and ::1 too), IPv4-mapped and IPv4-translated forms.
    ['::', 96],
    ['::ffff:0:0', 96],
    ['::ffff:0:0:0', 96],
    ['64:ff9b::', 96],
    ['64:ff9b:1::', 48],
    ['100::', 64],
    ['2001:db8::', 32],
    ['2002::', 16],
    ['fc00::', 7],
    ['fe80::', 10],
    ['fec0::', 10],
    ['ff00::', 8],
  ] as const) {
    v6.addSubnet(net, bits, 'ipv6');
  }
  return { ipv4: v4, ipv6: v6 };
})();

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);
/** Names that only mean something inside a network (or the metadata service), never the internet. */
const INTERNAL_NAME =
  /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$|^(metadata|instance-data)(\.|$)/;

/** Why an address may not be reached, or undefined when it may (a public unicast address). */
export function refusedAddress(address: string, policy: UrlPolicy): string | undefined {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (!FORBIDDEN[type].check(address, type)) return undefined;
  const loopback = address === '::1' || (family === 4 && address.startsWith('127.'));
  if (loopback && policy.allowLoopbackHttp) return undefined;
  return `${address} is a private, loopback, link-local or reserved address`;
}

/**
 * Why an endpoint URL is refused, or undefined when it is acceptable: `https` only (locally also
 * `http://127.0.0.1`), no credentials in it, no literal address or internal name that leads into
 * the network. Names are resolved and checked again at each delivery.
 */
export function refusedUrl(raw: string, policy: UrlPolicy): string | undefined {
  if (raw.length > MAX_URL_LENGTH) return `a URL is at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  const loopbackHttp = policy.allowLoopbackHttp && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackHttp)) {
    return policy.allowLoopbackHttp ? 'https only (or http://127.0.0.1 locally)' : 'https only';
  }
  if (url.username || url.password) return 'no credentials in the URL';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return refusedAddress(host, policy);
  const name = host.toLowerCase().replace(/\.$/, '');
  if (!name.includes('.') || INTERNAL_NAME.test(name)) return `${name} is not a public host name`;
  return undefined;
}
