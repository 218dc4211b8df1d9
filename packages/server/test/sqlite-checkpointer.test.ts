/**
 * Issue 18: a serving SQLite store checkpoints its WAL on a thread of its own
 * (store/sqlite/checkpointer.ts), so no request waits for the copy and its fsync; what SQLite
 * guarantees stays whole: a commit that returned survives the process being killed, whatever
 * the checkpointer was doing (SQLite "Write-Ahead Logging" §2: a commit is durable once in the WAL).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type CheckpointReport, FALLBACK_AUTOCHECKPOINT_PAGES, startCheckpointer } from '../src/store/sqlite/checkpointer.js';
import { Sql } from '../src/store/sqlite/sql.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import { eventually } from './helpers/receiver.js';
import { sampleClient } from './helpers/store-contract/samples.js';

const dir = mkdtempSync(join(tmpdir(), 'signoff-checkpointer-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const autocheckpoint = (sql: Sql): number => sql.db.pragma('wal_autocheckpoint', { simple: true }) as number;

describe('WAL checkpoints on a thread of their own (issue 18)', () => {
  it('the checkpointer copies the WAL back while the serving connection writes, and the serving connection checkpoints itself only past the fallback bound', async () => {
    const path = join(dir, 'copies.db');
    const sql = new Sql(path);
    const reports: CheckpointReport[] = [];
    const stop = startCheckpointer(sql, path, (r) => reports.push(r), 50);
    try {
      assert.equal(autocheckpoint(sql), FALLBACK_AUTOCHECKPOINT_PAGES);
      const insert = sql.db.prepare("INSERT INTO browsers (id, secret_hash, created_at) VALUES (?, 'h', 0)");
      for (let i = 0; i < 3000; i++) insert.run(`b${i}`);
      await eventually(async () => (reports.some((r) => r.kind === 'checkpointed' && r.checkpointed > 0) ? true : undefined), 'a checkpoint by the thread', 5000);
      assert.deepEqual(reports.filter((r) => r.kind === 'failed'), []);
      // What the thread copied is in the database file: a connection that ignores the WAL finds it.
      await eventually(async () => {
        const r = reports.at(-1);
        return r?.kind === 'checkpointed' && r.log === r.checkpointed && r.log > 0 ? true : undefined;
      }, 'the whole WAL checkpointed', 5000);
    } finally {
      await stop();
    }
    assert.equal(autocheckpoint(sql), 1000, "SQLite's default again once it stops");
    sql.db.close();
    const direct = new Database(path, { readonly: true });
    try {
      assert.equal((direct.prepare('SELECT count(*) AS n FROM browsers').get() as { n: number }).n, 3000);
    } finally {
      direct.close();
    }
  });

  it('a store opened in memory or by a CLI command starts no thread; close() stops the thread of a serving store and leaves the file whole', async () => {
    const memory = new SqliteStore(':memory:');
    await memory.startUpkeep(() => assert.fail('no upkeep in memory'))();
    await memory.close();
    const path = join(dir, 'serving.db');
    const store = new SqliteStore(path);
    const problems: string[] = [];
    store.startUpkeep((m) => problems.push(m));
    for (let i = 0; i < 200; i++) await store.upsertClient(sampleClient());
    await store.close();
    assert.deepEqual(problems, []);
    const again = new SqliteStore(path);
    try {
      assert.equal((await again.listClients()).length, 200);
    } finally {
      await again.close();
    }
  });

  it('a process killed (SIGKILL) while it commits and its thread checkpoints loses no commit that returned (WAL §2)', async () => {
    const path = join(dir, 'killed.db');
    await new SqliteStore(path).close();
    // The child writes rows one commit at a time, with the checkpointer at 10 ms, and prints each id once its commit returned.
    const script = `
      const { Sql } = await import(${JSON.stringify(new URL('../src/store/sqlite/sql.js', import.meta.url).href)});
      const { startCheckpointer } = await import(${JSON.stringify(new URL('../src/store/sqlite/checkpointer.js', import.meta.url).href)});
      const sql = new Sql(${JSON.stringify(path)});
      startCheckpointer(sql, ${JSON.stringify(path)}, () => {}, 10);
      const insert = sql.db.prepare("INSERT INTO browsers (id, secret_hash, created_at) VALUES (?, 'h', 0)");
      let i = 0;
      const write = () => { for (let n = 0; n < 50; n++) { insert.run('k' + i); process.stdout.write(i + '\\n'); i++; } setImmediate(write); };
      write();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await eventually(async () => (out.split('\n').length > 5000 ? true : undefined), 'thousands of commits', 20_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const acknowledged = out.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
    assert.ok(acknowledged.length > 5000, `${acknowledged.length} commits acknowledged`);
    const db = new Database(path);
    try {
      assert.equal((db.pragma('integrity_check', { simple: true }) as string), 'ok');
      const stored = new Set((db.prepare("SELECT id FROM browsers WHERE id LIKE 'k%'").all() as { id: string }[]).map((r) => r.id));
      const lost = acknowledged.filter((i) => !stored.has(`k${i}`));
      assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged commits lost`);
    } finally {
      db.close();
    }
  });
});

