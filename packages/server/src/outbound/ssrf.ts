import { isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';

/*
 * The SSRF guard for every outbound target (DESIGN.md "Back-channel delivery"; issue 16 §1: a
 * back-channel logout URI or a Shared Signals push endpoint): a URI a client registered must not
 * make the provider reach its own network. Only globally routable
 * unicast addresses pass unless `outbound.allowPrivateNetworks` is set. The ranges come from
 * ipaddr.js (the IANA special-purpose registries, RFC 6890), not from a list kept here.
 */

/** IPv6 global unicast is 2000::/3 (RFC 4291 §2.4); everything outside it is special or unassigned. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3') as [ipaddr.IPv6, number];

/** RFC 6052 §2.1: the well-known NAT64 prefix 64:ff9b::/96 carries an IPv4 address in its last 32 bits. */
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96') as [ipaddr.IPv6, number];

const isGlobalV4 = (v4: ipaddr.IPv4): boolean => v4.range() === 'unicast';

const lastIpv4Of = (v6: ipaddr.IPv6): ipaddr.IPv4 => {
  const b = v6.toByteArray();
  return new ipaddr.IPv4(b.slice(12));
};

/**
 * True unless the address is global unicast. IPv4-mapped addresses (::ffff:a.b.c.d) are judged
 * as the IPv4 they are; a NAT64 address of the well-known prefix passes only when the IPv4 it
 * embeds is global (DNS64 networks resolve public hosts to such addresses). Every other form
 * that embeds an IPv4 address — IPv4-compatible ::a.b.c.d (deprecated, RFC 4291 §2.5.5.1),
 * IPv4-translated ::ffff:0:a.b.c.d (RFC 6145), local-use NAT64 64:ff9b:1::/48 (RFC 8215),
 * 6to4 2002::/16 (RFC 3056, deprecated by RFC 7526) and Teredo 2001::/32 (RFC 4380) — is
 * refused whatever it embeds, as are documentation, benchmarking, ORCHID and other reserved
 * ranges. Anything that is not an IP address at all is refused rather than guessed at.
 */
export const isPrivateAddress = (address: string): boolean => {
  // node:net decides what an address is: ipaddr.js alone would also accept "127.1" or "0x7f.1".
  if (isIP(address) === 0) return true;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address); // turns ::ffff:a.b.c.d into a.b.c.d
  } catch {
    return true;
  }
  if (parsed.kind() === 'ipv4') return !isGlobalV4(parsed as ipaddr.IPv4);
  const v6 = parsed as ipaddr.IPv6;
  if (v6.match(NAT64_WELL_KNOWN)) return !isGlobalV4(lastIpv4Of(v6));
  return !(v6.match(GLOBAL_UNICAST_V6) && v6.range() === 'unicast');
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
