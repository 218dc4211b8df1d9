/**
 * `signoff events tail` as an operator runs it (issue 10 §8): `-n N` prints the latest N events,
 * oldest first, or all of them when the store holds fewer than N.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteStore } from '../src/store/sqlite/store.js';
import { runSignoff } from './helpers/signoff-process.js';

describe('signoff events tail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-cli-events-'));
  const cfg = join(dir, 'signoff.json');
  const tail = async (...args: string[]): Promise<string[]> => {
    const r = await runSignoff(['events', 'tail', '--json', '--config', cfg, ...args], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { sessionId: string }).sessionId);
  };
  const ids = Array.from({ length: 15 }, (_, i) => `s${String(i + 1).padStart(2, '0')}`);

  before(async () => {
    writeFileSync(cfg, JSON.stringify({ issuer: 'http://127.0.0.1:3996', store: { sqlite: join(dir, 'signoff.sqlite') }, logging: { level: 'silent' } }));
    const store = new SqliteStore(join(dir, 'signoff.sqlite'));
    for (const [i, sessionId] of ids.entries()) await store.appendEvent({ at: 1_700_000_000 + i, type: 'session.created', sessionId, accountId: 'a' });
    await store.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('-n N with fewer than N events stored prints every event, oldest first (issue 10 §8)', async () => {
    assert.deepEqual(await tail('-n', '20'), ids, '15 stored, 20 asked');
    assert.deepEqual(await tail('-n', '15'), ids);
    assert.deepEqual(await tail('-n', '29'), ids, 'just under twice as many asked');
    assert.deepEqual(await tail(), ids, 'the default of 20');
  });

  it('-n N with more than N events stored prints the latest N, oldest first; -n 0 prints none', async () => {
    assert.deepEqual(await tail('-n', '10'), ids.slice(5));
    assert.deepEqual(await tail('-n', '1'), ['s15']);
    assert.deepEqual(await tail('-n', '0'), []);
  });
});
