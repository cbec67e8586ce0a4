import { describe, expect, it } from 'vitest';
import { CallbackUrlError, checkCallbackUrl, refusedAddressReason } from './callbackUrl';

const strict = { allowedHosts: [], allowLoopback: false, allowPrivate: false };

describe('callback URL checks', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['::1', /loopback/],
    ['::ffff:127.0.0.1', /loopback/],
    ['10.1.2.3', /private/],
    ['172.20.0.1', /private/],
    ['192.168.1.1', /private/],
    ['100.64.0.1', /private/],
    ['fd00::1', /private/],
    ['169.254.169.254', /link-local/],
    ['fe80::1', /link-local/],
    ['0.0.0.0', /unspecified/],
    ['224.0.0.1', /multicast/],
    // IPv4 inside IPv6: mapped in hex, NAT64 (well-known and local-use), IPv4-compatible, 6to4
    ['::ffff:7f00:1', /loopback/],
    ['64:ff9b::7f00:1', /loopback/],
    ['64:ff9b::127.0.0.1', /loopback/],
    ['64:ff9b::a9fe:a9fe', /link-local/],
    ['64:ff9b:1::a00:1', /private/],
    ['::127.0.0.1', /loopback/],
    ['::a00:1', /private/],
    ['2002:a9fe:a9fe::1', /link-local/],
    ['2002:7f00:1::', /loopback/],
    ['::', /unspecified/],
  ])('refuses %s', (ip, why) => {
    expect(refusedAddressReason(ip, strict)).toMatch(why);
  });

  it.each(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])(
    'allows public %s',
    (ip) => {
      expect(refusedAddressReason(ip, strict)).toBeUndefined();
    },
  );

  it('allows loopback only when configured', () => {
    expect(refusedAddressReason('127.0.0.1', { ...strict, allowLoopback: true })).toBeUndefined();
    expect(refusedAddressReason('10.0.0.1', { ...strict, allowLoopback: true })).toMatch(/private/);
  });

  it('checks scheme, credentials and resolved addresses', async () => {
    await expect(checkCallbackUrl('ftp://example.com/x', strict)).rejects.toThrow(/http or https/);
    await expect(checkCallbackUrl('not a url', strict)).rejects.toThrow(CallbackUrlError);
    await expect(checkCallbackUrl('http://user:pw@example.com/', strict)).rejects.toThrow(/credentials/);
    await expect(checkCallbackUrl('http://localhost:9/hook', strict)).rejects.toThrow(/loopback/);
    await expect(checkCallbackUrl('http://[::1]:9/hook', strict)).rejects.toThrow(/loopback/);
    await expect(checkCallbackUrl('http://169.254.169.254/latest', strict)).rejects.toThrow(/link-local/);
    await expect(checkCallbackUrl('http://127.0.0.1:9/hook', { ...strict, allowLoopback: true })).resolves.toBeInstanceOf(URL);
    await expect(checkCallbackUrl('http://10.0.0.5/hook', { ...strict, allowedHosts: ['10.0.0.5'] })).resolves.toBeInstanceOf(URL);
  });
});
