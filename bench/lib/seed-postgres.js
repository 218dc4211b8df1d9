/**
 * Bulk seeding of Signoff's PostgreSQL store for P8 (issue 18: 10 million sessions). Seeding through
 * the store's interface (lib/seed.js) costs three round trips per session — hours for ten million —
 * so this one writes the rows with INSERT … SELECT over generate_series, a batch at a time, in the
 * shape the store itself writes (lib/seed.js's sessions: one browser and one participant each, 100
 * per account). It is the bench's only SQL on Signoff's tables; `checkSeeded` then reads a seeded
 * session back through the store, so a schema this SQL no longer matches fails loudly, not quietly.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withStore } from './store.js';

const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const pg = createRequire(join(ROOT, 'packages/server/package.json'))('pg');

const BATCH = 500_000;
const PER_ACCOUNT = 100;

/** Connections seeding at once: one per core of the bench machine, each a batch at a time. */
const LANES = 2;

const connect = async (url) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // Each batch commits once; not waiting for its WAL flush costs nothing here (a crash would only lose the seed).
  await client.query('SET synchronous_commit TO off');
  return client;
};

/** One batch of sessions [from, to], with their browsers and participants, in one transaction. */
const seedBatch = async (client, { prefix, now, from, to, accounts, clientId }) => {
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO browsers (id, secret_hash, created_at)
       SELECT $1 || '-b-' || lpad(i::text, 12, '0'), 'seeded', $2 FROM generate_series($3::int, $4::int) AS i`,
      [prefix, now, from, to],
    );
    await client.query(
      `INSERT INTO sessions (id, browser_id, account_id, created_at, auth_time, last_seen, idle_expires_at, absolute_expires_at, amr, acr, factors, remember_me,
                             created_ip, created_user_agent, last_ip, last_user_agent)
       SELECT $1 || '-s-' || lpad(i::text, 12, '0'), $1 || '-b-' || lpad(i::text, 12, '0'), $1 || '-account-' || lpad((i % $5::int)::text, 8, '0'),
              $2::float8, $2::float8, $2::float8, $2::float8 + 86400, $2::float8 + 86400, '["pwd"]', 'urn:signoff:acr:password', '[{"method":"password","at":' || $2::bigint || '}]', false,
              '127.0.0.1', 'signoff-bench-seed', '127.0.0.1', 'signoff-bench-seed'
       FROM generate_series($3::int, $4::int) AS i`,
      [prefix, now, from, to, accounts],
    );
    await client.query(
      `INSERT INTO participants (session_id, client_id, sid, first_auth_at, last_auth_at, last_seen_at)
       SELECT $1 || '-s-' || lpad(i::text, 12, '0'), $5, $1 || '-sid-' || lpad(i::text, 12, '0'), $2, $2, $2
       FROM generate_series($3::int, $4::int) AS i`,
      [prefix, now, from, to, clientId],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
};

/** Seeds `count` live sessions on the database at `url`, each with its own browser and one participant of `clientId`. */
export const seedSessionsPostgres = async (url, { count, prefix, clientId = 'rp01', log = () => {} }) => {
  const t0 = performance.now();
  const now = Math.floor(Date.now() / 1000);
  const accounts = Math.ceil(count / PER_ACCOUNT);
  const clients = await Promise.all(Array.from({ length: LANES }, () => connect(url)));
  try {
    await clients[0].query(
      `INSERT INTO accounts (id, username, password_hash, claims, disabled, created_at, updated_at)
       SELECT $1 || '-account-' || lpad(i::text, 8, '0'), $1 || '-user-' || lpad(i::text, 8, '0'), 'seeded-no-password', '{}', false, $2, $2
       FROM generate_series(0, $3 - 1) AS i`,
      [prefix, now, accounts],
    );
    let next = 0;
    let done = 0;
    const lane = async (client) => {
      while (next < count) {
        const from = next;
        const to = Math.min(count, from + BATCH) - 1;
        next = to + 1;
        await seedBatch(client, { prefix, now, from, to, accounts, clientId });
        done += to - from + 1;
        log(`P8 PostgreSQL: ${done} of ${count} sessions seeded (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      }
    };
    await Promise.all(clients.map(lane));
    // The steady state, not the seed's aftermath: a VACUUM sets the visibility map (index-only
    // scans) and its statistics, and a CHECKPOINT writes the gigabytes the seed dirtied now rather
    // than during the measurement that follows.
    await clients[0].query('VACUUM (ANALYZE) browsers, sessions, participants, accounts');
    // CHECKPOINT needs a superuser or pg_checkpoint (PostgreSQL 15); without either the run goes on.
    await clients[0].query('CHECKPOINT').catch((err) => log(`P8 PostgreSQL: no CHECKPOINT after seeding (${err.message}); background writes may show in the latency`));
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
  return { seconds: (performance.now() - t0) / 1000 };
};

/** Reads the last seeded session back through Signoff's own store: the rows are what the store writes. */
export const checkSeeded = (storeConfig, { count, prefix }) =>
  withStore(storeConfig, async (store) => {
    const id = `${prefix}-s-${String(count - 1).padStart(12, '0')}`;
    const session = await store.sessionById(id);
    if (!session || session.endedAt !== undefined || session.amr?.[0] !== 'pwd' || !Array.isArray(session.factors)) {
      throw new Error(`P8 PostgreSQL: the seeded session ${id} does not read back as a live session through the store (the seeding SQL no longer matches the schema?): ${JSON.stringify(session)}`);
    }
    const participants = await store.participantsOf(id);
    if (participants.length !== 1) throw new Error(`P8 PostgreSQL: the seeded session ${id} has ${participants.length} participants, expected 1`);
  });
