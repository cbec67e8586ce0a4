/**
 * Where webhooks may go. http(s) only; addresses in private, loopback, link-local and other
 * special ranges are refused after DNS resolution unless configuration allows them. The same
 * check runs inside the connection's DNS lookup when delivering, so a name that re-resolves
 * to a private address later (DNS rebinding) is still refused.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { Config } from '../config';

export type CallbackPolicy = Pick<Config['webhooks'], 'allowedHosts' | 'allowLoopback' | 'allowPrivate'>;

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const linkLocal = new BlockList();
linkLocal.addSubnet('169.254.0.0', 16, 'ipv4');
linkLocal.addSubnet('fe80::', 10, 'ipv6');

const privateNets = new BlockList();
for (const [net, bits] of [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
  ['192.0.0.0', 24],
  ['198.18.0.0', 15],
] as const)
  privateNets.addSubnet(net, bits, 'ipv4');
privateNets.addSubnet('fc00::', 7, 'ipv6');

const special = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  special.addSubnet(net, bits, 'ipv4');
special.addAddress('::', 'ipv6');
special.addSubnet('ff00::', 8, 'ipv6');

/**
 * IPv6 prefixes that carry an IPv4 address, which is what is reached: NAT64 (64:ff9b::/96 and the
 * local-use 64:ff9b:1::/48, RFC 6052/8215), IPv4-compatible (::/96, deprecated), 6to4 (2002::/16,
 * the address in bits 16–47). IPv4-mapped ::ffff:0:0/96 is BlockList's own.
 */
const EMBEDDING: [prefix: string, bits: number, at: number][] = [
  ['64:ff9b::', 96, 12],
  ['64:ff9b:1::', 48, 12],
  ['::', 96, 12],
  ['2002::', 16, 2],
];
const embedding = EMBEDDING.map(([prefix, bits, at]) => {
  const list = new BlockList();
  list.addSubnet(prefix, bits, 'ipv6');
  return { list, at };
});

/** The 16 bytes of an IPv6 address (valid, as `isIP` says), a dotted-quad tail included. */
function ipv6Bytes(ip: string): number[] {
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  const hex = quad
    ? ip.slice(0, quad.index) + ((+quad[1]! << 8) | +quad[2]!).toString(16) + ':' + ((+quad[3]! << 8) | +quad[4]!).toString(16)
    : ip;
  const [head, tail] = hex.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const words = tail === undefined ? h : [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/** The IPv4 address an IPv6 one embeds by one of the prefixes above, if it does. */
function embeddedIpv4(ip: string): string | undefined {
  for (const { list, at } of embedding) {
    if (!list.check(ip, 'ipv6')) continue;
    const b = ipv6Bytes(ip);
    // ::/96 also holds :: and ::1, which are themselves (unspecified, loopback), not 0.0.0.0 and 0.0.0.1.
    if (at === 12 && b.slice(0, 12).every((x) => x === 0) && b[12] === 0 && b[13] === 0 && b[14] === 0) return undefined;
    return b.slice(at, at + 4).join('.');
  }
  return undefined;
}

/** Why `ip` is refused under `policy`, or undefined when it is allowed. */
export function refusedAddressReason(ip: string, policy: CallbackPolicy): string | undefined {
  let addr = ip;
  let family: 'ipv4' | 'ipv6' = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip) ?? (family === 'ipv6' ? [ip, embeddedIpv4(ip)] : null);
  if (mapped?.[1]) {
    addr = mapped[1];
    family = 'ipv4';
  }
  if (special.check(addr, family)) return `${ip} is an unspecified, multicast or reserved address`;
  if (loopback.check(addr, family))
    return policy.allowLoopback ? undefined : `${ip} is a loopback address (allowed with ALLOW_LOOPBACK_CALLBACKS=true)`;
  if (linkLocal.check(addr, family))
    return policy.allowPrivate ? undefined : `${ip} is a link-local address (allowed with ALLOW_PRIVATE_CALLBACKS=true)`;
  if (privateNets.check(addr, family))
    return policy.allowPrivate ? undefined : `${ip} is a private address (allowed with ALLOW_PRIVATE_CALLBACKS=true)`;
  return undefined;
}

export class CallbackUrlError extends Error {
  override readonly name = 'CallbackUrlError';
}

function lookupAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addrs) => (err ? reject(err) : resolve(addrs))),
  );
}

/** Parses and checks a callback URL, resolving its host; throws `CallbackUrlError` saying what is wrong. */
export async function checkCallbackUrl(raw: string, policy: CallbackPolicy): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CallbackUrlError('is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CallbackUrlError(`must use http or https, not ${url.protocol.replace(':', '')}`);
  if (url.username || url.password) throw new CallbackUrlError('must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (policy.allowedHosts.includes(host)) return url;
  let addrs: LookupAddress[];
  if (isIP(host)) addrs = [{ address: host, family: isIP(host) }];
  else {
    try {
      addrs = await lookupAll(host);
    } catch (e) {
      throw new CallbackUrlError(`host ${host} does not resolve (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  for (const a of addrs) {
    const why = refusedAddressReason(a.address, policy);
    if (why)
      throw new CallbackUrlError(
        `host ${host} resolves to ${why}; callbacks must reach a public address, or a host listed in ALLOWED_CALLBACK_HOSTS`,
      );
  }
  return url;
}

/** A `lookup` for http.request that refuses hosts resolving to disallowed addresses. */
export function guardedLookup(policy: CallbackPolicy): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    const cb = typeof options === 'function' ? (options as typeof callback) : callback;
    const opts = typeof options === 'object' && options ? options : {};
    lookupAll(hostname).then(
      (addrs) => {
        const allowedHost = policy.allowedHosts.includes(hostname.toLowerCase());
        const filtered = addrs.filter((a) => !opts.family || a.family === opts.family);
        for (const a of filtered) {
          const why = allowedHost ? undefined : refusedAddressReason(a.address, policy);
          if (why)
            return cb(
              Object.assign(new CallbackUrlError(`refusing to connect: ${hostname} resolves to ${why}`), { code: 'EREFUSEDADDRESS' }),
            );
        }
        if (!filtered.length) return cb(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }));
        if (opts.all) cb(null, filtered);
        else cb(null, filtered[0]!.address, filtered[0]!.family);
      },
      (err) => cb(err),
    );
  }) as LookupFunction;
}
