import { withStore } from './store.js';

const pad = (i, width) => String(i).padStart(width, '0');

/** Sessions seeded at once: on PostgreSQL each lane is one connection of the bench's pool (no effect on SQLite, which is synchronous). */
const LANES = 8;

/**
 * Seeds `count` live SSO sessions through the store (`storeConfig` as in Signoff's configuration):
 * one browser per session, one participant (`clientId`) per session, and the sessions spread over
 * accounts (`accountIds`, or `perAccount` sessions to each of new accounts). Ids carry `prefix` so
 * seeds never collide.
 */
export const seedSessions = (storeConfig, { count, prefix, accountIds, perAccount = 100, clientId = 'rp01' }) =>
  withStore(storeConfig, async (store) => {
    const now = Math.floor(Date.now() / 1000);
    const t0 = performance.now();
    let accounts = accountIds;
    if (!accounts) {
      accounts = Array.from({ length: Math.ceil(count / perAccount) }, (_, i) => `${prefix}-account-${pad(i, 8)}`);
      for (const [i, id] of accounts.entries()) {
        await store.insertAccount({
          id, username: `${prefix}-user-${pad(i, 8)}`, passwordHash: 'seeded-no-password', claims: {}, disabled: false, createdAt: now, updatedAt: now,
        });
      }
    }
    const one = async (i) => {
      const browserId = `${prefix}-b-${pad(i, 12)}`;
      const sessionId = `${prefix}-s-${pad(i, 12)}`;
      await store.insertBrowser({ id: browserId, secretHash: 'seeded', createdAt: now });
      await store.insertSession({
        id: sessionId, browserId, accountId: accounts[i % accounts.length], createdAt: now, authTime: now, lastSeen: now,
        idleExpiresAt: now + 86400, absoluteExpiresAt: now + 86400, amr: ['pwd'], acr: 'urn:signoff:acr:password', factors: [{ method: 'password', at: now }], rememberMe: false,
        createdIp: '127.0.0.1', createdUserAgent: 'signoff-bench-seed', lastIp: '127.0.0.1', lastUserAgent: 'signoff-bench-seed',
      });
      await store.upsertParticipant({ sessionId, clientId, sid: `${prefix}-sid-${pad(i, 12)}`, firstAuthAt: now, lastAuthAt: now, lastSeenAt: now });
    };
    let next = 0;
    const lane = async () => {
      while (next < count) await one(next++);
    };
    await Promise.all(Array.from({ length: LANES }, lane));
    return { seconds: (performance.now() - t0) / 1000 };
  });
