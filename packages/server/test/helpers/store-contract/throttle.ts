/**
 * The sign-in throttle contract (ThrottleStore, issue 14 §4): counting and blocking in one atomic
 * step, so several instances on one store count every failure exactly (DESIGN.md "Storage":
 * throttling counters are shared through the store).
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { type ThrottleRule, penaltyAfter } from '../../../src/accounts/throttle.js';
import type { ThrottleEntry } from '../../../src/accounts/throttle-store.js';
import { type MakeStore, NOW, same, storeTest } from './samples.js';

const RULE: ThrottleRule = { freeFailures: 2, delay: 1, maxDelay: 8, lockAfter: 8, lockDuration: 900 };
const RESET = 3600;
const counted = (key: string, check = true, rule = RULE): ThrottleEntry => ({ key, check, count: { rule, resetAfter: RESET } });

export const throttleStoreContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

  describe('sign-in throttle counters (issue 14 §4)', () => {
    test('each attempt counts one, and once confirmed a failure blocks as penaltyAfter says: free failures, a doubling delay up to the maximum, then the lock', async (store) => {
      let at = NOW;
      for (let n = 1; n <= 10; n++) {
        const claim = await store.claimThrottle(at, [counted('pair:a')]);
        assert.ok(claim.admitted, `failure ${n} is admitted`);
        assert.equal(claim.counted[0]?.failures, n);
        if (n >= RULE.lockAfter) assert.equal(claim.counted[0]?.lockedUntil, at + RULE.lockDuration, 'the count that reaches lockAfter locks at once');
        else assert.ok((claim.counted[0]?.lockedUntil ?? 0) <= at, 'short of the lock, counting does not block');
        await store.confirmThrottleFailures(at, [{ key: 'pair:a', rule: RULE }]);
        const [state] = await store.throttleStates(['pair:a']);
        const penalty = penaltyAfter(RULE, n);
        assert.equal(state?.lockedUntil, penalty === undefined ? undefined : at + penalty, `blocked after failure ${n}`);
        assert.equal(state?.firstFailureAt, NOW);
        assert.equal(state?.lastFailureAt, at);
        at += (penalty ?? 0) + 0.5;
      }
      same((await store.throttleStates(['pair:a', 'pair:none'])).map((s) => s.key), ['pair:a']);
    });

    test('a checked counter that is blocked refuses the claim and nothing of it is counted; an unchecked one counts regardless', async (store) => {
      for (let n = 0; n < 3; n++) {
        await store.claimThrottle(NOW + n * 0.001, [counted('pair:a')]);
        await store.confirmThrottleFailures(NOW + n * 0.001, [{ key: 'pair:a', rule: RULE }]);
      }
      const blocked = await store.claimThrottle(NOW + 0.5, [counted('account:a'), counted('pair:a'), { key: 'address:x', check: true }]);
      same(blocked, { admitted: false, blocked: ['pair:a'] });
      same((await store.throttleStates(['account:a'])), [], 'the other counter of the refused claim is not counted');
      assert.equal((await store.throttleStates(['pair:a']))[0]?.failures, 3, 'a refused attempt is not a failure');
      const unchecked = await store.claimThrottle(NOW + 0.5, [counted('pair:a', false)]);
      assert.ok(unchecked.admitted);
      assert.equal(unchecked.counted[0]?.failures, 4);
      const after = await store.claimThrottle(NOW + 0.5 + 2, [counted('pair:a')]);
      assert.ok(after.admitted, 'admitted once the delay has passed');
    });

    test('a check-only counter blocks without being counted', async (store) => {
      const lock: ThrottleRule = { ...RULE, lockAfter: 1 };
      await store.claimThrottle(NOW, [counted('address:x', false, lock)]);
      same(await store.claimThrottle(NOW + 1, [counted('pair:a'), { key: 'address:x', check: true }]), { admitted: false, blocked: ['address:x'] });
      const passing = await store.claimThrottle(NOW + 1, [counted('pair:a'), { key: 'address:y', check: true }]);
      same(passing.admitted && passing.counted.map((s) => [s.key, s.failures]), [['pair:a', 1]]);
    });

    test('a counter quiet for resetAfter starts again from one, first failure time included', async (store) => {
      for (let n = 0; n < 4; n++) await store.claimThrottle(NOW + n * 10, [counted('pair:a', false)]);
      const later = NOW + 30 + RESET + 1;
      const claim = await store.claimThrottle(later, [counted('pair:a')]);
      assert.ok(claim.admitted);
      same(claim.counted, [{ key: 'pair:a', failures: 1, firstFailureAt: later, lastFailureAt: later }]);
    });

    test('concurrent claims on one counter are counted exactly, and none is admitted past the lock', async (store) => {
      const many = await Promise.all(Array.from({ length: 30 }, () => store.claimThrottle(NOW, [counted('account:c', false), counted('pair:c')])));
      assert.equal(many.filter((c) => c.admitted).length, RULE.lockAfter, 'attempts in flight skip the delays, never the lock');
      same((await store.throttleStates(['account:c', 'pair:c'])).map((s) => [s.key, s.failures]).sort(), [['account:c', 8], ['pair:c', 8]]);
      await Promise.all(Array.from({ length: 25 }, (_, i) => store.claimThrottle(NOW + i * 0.001, [counted('address:z', false)])));
      assert.equal((await store.throttleStates(['address:z']))[0]?.failures, 25);
    });

    test('uncounting takes one attempt back and leaves the block; it never goes below zero', async (store) => {
      for (let n = 0; n < 4; n++) await store.claimThrottle(NOW, [counted('address:x', false)]);
      await store.confirmThrottleFailures(NOW, [{ key: 'address:x', rule: RULE }]);
      await store.uncountThrottle(['address:x', 'address:none']);
      same(await store.throttleStates(['address:x']), [{ key: 'address:x', failures: 3, firstFailureAt: NOW, lastFailureAt: NOW, lockedUntil: NOW + 2 }]);
      for (let n = 0; n < 5; n++) await store.uncountThrottle(['address:x']);
      assert.equal((await store.throttleStates(['address:x']))[0]?.failures, 0);
    });

    test('clearing forgets counters; a seen marker has no failures and is not blocked', async (store) => {
      await store.claimThrottle(NOW, [counted('account:a'), counted('pair:a')]);
      await store.markThrottleSeen('known:a', NOW + 5);
      await store.markThrottleSeen('known:a', NOW + 7);
      await store.clearThrottle(['account:a', 'pair:a']);
      same(await store.throttleStates(['account:a', 'pair:a', 'known:a']), [{ key: 'known:a', failures: 0, firstFailureAt: NOW + 5, lastFailureAt: NOW + 7 }]);
    });

    test('pruning deletes the quiet rows of one kind, never a lock still running', async (store) => {
      const lock: ThrottleRule = { ...RULE, lockAfter: 1, lockDuration: 10_000 };
      await store.claimThrottle(NOW, [counted('pair:quiet', false), counted('pair:locked', false, lock), counted('address:quiet', false)]);
      await store.claimThrottle(NOW + 100, [counted('pair:recent', false)]);
      assert.equal(await store.pruneThrottle('pair:', NOW + 50, NOW + 60), 1);
      same((await store.throttleStates(['pair:quiet', 'pair:locked', 'pair:recent', 'address:quiet'])).map((s) => s.key).sort(), ['address:quiet', 'pair:locked', 'pair:recent']);
    });
  });
};
