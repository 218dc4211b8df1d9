// `--only` runs some scenarios; their rows replace those of the same scenarios in the previous
// results, and the other rows are kept, each marked with the run it came from.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mergeWithPrevious, writeResults } from '../lib/report.js';

const ORDER = ['P1', 'P2', 'P3'];
const run = (startedAt, ids, value) => ({
  mode: 'full',
  startedAt,
  durationSeconds: 1,
  machine: { cpu: 'cpu', cores: 2, memoryGb: 1, os: 'os', node: 'v20', loadStart: [1, 1, 1], loadEnd: [1, 1, 1] },
  versions: { signoff: '0', oidcProvider: '0', autocannon: '0' },
  repetitions: 3,
  notes: [],
  scenarios: ids.map((id) => ({ id, title: id, unit: 'x', signoff: { median: value, min: value, max: value } })),
});

test('--only: the rows it ran replace the same scenarios, the others are kept and marked with their run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-bench-merge-'));
  try {
    writeResults(dir, run('2026-01-01T00:00:00.000Z', ORDER, 1));
    const second = mergeWithPrevious(dir, run('2026-02-02T00:00:00.000Z', ['P2'], 2), ORDER);
    assert.deepEqual(second.scenarios.map((s) => [s.id, s.signoff.median, s.from]), [
      ['P1', 1, '2026-01-01T00:00:00.000Z'],
      ['P2', 2, undefined],
      ['P3', 1, '2026-01-01T00:00:00.000Z'],
    ]);
    writeResults(dir, second);
    const third = mergeWithPrevious(dir, run('2026-03-03T00:00:00.000Z', ['P1'], 3), ORDER);
    assert.deepEqual(third.scenarios.map((s) => [s.id, s.signoff.median, s.from]), [
      ['P1', 3, undefined],
      ['P2', 2, '2026-02-02T00:00:00.000Z'],
      ['P3', 1, '2026-01-01T00:00:00.000Z'],
    ]);
    assert.deepEqual(third.earlierRuns.map((r) => [r.startedAt, r.scenarioIds]), [
      ['2026-01-01T00:00:00.000Z', ['P3']],
      ['2026-02-02T00:00:00.000Z', ['P2']],
    ]);
    writeResults(dir, third);
    const md = readFileSync(join(dir, 'latest.md'), 'utf8');
    assert.match(md, /\| P3 \[2026-01-01\] \|/);
    assert.match(md, /\| P1 \|/);
    // A previous file of another mode is not merged.
    writeFileSync(join(dir, 'latest.json'), JSON.stringify({ ...run('2026-04-04T00:00:00.000Z', ORDER, 4), mode: 'quick' }));
    assert.equal(mergeWithPrevious(dir, run('2026-05-05T00:00:00.000Z', ['P1'], 5), ORDER).scenarios.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
