import { isIP } from 'node:net';
import { fail } from '../errors.js';
import { isPrivateAddress } from '../outbound/ssrf.js';

/**
 * A push stream's endpoint_url (RFC 8935 §2, SSF 1.0 §8.1.1) passes the outbound SSRF rules at
 * creation, so a receiver learns at once rather than from failed deliveries: https, with a host
 * that is not a literal private, loopback or link-local address; http and private addresses only
 * with `outbound.allowPrivateNetworks` (a test or an intranet). A host name that resolves to a
 * private address is refused at each delivery by the engine's guarded lookup.
 */
export const checkPushEndpoint = (value: string, allowPrivateNetworks: boolean): string => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail('invalid_request', 'delivery.endpoint_url is not a URL.');
  }
  if (url.username || url.password || url.hash) fail('invalid_request', 'delivery.endpoint_url must not carry credentials or a fragment.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const local = host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isPrivateAddress(host));
  if (url.protocol === 'http:' && !(allowPrivateNetworks && local)) fail('invalid_request', 'delivery.endpoint_url must use https.');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('invalid_request', 'delivery.endpoint_url must use https.');
  if (local && !allowPrivateNetworks) fail('invalid_request', 'delivery.endpoint_url is on a private or loopback network, which this transmitter does not send to.');
  return url.href;
};
