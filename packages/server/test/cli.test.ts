/**
 * The `signoff` command as an operator runs it: the real built binary in child processes, each
 * in a temporary working directory with a temporary configuration and SQLite store (DESIGN.md
 * "Contracts other tools rely on": `signoff start --config FILE [--port N]`, every other
 * subcommand takes the same --config FILE; exit 2 for usage errors, 1 for runtime failures, 78 for bad configuration).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { parseConfig } from '../src/config/schema.js';
import { TestBrowser, isLoginPage } from './helpers/browser.js';
import { CLIENTS, defaultClients, freePort } from './helpers/provider.js';
import { BIN, cleanEnv, managementUrl, runSignoff } from './helpers/signoff-process.js';

const children = new Set<ChildProcess>();

/** Runs `signoff ...args` to completion. */
const run = runSignoff;

interface Server {
  child: ChildProcess;
  base: string;
  /** The management listener (/metrics, /readyz). */
  management: string;
  stderr: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `signoff start` and waits until it listens. */
const startServer = (args: string[], opts: { cwd: string; port: number }): Promise<Server> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start', ...args], { cwd: opts.cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stderr = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
      child.on('exit', (code, signal) => {
        children.delete(child);
        res({ code, signal });
      }),
    );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`signoff start did not listen in time:\n${stderr}`));
    }, 20_000);
    child.stdout?.resume();
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (/listening on/.test(stderr)) {
        clearTimeout(timer);
        resolve({
          child,
          base: `http://127.0.0.1:${opts.port}`,
          management: managementUrl(stderr),
          stderr: () => stderr,
          stop: async () => {
            child.kill('SIGTERM');
            const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
            const r = await exited;
            clearTimeout(timeout);
            return r;
          },
        });
      }
    });
    void exited.then((r) => {
      clearTimeout(timer);
      reject(new Error(`signoff start exited (${r.code ?? r.signal}) before listening:\n${stderr}`));
    });
  });

after(() => {
  for (const c of children) c.kill('SIGKILL');
});

const authorizeUrl = (base: string): string => {
  const url = new URL(`${base}/authorize`);
  url.search = new URLSearchParams({
    client_id: CLIENTS.web.client_id,
    redirect_uri: CLIENTS.web.redirect_uri,
    response_type: 'code',
    scope: 'openid profile email',
    state: 'cli-state',
  }).toString();
  return url.toString();
};

const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

const tokenPost = async (base: string, authorization: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, string> }> => {
  const res = await fetch(`${base}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
};

describe('signoff command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('usage (exit 0 for --help, 2 for usage errors)', () => {
    it('--help of the program and of every command exits 0 and prints its usage', async () => {
      const cases = [['--help'], ['help'], ['start', '--help'], ['init', '--help'], ['users', '--help'], ['clients', '--help'], ['keys', '--help'], ['users', '-h']];
      const results = await Promise.all(cases.map((args) => run(args, { cwd: dir })));
      results.forEach((r, i) => {
        assert.equal(r.code, 0, `${cases[i]?.join(' ')}: ${r.stderr}`);
        assert.match(r.stdout, /Usage/, cases[i]?.join(' '));
      });
      assert.ok(!existsSync(join(dir, 'data')), '--help opens no store');
    });

    it('no command, an unknown command, an unknown flag or action, a missing argument or a bad --port exit 2', async () => {
      const cfg = join(dir, 'usage.json');
      writeFileSync(cfg, JSON.stringify({ issuer: 'http://127.0.0.1:3999', store: { sqlite: join(dir, 'usage.sqlite') }, logging: { level: 'silent' } }));
      const cases: [string[], RegExp | undefined][] = [
        [[], /Usage/],
        [['frobnicate'], /unknown command "frobnicate"/],
        [['users', 'list', '--bogus', '--config', cfg], /bogus/],
        [['users', 'frobnicate', '--config', cfg], /unknown action/],
        [['users'], undefined],
        [['users', 'add', '--config', cfg, '--password', 'x'], /USERNAME/],
        [['users', 'add', 'dave', '--config', cfg], /password/],
        [['clients', 'remove', '--config', cfg], /CLIENT_ID/],
        [['keys', 'spin', '--config', cfg], /unknown action/],
        [['start', '--port', 'abc', '--config', cfg], /--port/],
        [['init', '--port', '99999'], /--port/],
      ];
      // Create the store once first: the cases below then run in parallel on an existing store.
      assert.equal((await run(['keys', 'list', '--config', cfg], { cwd: dir })).code, 0);
      const results = await Promise.all(cases.map(([args]) => run(args, { cwd: dir })));
      results.forEach((r, i) => {
        const [args, message] = cases[i] ?? [[], undefined];
        assert.equal(r.code, 2, `signoff ${args.join(' ')} → ${r.code}: ${r.stdout}${r.stderr}`);
        if (message) assert.match(r.stdout + r.stderr, message, args.join(' '));
        assert.doesNotMatch(r.stderr, /\bat\s+\S+\.js:\d+/, 'no stack trace for a usage error');
      });
    });
  });

  describe('init', () => {
    const cwd = mkdtempSync(join(dir, 'init-'));
    const file = join(cwd, 'signoff.config.json');

    it('writes a valid starter configuration, private to its owner (it holds a client secret)', async () => {
      const r = await run(['init'], { cwd });
      assert.equal(r.code, 0, r.stderr);
      const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      const config = parseConfig(raw);
      assert.equal(config.clients.length, 1);
      assert.ok((config.clients[0]?.secret ?? '').length >= 32);
      assert.equal(statSync(file).mode & 0o077, 0, 'not readable by group or others');
      // issue 10 §5: a starter configuration runs without development, so it needs a key-encryption key.
      assert.equal(config.keys.encryptionKeyFile, './signoff.kek');
      assert.equal(statSync(join(cwd, 'signoff.kek')).mode & 0o777, 0o600, 'the key-encryption key is private to its owner');
    });

    it('refuses to overwrite an existing file without --force (exit 1), and overwrites with --force', async () => {
      const before1 = readFileSync(file, 'utf8');
      const refused = await run(['init'], { cwd });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /exists/);
      assert.equal(readFileSync(file, 'utf8'), before1, 'the file is untouched');
      const forced = await run(['init', '--force'], { cwd });
      assert.equal(forced.code, 0, forced.stderr);
      assert.notEqual(readFileSync(file, 'utf8'), before1, 'a new file with a new secret');
    });

    it('takes --file, --issuer and --port', async () => {
      const r = await run(['init', '--file', 'custom.json', '--issuer', 'https://id.example.com', '--port', '8443'], { cwd });
      assert.equal(r.code, 0, r.stderr);
      const config = parseConfig(JSON.parse(readFileSync(join(cwd, 'custom.json'), 'utf8')));
      assert.equal(config.issuer, 'https://id.example.com');
      assert.equal(config.port, 8443);
    });

    it('rejects an invalid --issuer naming the issuer, and writes nothing', async () => {
      const r = await run(['init', '--file', 'bad.json', '--issuer', 'https://id.example.com/?x=1'], { cwd });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /issuer/);
      assert.ok(!existsSync(join(cwd, 'bad.json')));
    });

    it('`start` runs the written configuration (its relative store under the working directory) and exits 0 on SIGTERM', async () => {
      const port = await freePort();
      const server = await startServer(['--config', 'signoff.config.json', '--port', String(port)], { cwd, port });
      const health = await fetch(`${server.base}/healthz`);
      assert.equal(health.status, 200);
      // issue 10 §6: readiness and metrics on the management listener only, not on the public port.
      assert.equal((await fetch(`${server.management}/readyz`)).status, 200);
      assert.match(await (await fetch(`${server.management}/metrics`)).text(), /^# TYPE signoff_sessions_open gauge$/m);
      assert.equal((await fetch(`${server.base}/readyz`)).status, 404);
      assert.equal((await fetch(`${server.base}/metrics`)).status, 404);
      assert.notEqual(new URL(server.management).port, String(port));
      const doc = (await (await fetch(`${server.base}/.well-known/openid-configuration`)).json()) as { issuer: string };
      assert.equal(doc.issuer, 'http://localhost:3000', 'the issuer of the written file');
      assert.ok(existsSync(join(cwd, 'data', 'signoff.sqlite')), 'the relative SQLite path is resolved against the working directory');
      const exit = await server.stop();
      assert.equal(exit.code, 0, `exit ${exit.code ?? exit.signal}\n${server.stderr()}`);
    });
  });

  describe('invalid configuration (exit 78, the message names the key)', () => {
    it('start, users, clients and keys with an unknown key exit 78 naming it', async () => {
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ issuer: 'http://127.0.0.1:3998', store: { sqlite: join(dir, 'bad.sqlite') }, bogusKey: 1 }));
      const results = await Promise.all([['start'], ['users', 'list'], ['clients', 'list'], ['keys', 'list']].map((a) => run([...a, '--config', bad], { cwd: dir })));
      for (const r of results) {
        assert.equal(r.code, 78, r.stderr);
        assert.match(r.stderr, /"bogusKey"/);
        assert.doesNotMatch(r.stderr, /\bat\s+\S+\.js:\d+/, 'no stack trace');
      }
      assert.ok(!existsSync(join(dir, 'bad.sqlite')), 'no store is created for an invalid configuration');
    });

    it('a bad value names its nested key; a missing or unparsable file names --config', async () => {
      const nested = join(dir, 'nested.json');
      writeFileSync(nested, JSON.stringify({ issuer: 'http://127.0.0.1:3997', clients: [{ client_id: 'x', client_secret: 'short', redirect_uris: ['https://a.example/cb'] }] }));
      const broken = join(dir, 'broken.json');
      writeFileSync(broken, '{ "issuer": ');
      const [a, b, c] = await Promise.all([
        run(['start', '--config', nested], { cwd: dir }),
        run(['start', '--config', join(dir, 'missing.json')], { cwd: dir }),
        run(['start', '--config', broken], { cwd: dir }),
      ]);
      assert.equal(a.code, 78);
      assert.match(a.stderr, /clients\[0\]\.client_secret/);
      assert.equal(b.code, 78);
      assert.match(b.stderr, /--config/);
      assert.equal(c.code, 78);
      assert.match(c.stderr, /--config/);
    });
  });

  describe('managing a store: keys, users and clients, seen by a running provider', () => {
    const cwd = mkdtempSync(join(dir, 'manage-'));
    const cfg = join(cwd, 'signoff.json');
    let port: number;
    let cliSecret = '';
    let kidsBefore: string[] = [];
    let newRsKid = '';
    let oldRsKid = '';
    let server: Server | undefined;
    const signoff = (...args: string[]) => run([...args, '--config', cfg], { cwd });

    before(async () => {
      port = await freePort();
      writeFileSync(cfg, JSON.stringify({
        issuer: `http://127.0.0.1:${port}`,
        port,
        store: { sqlite: join(cwd, 'store', 'signoff.sqlite') },
        logging: { level: 'silent' },
        clients: [defaultClients()[0]],
        users: [],
      }));
    });
    after(async () => {
      if (server) await server.stop();
    });

    it('keys list shows one current RS256 and one ES256 key', async () => {
      const r = await signoff('keys', 'list', '--json');
      assert.equal(r.code, 0, r.stderr);
      const keys = JSON.parse(r.stdout) as { kid: string; alg: string; status: string }[];
      assert.deepEqual(keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
      assert.ok(keys.every((k) => k.status === 'current'));
      kidsBefore = keys.map((k) => k.kid);
      const table = await signoff('keys', 'list');
      assert.equal(table.code, 0);
      for (const kid of kidsBefore) assert.ok(table.stdout.includes(kid));
      assert.doesNotMatch(r.stdout + table.stdout, /"d"|private/i, 'no private key material is printed');
    });

    it('keys rotate publishes new keys as next, while the old ones keep signing until then (OIDC Core §10.1.1, issue 10 §5)', async () => {
      const r = await signoff('keys', 'rotate');
      assert.equal(r.code, 0, r.stderr);
      const keys = JSON.parse((await signoff('keys', 'list', '--json')).stdout) as { kid: string; alg: string; status: string; signsFrom: string }[];
      assert.equal(keys.length, 4);
      const next = keys.filter((k) => k.status === 'next');
      assert.deepEqual(next.map((k) => k.alg).sort(), ['ES256', 'RS256']);
      assert.ok(next.every((k) => !kidsBefore.includes(k.kid)), 'the next keys are new');
      assert.deepEqual(keys.filter((k) => kidsBefore.includes(k.kid)).map((k) => k.status), ['current', 'current']);
      const lead = (Date.parse(next[0]?.signsFrom ?? '') - Date.now()) / 1000;
      assert.ok(lead > 30 && lead <= 70, `the next keys sign 70 s after the rotation, not ${lead} s`);
      newRsKid = next.find((k) => k.alg === 'RS256')?.kid ?? '';
      oldRsKid = keys.find((k) => kidsBefore.includes(k.kid) && k.alg === 'RS256')?.kid ?? '';
      for (const k of next) assert.ok(r.stdout.includes(k.kid), 'rotate prints the new kids');
    });

    it('users add / passwd (from stdin) / disable / list', async () => {
      const add = await signoff('users', 'add', 'carol', '--password', 'old-battery-staple-horse-1', '--claim', 'name=Carol', '--claim', 'email=carol@example.test', '--claim', 'email_verified=true');
      assert.equal(add.code, 0, add.stderr);
      const dup = await signoff('users', 'add', 'carol', '--password', 'another-battery-staple-horse');
      assert.equal(dup.code, 1, 'a runtime failure, not a usage error (issue 10 §8)');
      assert.match(dup.stderr, /exists/);
      const passwd = await run(['users', 'passwd', 'carol', '--password-stdin', '--config', cfg], { cwd, input: 'new-battery-staple-horse-2\n' });
      assert.equal(passwd.code, 0, passwd.stderr);
      assert.equal((await signoff('users', 'disable', 'carol')).code, 0);
      assert.equal((await signoff('users', 'disable', 'nobody')).code, 1);
      const list = await signoff('users', 'list', '--json');
      assert.equal(list.code, 0, list.stderr);
      const users = JSON.parse(list.stdout) as Record<string, unknown>[];
      const carol = users.find((u) => u.username === 'carol');
      assert.ok(carol);
      assert.equal(carol.disabled, true);
      assert.deepEqual(carol.claims, { name: 'Carol', email: 'carol@example.test', email_verified: true });
      assert.doesNotMatch(list.stdout, /argon2|password/i, 'no password hash is listed');
      const table = await signoff('users', 'list');
      assert.match(table.stdout, /carol\s+\S+\s+disabled/);
    });

    it('clients add prints a generated secret once; list shows the clients without secrets', async () => {
      const add = await signoff('clients', 'add', 'cli-app', '--redirect-uri', 'http://127.0.0.1:7000/cb', '--name', 'CLI App');
      assert.equal(add.code, 0, add.stderr);
      cliSecret = /client_secret: (\S+)/.exec(add.stdout)?.[1] ?? '';
      assert.ok(cliSecret.length >= 32, add.stdout);
      const list = await signoff('clients', 'list', '--json');
      assert.equal(list.code, 0);
      const clients = JSON.parse(list.stdout) as Record<string, unknown>[];
      const cli = clients.find((c) => c.client_id === 'cli-app');
      assert.ok(cli);
      assert.equal(cli.source, 'cli');
      assert.equal(cli.token_endpoint_auth_method, 'client_secret_basic');
      assert.equal(clients.find((c) => c.client_id === 'web')?.source, 'config');
      const table = await signoff('clients', 'list');
      for (const out of [list.stdout, table.stdout]) {
        assert.ok(!out.includes(cliSecret), 'the secret is not shown again');
        assert.doesNotMatch(out, /secret_hash|"client_secret"/);
      }
    });

    it('clients add refuses a duplicate id (exit 1) and invalid metadata (exit 2, naming the field)', async () => {
      assert.equal((await signoff('clients', 'add', 'cli-app', '--redirect-uri', 'http://127.0.0.1:7000/cb')).code, 1);
      const bad = await signoff('clients', 'add', 'bad', '--redirect-uri', 'http://app.example.com/cb');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /redirect_uris/);
      const noUri = await signoff('clients', 'add', 'bad2');
      assert.equal(noUri.code, 2);
    });

    it('clients add --public registers a client without a secret; clients remove removes it', async () => {
      const add = await signoff('clients', 'add', 'pub', '--public', '--redirect-uri', 'http://127.0.0.1:7001/cb');
      assert.equal(add.code, 0, add.stderr);
      assert.doesNotMatch(add.stdout, /client_secret:/);
      const before1 = JSON.parse((await signoff('clients', 'list', '--json')).stdout) as Record<string, unknown>[];
      assert.equal(before1.find((c) => c.client_id === 'pub')?.token_endpoint_auth_method, 'none');
      const rm = await signoff('clients', 'remove', 'pub');
      assert.equal(rm.code, 0, rm.stderr);
      const after1 = JSON.parse((await signoff('clients', 'list', '--json')).stdout) as Record<string, unknown>[];
      assert.ok(!after1.some((c) => c.client_id === 'pub'));
    });

    it('clients remove refuses a client defined in the configuration file, and an unknown one (exit 1)', async () => {
      const cfgClient = await signoff('clients', 'remove', 'web');
      assert.equal(cfgClient.code, 1);
      assert.match(cfgClient.stderr, /configuration/);
      assert.equal((await signoff('clients', 'remove', 'nobody')).code, 1);
      const clients = JSON.parse((await signoff('clients', 'list', '--json')).stdout) as Record<string, unknown>[];
      assert.ok(clients.some((c) => c.client_id === 'web'));
    });

    it('a provider started after the rotation publishes the old and the new keys in its JWKS', async () => {
      server = await startServer(['--config', cfg], { cwd, port });
      const jwks = (await (await fetch(`${server.base}/jwks`)).json()) as { keys: { kid: string; d?: unknown }[] };
      const kids = jwks.keys.map((k) => k.kid);
      for (const kid of [...kidsBefore, newRsKid]) assert.ok(kids.includes(kid), `JWKS lacks ${kid}`);
      assert.equal(kids.length, 4);
      assert.ok(jwks.keys.every((k) => k.d === undefined), 'no private parts in the JWKS');
    });

    it('the secret printed by clients add authenticates the client at the token endpoint', async () => {
      assert.ok(server);
      const ok = await tokenPost(server.base, basic('cli-app', cliSecret), { grant_type: 'authorization_code', code: 'bogus', redirect_uri: 'http://127.0.0.1:7000/cb' });
      assert.equal(ok.status, 400);
      assert.equal(ok.body.error, 'invalid_grant', 'authenticated; only the code is wrong');
      const wrong = await tokenPost(server.base, basic('cli-app', `${cliSecret}x`), { grant_type: 'authorization_code', code: 'bogus' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error, 'invalid_client');
    });

    it('users delete (while running, issue 12 §1): the user can no longer sign in, users list leaves it out, the username can be added again; an unknown user exits 1', async () => {
      assert.ok(server);
      assert.equal((await signoff('users', 'add', 'dave', '--password', 'dave-battery-staple-horse-1')).code, 0);
      const deleted = await signoff('users', 'delete', 'dave');
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.match(deleted.stdout, /^deleted user dave \(sub [0-9a-f-]{36}\); ended 0 session\(s\)$/m);
      const refused = await new TestBrowser(server.base).signIn(authorizeUrl(server.base), { username: 'dave', password: 'dave-battery-staple-horse-1' });
      assert.equal(refused.location, undefined, 'a deleted user does not sign in');
      assert.ok(isLoginPage(refused.body));
      assert.doesNotMatch((await signoff('users', 'list')).stdout, /\bdave\b/);
      assert.equal((await signoff('users', 'add', 'dave', '--password', 'dave-battery-staple-horse-2')).code, 0, 'the username is free again');
      const again = await signoff('users', 'delete', 'nobody-such');
      assert.equal(again.code, 1);
      assert.match(again.stderr, /no user "nobody-such"/);
    });

    it('a disabled user cannot sign in; after users enable (while running) only the new password works', async () => {
      assert.ok(server);
      const disabled = await new TestBrowser(server.base).signIn(authorizeUrl(server.base), { username: 'carol', password: 'new-battery-staple-horse-2' });
      assert.equal(disabled.location, undefined, `disabled: ${disabled.status} ${disabled.location ?? ''}`);
      assert.ok(isLoginPage(disabled.body), 'the sign-in form is shown again');
      assert.equal((await signoff('users', 'enable', 'carol')).code, 0);
      const oldPassword = await new TestBrowser(server.base).signIn(authorizeUrl(server.base), { username: 'carol', password: 'old-battery-staple-horse-1' });
      assert.equal(oldPassword.location, undefined, 'the old password no longer works after users passwd');
      assert.ok(isLoginPage(oldPassword.body));
      const browser = new TestBrowser(server.base);
      const hop = await browser.signIn(authorizeUrl(server.base), { username: 'carol', password: 'new-battery-staple-horse-2' });
      assert.equal(hop.status, 303, hop.body.slice(0, 300));
      const code = new URL(hop.location ?? '').searchParams.get('code');
      assert.ok(code);

      // Signed by the old key until the one made by `keys rotate` activates 70 s after it, then by
      // that one: which, depends on this run's speed (keys-rotation.test.ts checks the switch on a manual clock).
      const tokens = await tokenPost(server.base, basic(CLIENTS.web.client_id, CLIENTS.web.client_secret), {
        grant_type: 'authorization_code', code, redirect_uri: CLIENTS.web.redirect_uri,
      });
      assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
      for (const token of [tokens.body.id_token, tokens.body.access_token]) {
        assert.ok([oldRsKid, newRsKid].includes(decodeProtectedHeader(token ?? '').kid ?? ''), 'signed by a key of the rotation');
      }
      const claims = decodeJwt(tokens.body.id_token ?? '');
      assert.equal(claims.name, 'Carol');
      assert.equal(claims.email_verified, true, 'a JSON --claim value is stored as JSON');
    });

    it('start exits 0 on SIGTERM', async () => {
      assert.ok(server);
      const exit = await server.stop();
      server = undefined;
      assert.equal(exit.code, 0);
    });
  });
});
