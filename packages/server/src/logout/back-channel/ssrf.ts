import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

/**
 * The SSRF guard for back-channel targets (DESIGN.md "Back-channel delivery"): an application's
 * registered URI must not make the provider reach its own network. Addresses that are not
 * globally routable are refused unless `outbound.allowPrivateNetworks` is set.
 */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", incl. the unspecified address
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // RFC 6598 carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (and cloud metadata services)
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
  ['64:ff9b:1::', 48], // local-use NAT64
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses are judged by their IPv4 part. */
const embeddedIpv4 = (address: string): string | undefined => {
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const [hi, lo] = [parseInt(hex[1] as string, 16), parseInt(hex[2] as string, 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
};

/** True for loopback, private, link-local, unique-local, unspecified, multicast and reserved addresses. */
export const isPrivateAddress = (address: string): boolean => {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family !== 6) return true; // not an address at all: refuse rather than guess
  const v4 = embeddedIpv4(address);
  return v4 !== undefined ? PRIVATE.check(v4, 'ipv4') : PRIVATE.check(address, 'ipv6');
};

/** A refused target; its message is what the operator sees as the delivery's reason. */
export class RefusedTargetError extends Error {
  override name = 'RefusedTargetError';
  readonly code = 'refused_target';
}

const refusal = (host: string, address: string): RefusedTargetError =>
  new RefusedTargetError(`refused: ${host} resolves to the non-public address ${address} (set outbound.allowPrivateNetworks to allow it)`);

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type LookupFunction = (hostname: string, options: { family?: number | string; hints?: number; all?: boolean }, callback: LookupCallback) => void;

/**
 * A `lookup` for node:http that resolves the host and refuses it when any of its addresses is
 * private. The socket then connects to the very address that was checked, so a DNS answer that
 * changes between check and use (rebinding) cannot slip through.
 */
export const guardedLookup = (allowPrivateNetworks: boolean): LookupFunction => (hostname, options, callback) => {
  const family = options.family === 'IPv6' ? 6 : options.family === 'IPv4' ? 4 : typeof options.family === 'number' ? options.family : 0;
  dnsLookup(hostname, { all: true, family, ...(options.hints === undefined ? {} : { hints: options.hints }) }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = allowPrivateNetworks ? undefined : addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(refusal(hostname, bad.address), []);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    if (options.all) return callback(null, addresses);
    return callback(null, first.address, first.family);
  });
};

/** node:http does not call `lookup` for an IP literal, so those are checked up front. */
export const checkLiteralHost = (url: URL, allowPrivateNetworks: boolean): void => {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!allowPrivateNetworks && isIP(host) !== 0 && isPrivateAddress(host)) throw refusal(url.hostname, host);
};
