import type { ThrottleRule } from '../../accounts/throttle.js';
import type { ThrottleEntry, ThrottleState, ThrottleStore } from '../../accounts/throttle-store.js';
import { blockedKeys, toThrottleState } from '../throttle-rows.js';
import type { Sql } from './sql.js';

/** The count once this attempt is added: one again after a quiet `resetAfter`. */
const NEXT = 'CASE WHEN signin_throttle.last_failure_at < @resetBefore THEN 1 ELSE signin_throttle.failures + 1 END';

/**
 * One upsert counts an attempt and, at lockAfter, locks; with @check, the DO UPDATE's WHERE makes
 * it refuse (no row returned) while the counter is blocked, in the same statement.
 */
const COUNT = `INSERT INTO signin_throttle (key, failures, first_failure_at, last_failure_at, locked_until)
  VALUES (@key, 1, @at, @at, CASE WHEN 1 >= @lockAfter THEN @at + @lockDuration END)
  ON CONFLICT (key) DO UPDATE SET
    failures = ${NEXT},
    first_failure_at = CASE WHEN signin_throttle.last_failure_at < @resetBefore THEN @at ELSE signin_throttle.first_failure_at END,
    last_failure_at = @at,
    locked_until = CASE WHEN ${NEXT} >= @lockAfter THEN @at + @lockDuration
                        WHEN signin_throttle.last_failure_at < @resetBefore THEN NULL ELSE signin_throttle.locked_until END
  WHERE @check = 0 OR signin_throttle.locked_until IS NULL OR signin_throttle.locked_until <= @at
  RETURNING *`;

/** accounts/throttle.ts penaltyAfter's delays, in SQL: past the free failures and short of the lock (set when counted). */
const CONFIRM = `UPDATE signin_throttle
  SET locked_until = MAX(COALESCE(locked_until, 0), @at + MIN(@maxDelay, @delay * (1 << MIN(failures - @free - 1, 30))))
  WHERE key = @key AND failures > @free AND failures < @lockAfter`;

/** Thrown inside the claim's transaction to roll back what it counted. */
class Blocked extends Error {
  constructor(readonly key: string) {
    super('blocked');
  }
}

/**
 * ThrottleStore on SQLite. A claim is one synchronous transaction, so no other statement of this
 * connection (or, through the file lock, of another process) runs between its check and count.
 */
export const sqliteThrottle = (sql: Sql): ThrottleStore => {
  const claim = sql.db.transaction((at: number, entries: readonly ThrottleEntry[]): ThrottleState[] => {
    const counted: ThrottleState[] = [];
    for (const e of entries) {
      if (!e.count) {
        const r = sql.one('SELECT locked_until FROM signin_throttle WHERE key = ?', e.key);
        if (e.check && typeof r?.locked_until === 'number' && r.locked_until > at) throw new Blocked(e.key);
        continue;
      }
      const { rule, resetAfter } = e.count;
      const r = sql.one(COUNT, { key: e.key, at, resetBefore: at - resetAfter, check: e.check ? 1 : 0, lockAfter: rule.lockAfter, lockDuration: rule.lockDuration });
      if (!r) throw new Blocked(e.key);
      counted.push(toThrottleState(r));
    }
    return counted;
  });
  const confirm = sql.db.transaction((at: number, entries: readonly { key: string; rule: ThrottleRule }[]) => {
    for (const { key, rule } of entries) {
      sql.run(CONFIRM, { key, at, free: rule.freeFailures, delay: rule.delay, maxDelay: rule.maxDelay, lockAfter: rule.lockAfter });
    }
  });
  const inList = (keys: readonly string[]) => keys.map(() => '?').join(', ');
  return {
    async throttleStates(keys) {
      if (keys.length === 0) return [];
      return sql.all(`SELECT * FROM signin_throttle WHERE key IN (${inList(keys)})`, ...keys).map(toThrottleState);
    },
    async claimThrottle(at, entries) {
      try {
        return { admitted: true, counted: claim.immediate(at, entries) };
      } catch (err) {
        if (!(err instanceof Blocked)) throw err;
        return { admitted: false, blocked: blockedKeys(await this.throttleStates(entries.filter((e) => e.check).map((e) => e.key)), at, err.key) };
      }
    },
    async confirmThrottleFailures(at, entries) {
      confirm(at, entries);
    },
    async clearThrottle(keys) {
      if (keys.length > 0) sql.run(`DELETE FROM signin_throttle WHERE key IN (${inList(keys)})`, ...keys);
    },
    async uncountThrottle(keys) {
      if (keys.length > 0) sql.run(`UPDATE signin_throttle SET failures = MAX(failures - 1, 0) WHERE key IN (${inList(keys)})`, ...keys);
    },
    async markThrottleSeen(key, at) {
      sql.run(
        `INSERT INTO signin_throttle (key, failures, first_failure_at, last_failure_at, locked_until) VALUES (?, 0, ?, ?, NULL)
         ON CONFLICT (key) DO UPDATE SET last_failure_at = excluded.last_failure_at`,
        key, at, at,
      );
    },
    async pruneThrottle(prefix, lastBefore, at) {
      return sql.run(
        'DELETE FROM signin_throttle WHERE substr(key, 1, length(?)) = ? AND last_failure_at < ? AND (locked_until IS NULL OR locked_until <= ?)',
        prefix, prefix, lastBefore, at,
      );
    },
  };
};
