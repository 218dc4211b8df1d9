import Database from 'better-sqlite3';

/**
 * Seeds `count` live SSO sessions straight into Signoff's SQLite file, in one transaction of
 * three INSERT … SELECT statements over a generated series: one browser per session, one
 * participant (rp01) per session, and the sessions spread over accounts (`accountIds`, or
 * `perAccount` sessions to each of new accounts). Ids carry `prefix` so seeds never collide.
 */
export const seedSessions = (sqlitePath, { count, prefix, accountIds, perAccount = 100, clientId = 'rp01' }) => {
  const db = new Database(sqlitePath);
  db.pragma('busy_timeout = 10000');
  const now = Math.floor(Date.now() / 1000);
  const t0 = performance.now();
  try {
    db.transaction(() => {
      let accounts = accountIds;
      if (!accounts) {
        const n = Math.ceil(count / perAccount);
        db.prepare(
          `WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ? - 1)
           INSERT INTO accounts (id, username, password_hash, claims, disabled, created_at, updated_at)
           SELECT printf('%s-account-%08d', ?, i), printf('%s-user-%08d', ?, i), 'seeded-no-password', '{}', 0, ?, ? FROM k`,
        ).run(n, prefix, prefix, now, now);
        accounts = Array.from({ length: n }, (_, i) => `${prefix}-account-${String(i).padStart(8, '0')}`);
      }
      db.exec('CREATE TEMP TABLE seed_accounts (i INTEGER PRIMARY KEY, id TEXT NOT NULL)');
      const add = db.prepare('INSERT INTO seed_accounts (i, id) VALUES (?, ?)');
      accounts.forEach((id, i) => add.run(i, id));
      const series = `WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ${Number(count)} - 1)`;
      db.prepare(`${series} INSERT INTO browsers (id, secret_hash, created_at) SELECT printf('%s-b-%012d', ?, i), 'seeded', ? FROM k`).run(prefix, now);
      db.prepare(
        `${series} INSERT INTO sessions (id, browser_id, account_id, created_at, auth_time, last_seen, idle_expires_at, absolute_expires_at,
           amr, acr, remember_me, created_ip, created_user_agent, last_ip, last_user_agent)
         SELECT printf('%s-s-%012d', ?, k.i), printf('%s-b-%012d', ?, k.i), a.id, ?, ?, ?, ? + 86400, ? + 86400,
           '["pwd"]', '0', 0, '127.0.0.1', 'signoff-bench-seed', '127.0.0.1', 'signoff-bench-seed'
         FROM k JOIN seed_accounts a ON a.i = k.i % ${accounts.length}`,
      ).run(prefix, prefix, now, now, now, now, now);
      db.prepare(
        `${series} INSERT INTO participants (session_id, client_id, sid, first_auth_at, last_auth_at, last_seen_at)
         SELECT printf('%s-s-%012d', ?, i), ?, printf('%s-sid-%012d', ?, i), ?, ?, ? FROM k`,
      ).run(prefix, clientId, prefix, now, now, now);
      db.exec('DROP TABLE seed_accounts');
    })();
    return { seconds: (performance.now() - t0) / 1000 };
  } finally {
    db.close();
  }
};

export const accountIdOf = (sqlitePath, username) => {
  const db = new Database(sqlitePath, { readonly: true });
  try {
    return db.prepare('SELECT id FROM accounts WHERE username = ?').get(username)?.id;
  } finally {
    db.close();
  }
};
