/**
 * The small parts of Back-Channel Logout delivery, on their own: registration of
 * backchannel_logout_uri, the configuration keys, the retry schedule, the SSRF address
 * classification and the classification of answers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClientMetadata } from '../src/clients/metadata.js';
import { parseConfig } from '../src/config/schema.js';
import { MAX_RETRY_MS, retryDelayMs } from '../src/outbound/backoff.js';
import { classifyStatus } from '../src/logout/back-channel/kind.js';
import { sendMessage } from '../src/outbound/send.js';
import { isPrivateAddress } from '../src/outbound/ssrf.js';
import { eventually, startReceiver } from './helpers/receiver.js';

const client = (backchannel_logout_uri: unknown) => ({ client_id: 'app', redirect_uris: ['https://app.example/cb'], backchannel_logout_uri });

describe('Back-Channel Logout 1.0 §2.2: backchannel_logout_uri at registration', () => {
  for (const [uri, message] of [
    ['not a uri', /clients\[0\]\.backchannel_logout_uri.*not an absolute URI/],
    ['/relative/logout', /clients\[0\]\.backchannel_logout_uri.*not an absolute URI/],
    ['https://app.example/logout#frag', /clients\[0\]\.backchannel_logout_uri.*must not contain a fragment/],
    ['ftp://app.example/logout', /clients\[0\]\.backchannel_logout_uri.*must use https or http/],
    ['javascript:alert(1)', /clients\[0\]\.backchannel_logout_uri.*must use https or http/],
    [42, /clients\[0\]\.backchannel_logout_uri.*expected a string/],
  ] as const) {
    it(`rejects ${JSON.stringify(uri)} with a message naming the key`, () => {
      assert.throws(() => parseClientMetadata(client(uri), 'clients[0]'), message);
    });
  }

  it('accepts an absolute https URI with a query, and backchannel_logout_session_required', () => {
    const { metadata } = parseClientMetadata({ ...client('https://app.example/logout?tenant=1'), backchannel_logout_session_required: true }, 'c');
    assert.equal(metadata.backchannel_logout_uri, 'https://app.example/logout?tenant=1');
    assert.equal(metadata.backchannel_logout_session_required, true);
  });
});

describe('configuration: backchannel.* (README "Configuration")', () => {
  const base = { issuer: 'https://id.example' };
  it('has documented defaults', () => {
    assert.deepEqual({ ...parseConfig(base).backchannel }, { concurrency: 64, concurrencyPerClient: 32, attemptTimeout: 5, giveUpAfter: 86400, pollInterval: 1, shutdownGrace: 5 });
  });
  for (const [value, key] of [
    [{ concurrency: 0 }, 'backchannel.concurrency'],
    [{ concurrencyPerClient: 0 }, 'backchannel.concurrencyPerClient'],
    [{ attemptTimeout: 'soon' }, 'backchannel.attemptTimeout'],
    [{ attemptTimeout: '2m' }, 'backchannel.attemptTimeout'],
    [{ giveUpAfter: -1 }, 'backchannel.giveUpAfter'],
    [{ pollInterval: '1x' }, 'backchannel.pollInterval'],
    [{ shutdownGrace: 'later' }, 'backchannel.shutdownGrace'],
    [{ retries: 3 }, 'backchannel.retries'],
  ] as const) {
    it(`refuses ${JSON.stringify(value)}, naming ${key}`, () => {
      assert.throws(() => parseConfig({ ...base, backchannel: value }), (err: Error) => err.message.includes(`"${key}"`));
    });
  }
});

describe('retry schedule (issue 5: 1 s doubling to a 10 min cap, with jitter)', () => {
  it('doubles from 1 s and is capped at 10 min, within ±25 % jitter', () => {
    for (const [attempts, base] of [[1, 1000], [2, 2000], [3, 4000], [10, 512_000], [11, MAX_RETRY_MS], [60, MAX_RETRY_MS]] as const) {
      assert.equal(retryDelayMs(attempts, () => 0.5), base, `attempt ${attempts}`);
      assert.ok(retryDelayMs(attempts, () => 0) >= base * 0.75);
      assert.ok(retryDelayMs(attempts, () => 0.999) <= Math.min(MAX_RETRY_MS, base * 1.25));
    }
  });
  it('jitter spreads the delays', () => {
    assert.ok(new Set(Array.from({ length: 20 }, () => retryDelayMs(3))).size > 5);
  });
});

describe('SSRF guard: only global unicast addresses pass (DESIGN.md "Back-channel delivery"; issue 10 §6; RFC 6890)', () => {
  const refused: [string, string][] = [
    ['127.0.0.1', 'IPv4 loopback'], ['127.8.9.10', 'IPv4 loopback, all of 127/8'], ['10.1.2.3', 'RFC 1918'], ['172.16.0.1', 'RFC 1918'],
    ['172.31.255.255', 'RFC 1918'], ['192.168.1.1', 'RFC 1918'], ['169.254.169.254', 'link-local, cloud metadata'], ['100.64.0.1', 'RFC 6598 CGN'],
    ['0.0.0.0', 'unspecified'], ['0.1.2.3', '"this network" 0/8'], ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'], ['240.0.0.1', 'reserved 240/4'], ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.1', 'TEST-NET-1 (RFC 5737 documentation)'], ['198.51.100.7', 'TEST-NET-2'], ['203.0.113.9', 'TEST-NET-3'],
    ['198.18.0.1', 'benchmarking'], ['198.19.255.255', 'benchmarking'], ['192.88.99.1', '6to4 relay anycast'],
    ['::1', 'IPv6 loopback'], ['::', 'IPv6 unspecified'], ['fe80::1', 'link-local'], ['fe80::1%1', 'link-local with a zone'],
    ['fc00::1', 'unique-local'], ['fd12:3456::1', 'unique-local'], ['fec0::1', 'deprecated site-local'], ['ff02::1', 'multicast'], ['ff0e::1', 'global-scope multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'], ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'], ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'], ['::ffff:0.0.0.0', 'IPv4-mapped unspecified'],
    ['::7f00:1', 'IPv4-compatible loopback (deprecated ::/96)'], ['::127.0.0.1', 'IPv4-compatible loopback, dotted'], ['::808:808', 'IPv4-compatible, even of a public address'],
    ['::ffff:0:7f00:1', 'IPv4-translated (RFC 6145) loopback'], ['::ffff:0:808:808', 'IPv4-translated, even of a public address'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'], ['64:ff9b::127.0.0.1', 'NAT64 of loopback, dotted'], ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
    ['64:ff9b::a00:1', 'NAT64 of RFC 1918'], ['64:ff9b::c000:201', 'NAT64 of documentation'], ['64:ff9b:1::808:808', 'local-use NAT64 (RFC 8215)'],
    ['2002:7f00:1::1', '6to4 of loopback'], ['2002:a00:1::1', '6to4 of RFC 1918'], ['2002:808:808::1', '6to4, even of a public address'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'], ['2001::1', 'Teredo prefix'], ['2001:db8::1', 'documentation (RFC 3849)'],
    ['3fff::1', 'documentation (RFC 9637)'], ['2001:2::1', 'benchmarking'], ['2001:10::1', 'deprecated ORCHID'], ['2001:20::1', 'ORCHIDv2'],
    ['100::1', 'discard-only (RFC 6666)'], ['5f00::1', 'SRv6 SIDs'], ['4000::1', 'outside 2000::/3 (unassigned)'], ['::2', 'reserved ::/8'],
    ['not-an-ip', 'not an address'], ['127.1', 'short IPv4 form (not an address for node:net)'], ['0x7f.0.0.1', 'hex IPv4 form'], ['', 'empty'],
  ];
  for (const [a, why] of refused) it(`refuses ${a || '""'} (${why})`, () => assert.equal(isPrivateAddress(a), true));

  const allowed: [string, string][] = [
    ['93.184.216.34', 'public IPv4'], ['8.8.8.8', 'public IPv4'], ['1.1.1.1', 'public IPv4'], ['172.32.0.1', 'just past RFC 1918 172.16/12'],
    ['100.128.0.1', 'just past CGN'], ['11.0.0.1', 'just past 10/8'], ['2606:4700:4700::1111', 'public IPv6'], ['2a00:1450:4001:82b::200e', 'public IPv6'],
    ['::ffff:8.8.8.8', 'IPv4-mapped public'], ['::ffff:808:808', 'IPv4-mapped public, hex'], ['64:ff9b::808:808', 'NAT64 of a public address (DNS64)'],
    ['64:ff9b::8.8.8.8', 'NAT64 of a public address, dotted'],
  ];
  for (const [a, why] of allowed) it(`allows ${a} (${why})`, () => assert.equal(isPrivateAddress(a), false));
});

describe('Back-Channel Logout 1.0 §2.8: what an answer means', () => {
  it('200 and 204 are success; 408, 429 and 5xx are retried; redirects and other 4xx are terminal', () => {
    assert.deepEqual([200, 204].map((s) => classifyStatus(s, '').kind), ['delivered', 'delivered']);
    assert.deepEqual([408, 429, 500, 502, 503, 504].map((s) => classifyStatus(s, '').kind), Array(6).fill('retry'));
    assert.deepEqual([201, 202, 301, 302, 307, 400, 401, 403, 404, 410].map((s) => classifyStatus(s, '').kind), Array(10).fill('failed'));
  });
  it('keeps a short, printable excerpt of the body as the reason', () => {
    const outcome = classifyStatus(400, `{"error":"invalid_request"}\n\u0000${'x'.repeat(500)}`);
    assert.equal(outcome.kind, 'failed');
    assert.ok(outcome.kind === 'failed' && outcome.error.startsWith('HTTP 400: {"error":"invalid_request"} x') && outcome.error.length <= 210);
  });
});

describe('a shutdown cuts attempts off (issue 10 §7: backchannel.shutdownGrace)', () => {
  it('aborting an attempt to a hanging application ends it at once with the outcome "aborted" and hangs up', async () => {
    const rx = await startReceiver(() => 'hang');
    try {
      const controller = new AbortController();
      const outcome = sendMessage({ uri: rx.url, body: 'logout_token=token', contentType: 'application/x-www-form-urlencoded' }, classifyStatus, { timeoutMs: 60_000, allowPrivateNetworks: true, signal: controller.signal });
      await rx.waitFor(1);
      controller.abort();
      assert.deepEqual(await outcome, { kind: 'aborted' });
      await eventually(async () => (rx.received[0]?.aborted && rx.received[0].endedAt !== undefined ? true : undefined), 'the connection closed');
      assert.deepEqual(await sendMessage({ uri: rx.url, body: 'logout_token=token', contentType: 'application/x-www-form-urlencoded' }, classifyStatus, { timeoutMs: 60_000, allowPrivateNetworks: true, signal: controller.signal }), { kind: 'aborted' }, 'an aborted signal sends nothing');
      assert.equal(rx.received.length, 1);
    } finally {
      await rx.close();
    }
  });
});
