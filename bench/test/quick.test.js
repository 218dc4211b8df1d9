// The harness itself, in seconds: `node bench/run.js --quick` must produce a number for every
// scenario of each side (or say why there is none). Speed is never asserted here.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const RUN = join(dirname(dirname(fileURLToPath(import.meta.url))), 'run.js');
const IDS = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8'];

test('bench --quick: every scenario produced a number, or says why it has none', { timeout: 300_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'signoff-bench-quick-'));
  try {
    await promisify(execFile)(process.execPath, [RUN, '--quick', '--out', out], { maxBuffer: 16 * 1024 * 1024 });
    const results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
    assert.deepEqual([...new Set(results.scenarios.map((s) => s.id))].sort(), IDS);
    for (const s of results.scenarios) {
      assert.ok(Number.isFinite(s.signoff?.median) || s.signoffNote, `${s.id} ${s.title}: no Signoff number and no note`);
      assert.ok(Number.isFinite(s.peer?.median) || s.peerNote, `${s.id} ${s.title}: no oidc-provider number and no note`);
    }
    assert.match(readFileSync(join(out, 'latest.md'), 'utf8'), /\| P1 \|/);
    assert.ok(results.machine.cpu && results.machine.cores > 0 && results.machine.node);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
