/**
 * Housekeeping deletes expired password-reset tokens (issue 17 §4): a link nobody can use any
 * more does not stay in the store. Run on a provider over each store, SQLite and PostgreSQL,
 * reading the table itself: the expired row is gone after a housekeeping run, the live one stays.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ManualClock, nowSeconds } from '../src/clock.js';
import { startHousekeeping } from '../src/housekeeping.js';
import { freshDatabase, usePostgres } from './helpers/postgres.js';
import { type TestProvider, startProvider } from './helpers/provider.js';
import { accountIdOf } from './helpers/session-flows.js';
import { eventually } from './helpers/receiver.js';

const TTL = 900;

/** The provider, and the token hashes its password_reset_tokens table holds, read with SQL. */
interface Subject {
  op: TestProvider;
  hashes(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Runs housekeeping every 20 ms until the table holds `expected` (bounded: a loaded machine can
 * take a while over a run on PostgreSQL), then stops it; fails if it never does or a run errs.
 */
const sweepUntil = async (s: Subject, expected: string[]): Promise<void> => {
  const errors: object[] = [];
  const stop = startHousekeeping(s.op.provider, { info: () => undefined, error: (obj) => errors.push(obj) }, 20);
  try {
    await eventually(async () => (JSON.stringify((await s.hashes()).sort()) === JSON.stringify(expected) ? true : undefined), `the reset tokens ${JSON.stringify(expected)}`, 15_000);
  } finally {
    stop();
  }
  assert.deepEqual(errors, [], 'housekeeping ran without errors');
};

const suite = (name: string, start: (clock: ManualClock) => Promise<Subject>): void => {
  describe(`housekeeping on ${name} (issue 17 §4)`, () => {
    const clock = new ManualClock();
    let s: Subject;
    before(async () => {
      s = await start(clock);
    });
    after(() => s?.close());

    it('an expired password-reset token row is gone after a housekeeping run; a live one stays until it expires', async () => {
      const accountId = await accountIdOf(s.op, 'alice');
      const now = nowSeconds(clock);
      const limit = { since: now - TTL, max: 3 };
      assert.equal(await s.op.provider.store.insertResetToken({ hash: 'expired-token-hash', accountId, createdAt: now - TTL + 60, expiresAt: now - 1 }, limit), true);
      assert.equal(await s.op.provider.store.insertResetToken({ hash: 'live-token-hash', accountId, createdAt: now, expiresAt: now + TTL }, limit), true);
      assert.deepEqual((await s.hashes()).sort(), ['expired-token-hash', 'live-token-hash']);
      await sweepUntil(s, ['live-token-hash']);
      clock.advance(TTL + 1);
      await sweepUntil(s, []);
    });
  });
};

suite('SQLite', async (clock) => {
  const op = await startProvider({}, { clock });
  return {
    op,
    hashes: async () => {
      const db = new Database(join(op.dir, 'signoff.sqlite'), { readonly: true, fileMustExist: true });
      try {
        return (db.prepare('SELECT token_hash FROM password_reset_tokens').all() as { token_hash: string }[]).map((r) => r.token_hash);
      } finally {
        db.close();
      }
    },
    close: () => op.close(),
  };
});

const server = usePostgres();
suite('PostgreSQL', async (clock) => {
  const db = await freshDatabase(await server());
  const op = await startProvider({ store: { postgres: db.url, poolSize: 4 } }, { clock });
  return {
    op,
    hashes: async () => {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        return (await client.query<{ token_hash: string }>('SELECT token_hash FROM password_reset_tokens')).rows.map((r) => r.token_hash);
      } finally {
        await client.end();
      }
    },
    close: async () => {
      await op.close();
      await db.drop();
    },
  };
});
