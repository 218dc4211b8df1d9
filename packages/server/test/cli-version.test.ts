/**
 * Issue 17 §1: `signoff --version` (and `signoff version`) prints the installed package's
 * version and exits 0 — the real binary in a child process. The version is read from
 * packages/server/package.json at run time, relative to the installed code: a copy of the
 * package whose package.json says another version prints that one, so it is not a constant
 * compiled in.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { BIN, STACK, cleanEnv, runSignoff } from './helpers/signoff-process.js';

const PACKAGE_DIR = dirname(dirname(BIN));
const VERSION = (JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;

describe('issue 17 §1: signoff --version', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-version-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const args of [['--version'], ['version'], ['-V']]) {
    it(`signoff ${args.join(' ')} prints the version of packages/server/package.json (${VERSION}) alone and exits 0, opening no store`, async () => {
      const r = await runSignoff(args, { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${VERSION}\n`);
      assert.equal(r.stderr, '');
      assert.deepEqual(readdirSync(dir), [], 'no data directory or store was created');
    });
  }

  /** A copy of the installed package (bin, dist/src, and this package.json) beside the dependencies; returns its binary. */
  const copyOfPackage = (name: string, manifest: Record<string, unknown>): string => {
    const root = join(dir, name);
    const pkg = join(root, 'signoff');
    cpSync(join(PACKAGE_DIR, 'bin'), join(pkg, 'bin'), { recursive: true });
    cpSync(join(PACKAGE_DIR, 'dist', 'src'), join(pkg, 'dist', 'src'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify(manifest));
    // The dependencies, where Node looks for them from the copy (the workspace hoists them).
    const modules = [join(PACKAGE_DIR, 'node_modules'), join(PACKAGE_DIR, '..', '..', 'node_modules')].find((d) => existsSync(join(d, 'fastify')));
    assert.ok(modules, 'the installed dependencies were found');
    symlinkSync(modules, join(root, 'node_modules'), 'dir');
    return join(pkg, 'bin', 'signoff.js');
  };
  const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as Record<string, unknown>;
  const runBin = (bin: string) => spawnSync(process.execPath, [bin, '--version'], { cwd: dir, env: cleanEnv(), encoding: 'utf8', timeout: 20_000 });

  it('the version comes from the installed package.json at run time: a copy of the package that says 9.8.7-copy prints 9.8.7-copy', () => {
    const run = runBin(copyOfPackage('copy', { ...manifest, version: '9.8.7-copy' }));
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '9.8.7-copy\n');
  });

  it('a package.json without a version is a clear failure (exit 1, a message, no stack trace), not a made-up version', () => {
    const { version: _omitted, ...unversioned } = manifest;
    const run = runBin(copyOfPackage('unversioned', unversioned));
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^signoff: .*version/);
    assert.doesNotMatch(run.stderr, STACK);
  });
});
