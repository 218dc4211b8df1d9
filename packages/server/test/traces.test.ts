/**
 * OpenTelemetry traces (issue 17 §2): the provider in this process exports to the SDK's in-memory
 * exporter; `signoff start` in a child process exports over OTLP/HTTP to a collector on
 * 127.0.0.1. The logout fan-out — the end_session request, the ending, every back-channel
 * delivery attempt with its retries — must be one trace, and log lines must carry its trace id.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { type StopTracing, startTracing } from '../src/telemetry/start.js';
import { TestBrowser } from './helpers/browser.js';
import { type TestProvider, USERS, clientsWithBackChannel, defaultClients, freePort, startProvider } from './helpers/provider.js';
import { type Receiver, eventually, startReceiver } from './helpers/receiver.js';
import { codeFlow, discover } from './helpers/rp.js';
import { cleanEnv, startSignoff } from './helpers/signoff-process.js';

const exporter = new InMemorySpanExporter();
let stopTracing: StopTracing | undefined;
const cleanups: (() => Promise<void>)[] = [];
before(async () => {
  stopTracing = await startTracing(undefined, { exporter });
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  await stopTracing?.();
});

const receiver = async (...args: Parameters<typeof startReceiver>): Promise<Receiver> => {
  const r = await startReceiver(...args);
  cleanups.push(r.close);
  return r;
};

/** A provider whose configuration turns traces on (the collector is never reached: the test's SDK exports to memory). */
const tracedProvider = async (overrides: Record<string, unknown> = {}, opts: Parameters<typeof startProvider>[1] = {}): Promise<TestProvider> => {
  const op = await startProvider({ traces: { endpoint: 'http://127.0.0.1:9/v1/traces' }, ...overrides }, opts);
  cleanups.push(op.close);
  return op;
};

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;
const traceOf = (s: ReadableSpan): string => s.spanContext().traceId;

describe('issue 17 §2: one logout\'s fan-out is one trace', () => {
  it('the end_session request, its ending and every back-channel delivery attempt — a retry included — share one trace, each attempt a child of the ending', async () => {
    const web = await receiver();
    let firstPost = true;
    // The post application is down for its first attempt (503), so its notification is retried.
    const post = await receiver(() => (firstPost ? ((firstPost = false), 503) : 204));
    const op = await tracedProvider({ clients: clientsWithBackChannel({ web: `${web.url}?app=web`, post: `${post.url}?app=post` }) }, { deliveries: { backoff: () => 50 } });
    const browser = new TestBrowser(op.issuer);
    const signedIn = await codeFlow(await discover(op.issuer, 'web'), 'web', browser, { user: USERS.alice });
    await codeFlow(await discover(op.issuer, 'post'), 'post', browser);
    exporter.reset();

    const out = await browser.request(`${op.issuer}/logout?${new URLSearchParams({ id_token_hint: signedIn.tokens.id_token as string })}`);
    assert.ok(out.status < 400, `logout answered ${out.status}`);
    await web.waitFor(1);
    await post.waitFor(2);
    const attempts = await eventually(async () => {
      const found = spans().filter((s) => s.name === 'signoff.delivery.attempt');
      return found.length >= 3 ? found : undefined;
    }, 'three delivery attempt spans');

    const request = spans().find((s) => s.name === 'GET /logout');
    assert.ok(request, `no server span for the logout request; got ${spans().map((s) => s.name).join(', ')}`);
    assert.equal(request.attributes['http.route'], '/logout');
    assert.ok(Number(request.attributes['http.response.status_code']) < 400);
    const ending = spans().find((s) => s.name === 'signoff.sessions.end');
    assert.ok(ending, 'no span for the ending');
    assert.equal(traceOf(ending), traceOf(request));
    assert.equal(parentOf(ending), request.spanContext().spanId, 'the ending is a child of the request');
    assert.equal(ending.attributes['signoff.end_reason'], 'logout');
    assert.equal(ending.attributes['signoff.sessions_ended'], 1);

    assert.equal(attempts.length, 3, 'web once, post twice');
    for (const a of attempts) {
      assert.equal(traceOf(a), traceOf(request), 'every attempt is in the logout\'s trace');
      assert.equal(parentOf(a), ending.spanContext().spanId, 'every attempt is a child of the ending');
      assert.equal(a.attributes['signoff.delivery.kind'], 'backchannel_logout');
    }
    const byClient = (id: string) => attempts.filter((a) => a.attributes['signoff.client_id'] === id).sort((x, y) => Number(x.attributes['signoff.delivery.attempt']) - Number(y.attributes['signoff.delivery.attempt']));
    assert.deepEqual(byClient('web').map((a) => a.attributes['signoff.delivery.outcome']), ['delivered']);
    assert.equal(byClient('web')[0]?.attributes['http.response.status_code'], 204);
    const postAttempts = byClient('post');
    assert.deepEqual(postAttempts.map((a) => a.attributes['signoff.delivery.outcome']), ['retry', 'delivered']);
    assert.deepEqual(postAttempts.map((a) => a.attributes['signoff.delivery.attempt']), [1, 2]);
    assert.equal(postAttempts[0]?.status.code, 2, 'the refused attempt is an error span');
    assert.match(postAttempts[0]?.status.message ?? '', /503/);
    const rows = await op.provider.store.listDeliveries({ limit: 10 });
    assert.ok(rows.every((r) => r.traceParent?.includes(traceOf(request))), 'the outbox rows keep the ending\'s traceparent');
  });

  it('a caller\'s W3C traceparent is continued (Trace Context §3.2): the request span is its child; a malformed one starts a new trace', async () => {
    const op = await tracedProvider();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    exporter.reset();
    await fetch(`${op.issuer}/.well-known/openid-configuration`, { headers: { traceparent: `00-${traceId}-${parent}-01` } });
    await fetch(`${op.issuer}/jwks`, { headers: { traceparent: `00-${traceId}-zz-01` } });
    const discovery = await eventually(async () => spans().find((s) => s.attributes['http.route'] === '/.well-known/openid-configuration'), 'the discovery span');
    assert.equal(traceOf(discovery), traceId);
    assert.equal(parentOf(discovery), parent);
    const jwks = await eventually(async () => spans().find((s) => s.name.startsWith('GET /jwks')), 'the jwks span');
    assert.notEqual(traceOf(jwks), traceId);
    assert.equal(parentOf(jwks), undefined);
  });
});

describe('issue 17 §2: sign-in and token spans, and what a trace must never hold', () => {
  it('a sign-in and a code grant are traced (signoff.sign_in, signoff.token with the grant type), and no span carries the code, a token, a cookie or the password', async () => {
    const op = await tracedProvider();
    exporter.reset();
    const browser = new TestBrowser(op.issuer);
    const { tokens, callback } = await codeFlow(await discover(op.issuer, 'web'), 'web', browser, { user: USERS.alice });
    const signIn = await eventually(async () => spans().find((s) => s.name === 'signoff.sign_in'), 'the sign-in span');
    assert.deepEqual(signIn.attributes['signoff.amr'], ['pwd']);
    assert.equal(signIn.attributes['signoff.session_created'], true);
    const token = await eventually(async () => spans().find((s) => s.name === 'signoff.token'), 'the token span');
    assert.equal(token.attributes['signoff.grant_type'], 'authorization_code');
    assert.equal(token.attributes['signoff.client_id'], 'web');
    const tokenRequest = spans().find((s) => s.name === 'POST /token');
    assert.equal(parentOf(token), tokenRequest?.spanContext().spanId, 'the grant is a child of its request');
    const secrets = [callback.searchParams.get('code'), tokens.access_token, tokens.id_token, tokens.refresh_token, USERS.alice.password, ...browser.cookiesOf(op.issuer).values()];
    const dump = JSON.stringify(spans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })));
    for (const secret of secrets) {
      assert.ok(secret);
      assert.ok(!dump.includes(secret), `a span holds a secret (${secret.slice(0, 8)}…)`);
    }
  });

  it('a provider without `traces` gives its requests no server span (off unless configured)', async () => {
    const op = await startProvider();
    cleanups.push(op.close);
    exporter.reset();
    await fetch(`${op.issuer}/.well-known/openid-configuration`);
    assert.equal(spans().filter((s) => s.attributes['http.route'] !== undefined).length, 0);
    assert.equal(await startTracing(undefined), undefined, 'no configuration, no exporter: the SDK is not started');
  });
});

/** A collector on 127.0.0.1 taking OTLP/HTTP JSON exports (OTLP §"OTLP/HTTP"). */
const startCollector = async () => {
  const exports: { path: string; contentType: string; headers: IncomingMessage['headers']; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      exports.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url, exports };
};

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
}
const exportedSpans = (body: Record<string, unknown>): { service: unknown; spans: OtlpSpan[] }[] =>
  ((body.resourceSpans ?? []) as { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[]).map((rs) => ({
    service: rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue,
    spans: rs.scopeSpans.flatMap((ss) => ss.spans),
  }));

describe('issue 17 §2: `signoff start` exports over OTLP/HTTP, and its log lines carry the trace id', () => {
  it('with `traces.endpoint` set, the spans of a request reach the collector with the service name and headers configured, and that request\'s log line names the same trace', async () => {
    const collector = await startCollector();
    const dir = mkdtempSync(join(tmpdir(), 'signoff-traces-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    const config = join(dir, 'signoff.json');
    writeFileSync(
      config,
      JSON.stringify({
        issuer: `http://127.0.0.1:${port}`,
        store: { sqlite: join(dir, 'signoff.sqlite') },
        clients: defaultClients(),
        users: [USERS.alice],
        logging: { level: 'info' },
        traces: { endpoint: collector.url, serviceName: 'signoff-test', headers: { 'x-collector-key': 'k-123' } },
      }),
    );
    const op = await startSignoff(config, port, dir, cleanEnv());
    const res = await fetch(`${op.base}/.well-known/openid-configuration`, { headers: { 'x-request-id': 'traced-request-1' } });
    assert.equal(res.status, 200);
    // SIGTERM: the spans still buffered are exported before the process exits.
    op.child.kill('SIGTERM');
    await op.exited;
    const all = collector.exports.flatMap((e) => exportedSpans(e.body));
    const discovery = all.flatMap((r) => r.spans).find((s) => s.name === 'GET /.well-known/openid-configuration');
    assert.ok(discovery, `the collector got no discovery span; got ${JSON.stringify(all).slice(0, 300)}`);
    assert.ok(all.every((r) => r.service === 'signoff-test'));
    assert.ok(collector.exports.every((e) => e.path === '/v1/traces' && /json/.test(e.contentType) && e.headers['x-collector-key'] === 'k-123'));
    const lines = op.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const completed = lines.find((l) => l.reqId === 'traced-request-1' && l.msg === 'request completed');
    assert.ok(completed, 'no "request completed" line for the request');
    assert.equal(completed.trace_id, discovery.traceId, 'the log line carries the exported trace id');
    assert.equal(completed.span_id, discovery.spanId);
  });

  it('a bad `traces` configuration stops start-up with a message naming the key', async () => {
    const { parseConfig } = await import('../src/config/schema.js');
    const base = { issuer: 'http://127.0.0.1:3000', store: { sqlite: ':memory:' } };
    assert.throws(() => parseConfig({ ...base, traces: {} }), /"traces\.endpoint"/);
    assert.throws(() => parseConfig({ ...base, traces: { endpoint: 'ftp://x/v1/traces' } }), /"traces\.endpoint"/);
    assert.throws(() => parseConfig({ ...base, traces: { endpoint: 'http://c:4318/v1/traces', samplePercent: 101 } }), /"traces\.samplePercent"/);
    assert.throws(() => parseConfig({ ...base, traces: { endpoint: 'http://c:4318/v1/traces', headers: { 'bad name': 'x' } } }), /"traces\.headers"/);
    assert.throws(() => parseConfig({ ...base, traces: { endpoint: 'http://c:4318/v1/traces', headers: { k: 'a\r\nInjected: 1' } } }), /"traces\.headers\.k"/);
    assert.throws(() => parseConfig({ ...base, traces: { endpoint: 'http://c:4318/v1/traces', exporter: 'zipkin' } }), /"traces\.exporter".*unknown key/);
    const hostile = parseConfig({ ...base, traces: JSON.parse('{"endpoint":"http://c:4318/v1/traces","headers":{"__proto__":"x"}}') });
    assert.equal(Object.getPrototypeOf(hostile.traces?.headers), Object.prototype, 'a header named __proto__ does not replace the prototype');
    assert.equal(Object.getOwnPropertyDescriptor(hostile.traces?.headers, '__proto__')?.value, 'x');
  });
});
