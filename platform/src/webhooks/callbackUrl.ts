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

/** Why `ip` is refused under `policy`, or undefined when it is allowed. */
export function refusedAddressReason(ip: string, policy: CallbackPolicy): string | undefined {
  let addr = ip;
  let family: 'ipv4' | 'ipv6' = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) {
    addr = mapped[1]!;
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
