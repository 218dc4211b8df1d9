/**
 * The database unreachable when `signoff start` runs (issue 11 §2 "Bad situations"): nothing
 * listening, a network that drops packets (test/helpers/tcp-link.ts), a database that does not
 * exist. The command fails at once with one line naming the database, and exit status 1.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { databaseUrl, usePostgres } from './helpers/postgres.js';
import { freePort } from './helpers/provider.js';
import { STACK, runSignoff } from './helpers/signoff-process.js';
import { startTcpLinkTo } from './helpers/tcp-link.js';

const postgresServer = usePostgres();
const dir = mkdtempSync(join(tmpdir(), 'signoff-outage-start-'));
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const writeConfig = (name: string, body: Record<string, unknown>): string => {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ logging: { level: 'warn' }, ...body }));
  return file;
};

describe('the database unreachable when signoff start runs (issue 11 §2)', () => {
  it('nothing listening at the database address: exit 1, one line naming the host and port, no password, no stack trace', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const config = writeConfig('refused', { issuer: 'http://127.0.0.1:3990', store: { postgres: `postgres://signoff:s3cret-pw@127.0.0.1:${port}/signoff` } });
    const r = await runSignoff(['start', '--config', config, '--port', String(await freePort())], { cwd: dir, timeoutMs: 20_000 });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot open the PostgreSQL store postgres://signoff@127\\.0\\.0\\.1:${port}/signoff: .*ECONNREFUSED`));
    assert.doesNotMatch(r.stderr, STACK);
    assert.ok(!r.stderr.includes('s3cret-pw'), 'the password is not printed');
    assert.doesNotMatch(r.stderr, /listening on/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  it('a network that drops packets to the database: exit 1 after the connect timeout, naming the host and port, never a hang', { timeout: 30_000 }, async () => {
    const server = await postgresServer();
    const link = await startTcpLinkTo(server.adminUrl);
    cleanups.push(link.close);
    link.freeze();
    const config = writeConfig('frozen-at-start', { issuer: 'http://127.0.0.1:3992', store: { postgres: link.via(server.adminUrl) } });
    const started = Date.now();
    const r = await runSignoff(['start', '--config', config, '--port', String(await freePort())], { cwd: dir, timeoutMs: 20_000 });
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(`cannot open the PostgreSQL store postgres://${new URL(server.adminUrl).username}@127.0.0.1:${link.port}/`), r.stderr);
    assert.match(r.stderr, /timeout/);
    assert.doesNotMatch(r.stderr, STACK);
    assert.ok(Date.now() - started < 15_000, `gave up after ${Date.now() - started} ms`);
  });

  it('a database that does not exist on a server that answers: exit 1 naming the database, its host and port, no stack trace', { timeout: 30_000 }, async () => {
    const server = await postgresServer();
    const url = databaseUrl(server.adminUrl, 'signoff_no_such_database');
    const { host } = new URL(url);
    const config = writeConfig('missing', { issuer: 'http://127.0.0.1:3991', store: { postgres: url } });
    const r = await runSignoff(['start', '--config', config, '--port', String(await freePort())], { cwd: dir, timeoutMs: 20_000 });
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(`cannot open the PostgreSQL store postgres://${new URL(url).username}@${host}/signoff_no_such_database`), r.stderr);
    assert.match(r.stderr, /database "signoff_no_such_database" does not exist/);
    assert.doesNotMatch(r.stderr, STACK);
  });
});
