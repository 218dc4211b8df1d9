/**
 * The exit status of `signoff` (issue 10 §8): 2 only for a usage error (the command line itself
 * is wrong), 1 for a runtime failure — what the command names does not exist or already exists,
 * or the store cannot be opened — with the reason on stderr, no usage text and no stack trace.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { STACK, runSignoff } from './helpers/signoff-process.js';


describe('signoff exit status: 1 for runtime failures, 2 only for usage errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-cli-exit-'));
  const cfg = join(dir, 'signoff.json');
  const signoff = (...args: string[]) => runSignoff([...args, '--config', cfg], { cwd: dir });
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    writeFileSync(cfg, JSON.stringify({ issuer: 'http://127.0.0.1:3994', store: { sqlite: join(dir, 'signoff.sqlite') }, logging: { level: 'silent' } }));
    const setup = await signoff('users', 'add', 'erin', '--password', 'erin-battery-staple-horse');
    assert.equal(setup.code, 0, setup.stderr);
    const client = await signoff('clients', 'add', 'app', '--public', '--redirect-uri', 'http://127.0.0.1:7002/cb');
    assert.equal(client.code, 0, client.stderr);
  });

  it('something named that does not exist, or already exists, exits 1 with the reason (issue 10 §8)', async () => {
    const cases: [string[], RegExp][] = [
      [['users', 'passwd', 'nobody', '--password', 'x'], /no user "nobody"/],
      [['users', 'disable', 'nobody'], /no user "nobody"/],
      [['users', 'enable', 'nobody'], /no user "nobody"/],
      [['users', 'add', 'erin', '--password', 'another-battery-staple-horse'], /user "erin" already exists/],
      [['sessions', 'show', 'no-such-session'], /no session "no-such-session"/],
      [['sessions', 'list', '--user', 'nobody'], /no user "nobody"/],
      [['sessions', 'end', '--user', 'nobody'], /no user "nobody"/],
      [['clients', 'remove', 'nobody'], /no client "nobody"/],
      [['clients', 'add', 'app', '--public', '--redirect-uri', 'http://127.0.0.1:7002/cb'], /client "app" already exists/],
    ];
    const results = await Promise.all(cases.map(([args]) => signoff(...args)));
    results.forEach((r, i) => {
      const [args, message] = cases[i] ?? [[], /./];
      assert.equal(r.code, 1, `signoff ${args.join(' ')} → ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.doesNotMatch(r.stdout + r.stderr, /Usage/, 'no usage text for a runtime failure');
      assert.doesNotMatch(r.stderr, STACK, 'no stack trace');
    });
  });

  it('init refuses to overwrite an existing file: exit 1', async () => {
    const r = await runSignoff(['init', '--file', cfg], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /exists; use --force/);
  });

  it('a usage error still exits 2, even when the command would also fail at run time', async () => {
    const r = await signoff('users', 'add', 'erin');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /password/);
  });

  it('a store that cannot be opened exits 1, naming the store path, without a stack trace (issue 10 §8)', async () => {
    const garbage = join(dir, 'not-a-database.sqlite');
    writeFileSync(garbage, 'this is not an SQLite file, but long enough to be read as one: '.repeat(100));
    const underFile = join(dir, 'signoff.json', 'store.sqlite'); // its "directory" is a file
    for (const path of [garbage, underFile]) {
      const other = join(dir, `store-${path === garbage ? 'garbage' : 'under-file'}.json`);
      writeFileSync(other, JSON.stringify({ issuer: 'http://127.0.0.1:3994', store: { sqlite: path }, logging: { level: 'silent' } }));
      for (const args of [['users', 'list'], ['start']]) {
        const r = await runSignoff([...args, '--config', other], { cwd: dir });
        assert.equal(r.code, 1, `${args.join(' ')} on ${path}: ${r.code} ${r.stderr}`);
        assert.ok(r.stderr.includes(`cannot open the SQLite store ${path}`), r.stderr);
        assert.doesNotMatch(r.stderr, STACK, 'no stack trace');
      }
    }
  });
});
