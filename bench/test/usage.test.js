// The harness's command line (issue 10 §8): `npm run bench -- --help` prints the usage and exits
// 0; a mistyped option or scenario is a usage error (exit 2, no stack trace). Nothing is started.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const RUN = join(dirname(dirname(fileURLToPath(import.meta.url))), 'run.js');
const bench = (...args) => spawnSync(process.execPath, [RUN, ...args], { encoding: 'utf8', timeout: 30_000 });
const STACK = /\bat\s+\S+:\d+:\d+/;

test('bench --help and -h print the usage on stdout and exit 0 (issue 10 §8)', () => {
  for (const flag of ['--help', '-h']) {
    const r = bench(flag);
    assert.equal(r.status, 0, `${flag}: exit ${r.status}\n${r.stderr}`);
    assert.match(r.stdout, /^Usage: npm run bench -- /);
    for (const option of ['--quick', '--only', '--out', '--profile', '--postgres']) assert.ok(r.stdout.includes(option), `${flag} names ${option}`);
    assert.doesNotMatch(r.stdout + r.stderr, STACK, 'no stack trace');
  }
});

test('an unknown option or scenario is a usage error: exit 2, the message and the usage, no stack trace (issue 10 §8)', () => {
  for (const [args, message] of [[['--bogus'], /--bogus/], [['--only', 'P1,P9'], /P9/], [['--postgres', 'mysql://db'], /--postgres/]]) {
    const r = bench(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Usage: npm run bench/);
    assert.doesNotMatch(r.stderr, STACK, 'no stack trace');
  }
});
