import type { ThrottleEntry, ThrottleState, ThrottleStore } from '../../accounts/throttle-store.js';
import { blockedKeys, toThrottleState } from '../throttle-rows.js';
import type { Db, Q } from './db.js';

// $1 key, $2 at, $3 reset before, $4 check, $5 lock after, $6 lock duration.
const NEXT = 'CASE WHEN signin_throttle.last_failure_at < $3::float8 THEN 1 ELSE signin_throttle.failures + 1 END';

/**
 * One upsert counts an attempt and, at lockAfter, locks; with $4 the DO UPDATE's WHERE makes it
 * refuse (no row returned) while the counter is blocked. The upsert locks the row, so a concurrent
 * claim on another instance waits and then sees this one's count (READ COMMITTED re-checks the
 * newest row version).
 */
const COUNT = `INSERT INTO signin_throttle (key, failures, first_failure_at, last_failure_at, locked_until)
  VALUES ($1, 1, $2::float8, $2::float8, CASE WHEN 1 >= $5::int THEN $2::float8 + $6::float8 END)
  ON CONFLICT (key) DO UPDATE SET
    failures = ${NEXT},
    first_failure_at = CASE WHEN signin_throttle.last_failure_at < $3::float8 THEN $2::float8 ELSE signin_throttle.first_failure_at END,
    last_failure_at = $2::float8,
    locked_until = CASE WHEN ${NEXT} >= $5::int THEN $2::float8 + $6::float8
                        WHEN signin_throttle.last_failure_at < $3::float8 THEN NULL ELSE signin_throttle.locked_until END
  WHERE NOT $4::boolean OR signin_throttle.locked_until IS NULL OR signin_throttle.locked_until <= $2::float8
  RETURNING *`;

/** accounts/throttle.ts penaltyAfter's delays, in SQL: past the free failures and short of the lock (set when counted). */
// $1 key, $2 at, $3 free failures, $4 delay, $5 max delay, $6 lock after.
const CONFIRM = `UPDATE signin_throttle
  SET locked_until = GREATEST(COALESCE(locked_until, 0), $2::float8 + LEAST($5::float8, $4::float8 * (1::bigint << LEAST(failures - $3::int - 1, 30))))
  WHERE key = $1 AND failures > $3::int AND failures < $6::int`;

/** Thrown inside the claim's transaction to roll back what it counted. */
class Blocked extends Error {
  constructor(readonly key: string) {
    super('blocked');
  }
}

/** In key order, so two transactions sharing counters lock them in the same order and never deadlock. */
const sortedByKey = <T extends { key: string }>(entries: readonly T[]): T[] => [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

const claimIn = async (q: Q, at: number, entries: readonly ThrottleEntry[]): Promise<ThrottleState[]> => {
  const counted: ThrottleState[] = [];
  for (const e of sortedByKey(entries)) {
    if (!e.count) {
      const r = await q.one('SELECT locked_until FROM signin_throttle WHERE key = $1', [e.key]);
      if (e.check && typeof r?.locked_until === 'number' && r.locked_until > at) throw new Blocked(e.key);
      continue;
    }
    const { rule, resetAfter } = e.count;
    const r = await q.one(COUNT, [e.key, at, at - resetAfter, e.check, rule.lockAfter, rule.lockDuration]);
    if (!r) throw new Blocked(e.key);
    counted.push(toThrottleState(r));
  }
  return counted;
};

/** ThrottleStore on PostgreSQL: a claim is one READ COMMITTED transaction of row-locking upserts. */
export const postgresThrottle = (db: Db): ThrottleStore => ({
  async throttleStates(keys) {
    if (keys.length === 0) return [];
    return (await db.all('SELECT * FROM signin_throttle WHERE key = ANY($1::text[])', [keys])).map(toThrottleState);
  },
  async claimThrottle(at, entries) {
    try {
      return { admitted: true, counted: await db.tx((q) => claimIn(q, at, entries)) };
    } catch (err) {
      if (!(err instanceof Blocked)) throw err;
      return { admitted: false, blocked: blockedKeys(await this.throttleStates(entries.filter((e) => e.check).map((e) => e.key)), at, err.key) };
    }
  },
  async confirmThrottleFailures(at, entries) {
    if (entries.length === 0) return;
    await db.tx(async (q) => {
      for (const { key, rule } of sortedByKey(entries)) await q.run(CONFIRM, [key, at, rule.freeFailures, rule.delay, rule.maxDelay, rule.lockAfter]);
    });
  },
  async uncountThrottle(keys) {
    if (keys.length > 0) await db.run('UPDATE signin_throttle SET failures = GREATEST(failures - 1, 0) WHERE key = ANY($1::text[])', [keys]);
  },
  async clearThrottle(keys) {
    if (keys.length === 0) return;
    // One key at a time in key order, as claims lock them: a deadlock with one is then impossible.
    await db.tx(async (q) => {
      for (const { key } of sortedByKey(keys.map((key) => ({ key })))) await q.run('DELETE FROM signin_throttle WHERE key = $1', [key]);
    });
  },
  async markThrottleSeen(key, at) {
    await db.run(
      `INSERT INTO signin_throttle (key, failures, first_failure_at, last_failure_at, locked_until) VALUES ($1, 0, $2, $2, NULL)
       ON CONFLICT (key) DO UPDATE SET last_failure_at = excluded.last_failure_at`,
      [key, at],
    );
  },
  async pruneThrottle(prefix, lastBefore, at) {
    return db.run(
      'DELETE FROM signin_throttle WHERE left(key, length($1)) = $1 AND last_failure_at < $2 AND (locked_until IS NULL OR locked_until <= $3)',
      [prefix, lastBefore, at],
    );
  },
});
