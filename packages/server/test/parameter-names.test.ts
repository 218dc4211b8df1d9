/**
 * Issue 10 §1 "Crash on parameter names": `GET /healthz?__proto__=1` once made the provider
 * process exit, and the same names in a form body gave a 500. Every Object.prototype property
 * name (raw and percent-encoded, and the nested forms other parsers expand) goes, as a query
 * key, a form key, a JSON key and a cookie name, to every route and method the app registers —
 * against a real `signoff start` process, so that a crash shows as the process exiting. Each
 * answer must be a 4xx or the normal answer, never a 5xx; /healthz must answer after each route.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { parseConfig } from '../src/config/schema.js';
import { readCookie } from '../src/http/cookies.js';
import { buildApp } from '../src/http/app.js';
import { openProvider } from '../src/provider.js';
import { type Base, type Primed, baseFor, fillPath, prime } from './helpers/primed.js';
import { USERS, defaultClients, freePort } from './helpers/provider.js';
import { type Route, hasBody, routesOf } from './helpers/routes.js';
import { type RunningSignoff, runSignoff, startSignoff } from './helpers/signoff-process.js';

const pct = (s: string, lower = false): string =>
  [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).map((e) => (lower ? e : e.toUpperCase())).join('');

const PROTOTYPE_NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__'])];

/**
 * The names as sent on the wire: raw; one character percent-encoded (`__pro%74o__`); every
 * character percent-encoded (`%5F%5Fproto%5F%5F`, and in lower case); and the bracket and dot
 * forms that qs-style parsers expand into nested objects (prototype pollution).
 */
export const HOSTILE_NAMES: readonly string[] = [
  ...new Set([
    ...PROTOTYPE_NAMES,
    ...PROTOTYPE_NAMES.map((n) => {
      const i = Math.floor(n.length / 2);
      return n.slice(0, i) + pct(n.charAt(i)) + n.slice(i + 1);
    }),
    ...PROTOTYPE_NAMES.map((n) => pct(n)),
    ...PROTOTYPE_NAMES.filter((n) => n.includes('_')).map((n) => n.replace(/_/g, '%5F')),
    pct('__proto__', true),
    pct('constructor', true),
    '__pro%74o__',
    '__proto__[polluted]',
    '__proto__%5Bpolluted%5D',
    '__proto__.polluted',
    'constructor[prototype][polluted]',
    'constructor.prototype.polluted',
    '__proto__[]',
  ]),
];

/**
 * The distinct names a server sees once the wire forms are decoded, for the primed pass (the
 * encoded forms reach the same code once decoded; the bare pass sends each of them).
 */
const DECODED_NAMES: readonly string[] = [...new Set(HOSTILE_NAMES.map((n) => decodeURIComponent(n)))];

/**
 * The names sent in each place. Query and form keys are percent-decoded by the server, so the
 * bare pass sends every wire form there; JSON keys and cookie names are not decoded, so there
 * the encoded forms are just other strings: the decoded names and the encoded `__proto__` forms.
 */
const namesFor = (mode: 'bare' | 'primed', where: Placement): readonly string[] => {
  if (mode === 'bare' && (where === 'query' || where === 'form')) return HOSTILE_NAMES;
  return [...new Set([...DECODED_NAMES, ...HOSTILE_NAMES.filter((n) => decodeURIComponent(n) === '__proto__')])];
};

/** The name a wire name decodes to (for JSON keys, which are not percent-decoded). */
const decoded = (wire: string): string => decodeURIComponent(wire);

const dir = mkdtempSync(join(tmpdir(), 'signoff-param-names-'));
let op: RunningSignoff;
let base: string;
let routes: Route[];
let primed: Primed;

/** The configuration of the process; `development` so that its development-only route exists too. */
const configFor = (port: number, sqlite: string): Record<string, unknown> => ({
  issuer: `http://127.0.0.1:${port}`,
  port,
  store: { sqlite },
  logging: { level: 'error' },
  development: true,
  clients: defaultClients(),
  users: Object.values(USERS),
});

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = configFor(port, join(dir, 'signoff.sqlite'));
  // The routes are read from an app built the same way from the same configuration (on a store of
  // its own), so a route added later is covered without this file changing.
  const probe = await openProvider(parseConfig({ ...config, store: { sqlite: join(dir, 'probe.sqlite') } }));
  const app = buildApp(probe, { logger: false });
  await app.ready();
  routes = routesOf(app);
  await app.close();
  await probe.store.close();

  const file = join(dir, 'signoff.json');
  writeFileSync(file, JSON.stringify(config));
  op = await startSignoff(file, port, dir);
  primed = await prime(base);
});

after(async () => {
  op?.child.kill('SIGKILL');
  await op?.exited;
  rmSync(dir, { recursive: true, force: true });
});

interface Sent {
  what: string;
  status: number;
  body: string;
}

/** A request to the process; if it fails because the process is gone, say so with its stderr. */
const send = async (what: string, url: string, init: RequestInit): Promise<Sent> => {
  try {
    const res = await fetch(url, { ...init, redirect: 'manual' });
    return { what, status: res.status, body: await res.text() };
  } catch (err) {
    await new Promise((r) => setTimeout(r, 100));
    const { exitCode, signalCode } = op.child;
    if (exitCode !== null || signalCode !== null) {
      throw new Error(`the provider process exited (code ${exitCode}, signal ${signalCode}) during a batch that included ${what}\n${op.stderr().slice(-2000)}`);
    }
    throw new Error(`${what}: ${String(err)}`);
  }
};

type Placement = 'query' | 'form' | 'json' | 'cookie';

/** One request: the route's base (or nothing) plus the hostile name in one place. */
const requestFor = (route: Route, b: Base | undefined, name: string, where: Placement): [string, RequestInit] => {
  const path = fillPath(route.url, b ? primed : undefined);
  const params = b?.params ?? [];
  const headers: Record<string, string> = { ...(b?.headers ?? {}) };
  const cookies = [...(b?.cookies ?? [])];
  // The hostile cookie comes first: readCookie takes the first occurrence of a name.
  if (where === 'cookie') cookies.unshift(`${name}=1`);
  if (cookies.length > 0) headers.cookie = cookies.join('; ');
  const wire = (pairs: [string, string][]): string => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  // The hostile name is written as is (it may be percent-encoded on purpose), its value is 1.
  const withName = (pairs: [string, string][]): string => [wire(pairs), `${name}=1`].filter(Boolean).join('&');
  let query = hasBody(route.method) ? '' : wire(params);
  let body: string | undefined;
  if (where === 'query') query = hasBody(route.method) ? `${name}=1` : withName(params);
  if (hasBody(route.method)) {
    if (where === 'json') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(Object.fromEntries([...params, [decoded(name), '1'], [name, '1']]));
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = where === 'form' ? withName(params) : wire(params);
    }
  }
  return [`${base}${path}${query ? `?${query}` : ''}`, { method: route.method, headers, body }];
};

const placementsFor = (route: Route): Placement[] => (hasBody(route.method) ? ['query', 'form', 'json', 'cookie'] : ['query', 'cookie']);

/** Runs the requests a few at a time (the process answers one core's worth anyway). */
const inBatches = async <T>(tasks: (() => Promise<T>)[], width = 8): Promise<T[]> => {
  const out: T[] = [];
  for (let i = 0; i < tasks.length; i += width) out.push(...(await Promise.all(tasks.slice(i, i + width).map((t) => t()))));
  return out;
};

const assertAlive = async (after: string): Promise<void> => {
  const health = await send(`GET /healthz after ${after}`, `${base}/healthz`, {});
  assert.equal(health.status, 200, `/healthz after ${after}: ${health.status} ${health.body}`);
};

describe('issue 10 §1: Object.prototype names as parameter and cookie names, every route, a real process', () => {
  it('the routes are read from the app itself, the development-only route included', () => {
    const seen = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const r of ['GET /healthz', 'GET /authorize', 'POST /authorize', 'POST /token', 'POST /interaction/:id/login', 'POST /logout/:id/confirm', 'GET /dev/callback', 'OPTIONS /token']) {
      assert.ok(seen.has(r), `${r} missing from ${[...seen].join(', ')}`);
    }
    assert.ok(HOSTILE_NAMES.includes('__proto__') && HOSTILE_NAMES.includes('__pro%74o__') && HOSTILE_NAMES.includes('%5F%5Fproto%5F%5F'));
  });

  // Bare: the hostile name alone. Primed: with a live session, valid client parameters and
  // credentials, and the interaction's cookie and CSRF token, so the name meets deeper code.
  for (const mode of ['bare', 'primed'] as const) {
    it(`${mode}: every route answers each name with a 4xx or its normal answer, never a 5xx, and the process lives`, async () => {
      const failures: string[] = [];
      for (const route of routes) {
        const b = mode === 'primed' ? baseFor(route.url, primed) : undefined;
        const tasks = placementsFor(route).flatMap((where) =>
          namesFor(mode, where).map((name) => async () => {
            const [url, init] = requestFor(route, b, name, where);
            const sent = await send(`${route.method} ${route.url} with "${name}" as a ${where} key (${mode})`, url, init);
            if (sent.status >= 500) failures.push(`${sent.what}: ${sent.status} ${sent.body.slice(0, 200)}`);
            // The OAuth endpoints parse forms only: JSON is refused as such (RFC 6749 §3.2), whatever
            // its keys. The admin API and the Shared Signals stream management take JSON, behind a
            // Bearer token: without one, a 401 first.
            const admin = route.url.startsWith('/admin/') || route.url.startsWith('/ssf/');
            // An upstream's back-channel logout answers every refusal 400 (Back-Channel Logout §2.8),
            // a JSON body too; an upstream id that is not configured (this probe's) is a 404 first.
            const upstreamLogout = route.url.endsWith('/backchannel-logout');
            if (where === 'json' && route.method === 'POST' && !admin && !upstreamLogout && sent.status !== 415) failures.push(`${sent.what}: ${sent.status}, expected 415`);
            if (where === 'json' && upstreamLogout && sent.status !== 404) failures.push(`${sent.what}: ${sent.status}, expected 404 (no such upstream)`);
            if (admin && !route.url.endsWith('/openapi.json') && sent.status !== 401) failures.push(`${sent.what}: ${sent.status}, expected 401 (no token)`);
          }),
        );
        await inBatches(tasks);
        await assertAlive(`${route.method} ${route.url} (${mode})`);
      }
      assert.deepEqual(failures, []);
      assert.equal(op.child.exitCode, null);
    });
  }
});

describe('issue 10 §1: readCookie() with Object.prototype names as cookie names', () => {
  const requestWith = (cookie: string): FastifyRequest => ({ headers: { cookie } }) as unknown as FastifyRequest;

  it('a hostile name is a cookie like any other and hides no other cookie', () => {
    for (const name of HOSTILE_NAMES) {
      const req = requestWith(`${name}=evil; signoff=good; ${name}=second`);
      assert.equal(readCookie(req, 'signoff'), 'good', name);
      assert.equal(readCookie(req, name), 'evil', `${name}: the first occurrence, a string`);
    }
  });

  it('a name that is absent is undefined, never an Object.prototype member', () => {
    for (const name of PROTOTYPE_NAMES) assert.equal(readCookie(requestWith('signoff=good'), name), undefined, name);
    assert.equal(readCookie(requestWith(''), '__proto__'), undefined);
  });
});

describe('issue 10 §1: Object.prototype names as command names of the signoff CLI', () => {
  it('`signoff constructor`, `toString`, `__proto__`, … are unknown commands (exit 2), not a crash', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const r = await runSignoff([name], { cwd: dir });
      assert.equal(r.code, 2, `${name}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, new RegExp(`unknown command "${name}"`));
      assert.doesNotMatch(r.stderr, /node:internal|\bat /);
    }
  });
});
