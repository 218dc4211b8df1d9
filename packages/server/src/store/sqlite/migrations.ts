import type BetterSqlite3 from 'better-sqlite3';

/**
 * Versioned schema migrations, applied in order at start-up inside one transaction each.
 * Never edit a released migration: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: the foundation */ `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    claims TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    secret_hash TEXT,
    metadata TEXT NOT NULL,
    source TEXT NOT NULL
  );
  CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,
    private_jwk TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER,
    publish_until INTEGER
  );
  CREATE TABLE browsers (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    browser_id TEXT NOT NULL REFERENCES browsers(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    created_at INTEGER NOT NULL,
    auth_time INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    idle_expires_at INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL,
    amr TEXT NOT NULL,
    acr TEXT NOT NULL,
    remember_me INTEGER NOT NULL,
    created_ip TEXT NOT NULL,
    created_user_agent TEXT NOT NULL,
    last_ip TEXT NOT NULL,
    last_user_agent TEXT NOT NULL,
    ended_at INTEGER,
    end_reason TEXT
  );
  CREATE INDEX sessions_open_by_browser ON sessions (browser_id) WHERE ended_at IS NULL;
  CREATE INDEX sessions_by_account ON sessions (account_id);
  CREATE TABLE participants (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    client_id TEXT NOT NULL,
    sid TEXT NOT NULL UNIQUE,
    first_auth_at INTEGER NOT NULL,
    last_auth_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, client_id)
  );
  CREATE TABLE interactions (
    id TEXT PRIMARY KEY,
    binding_hash TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    request TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    session_id TEXT
  );
  CREATE INDEX interactions_by_expiry ON interactions (expires_at);
  CREATE TABLE grants (
    account_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, client_id)
  );
  CREATE TABLE authorization_codes (
    hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    sid TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    nonce TEXT,
    code_challenge TEXT,
    auth_time INTEGER NOT NULL,
    acr TEXT NOT NULL,
    amr TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    family_id TEXT,
    used_at INTEGER
  );
  CREATE INDEX authorization_codes_by_expiry ON authorization_codes (expires_at);
  CREATE TABLE token_families (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    offline INTEGER NOT NULL,
    sid TEXT NOT NULL,
    scope TEXT NOT NULL,
    auth_time INTEGER NOT NULL,
    acr TEXT NOT NULL,
    amr TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX token_families_by_session ON token_families (session_id);
  CREATE TABLE refresh_tokens (
    hash TEXT PRIMARY KEY,
    family_id TEXT NOT NULL REFERENCES token_families(id),
    client_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );
  CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
  CREATE TABLE revoked_access_tokens (
    jti TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  );
  `,
  /* 2: the session core — who ended a session, per-client activity, the outbox, audit events */ `
  ALTER TABLE sessions ADD COLUMN ended_by TEXT;
  CREATE INDEX sessions_open_by_account ON sessions (account_id) WHERE ended_at IS NULL;
  CREATE INDEX sessions_open_by_idle_expiry ON sessions (idle_expires_at) WHERE ended_at IS NULL;
  CREATE INDEX sessions_open_by_absolute_expiry ON sessions (absolute_expires_at) WHERE ended_at IS NULL;
  ALTER TABLE participants ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
  UPDATE participants SET last_seen_at = last_auth_at;
  CREATE TABLE logout_deliveries (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    sid TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    last_error TEXT,
    finished_at INTEGER
  );
  CREATE INDEX logout_deliveries_due ON logout_deliveries (next_attempt_at) WHERE status = 'pending';
  CREATE INDEX logout_deliveries_by_status ON logout_deliveries (status, created_at);
  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    session_id TEXT,
    account_id TEXT,
    client_id TEXT,
    reason TEXT,
    actor TEXT
  );
  CREATE INDEX events_by_session ON events (session_id);
  ALTER TABLE interactions ADD COLUMN step TEXT NOT NULL DEFAULT 'login';
  `,
  /* 3: back-channel delivery — an operator's retry restarts the give-up window. next_attempt_at
     and lease_until may hold fractional seconds (SQLite keeps a non-integral value in an INTEGER
     column as REAL), so retries can be scheduled closer than a second apart. */ `
  ALTER TABLE logout_deliveries ADD COLUMN retried_at INTEGER;
  `,
  /* 4: the claim walks due rows in (next_attempt_at, id) order; without id in the index every
     claim sorted all due rows — an ending of 10,000 sessions writes 10,000 with one time. */ `
  DROP INDEX logout_deliveries_due;
  CREATE INDEX logout_deliveries_due ON logout_deliveries (next_attempt_at, id) WHERE status = 'pending';
  `,
  /* 5: key rotation publishes the next key before it signs (activates_at; NULL: at created_at),
     and a leaked key can be revoked at once (issue 10 §5). */ `
  ALTER TABLE signing_keys ADD COLUMN activates_at INTEGER;
  ALTER TABLE signing_keys ADD COLUMN revoked_at INTEGER;
  `,
  /* 6: at most one open session per (browser, account) (issue 11 §1), so two instances signing in
     at once cannot create two. Before it, a sign-in next to an expired but unswept session opened
     a second one; the older open ones are ended here as the sweeper would have ended them (they
     are past an expiry, or lost a race): reason by the expiry reached first, tokens revoked
     except offline_access, outbox rows and `session.ended` events, as sessions/end.ts does. */ `
  CREATE TEMP TABLE superseded AS
    SELECT s.id FROM sessions s WHERE s.ended_at IS NULL AND EXISTS (
      SELECT 1 FROM sessions n WHERE n.browser_id = s.browser_id AND n.account_id = s.account_id AND n.ended_at IS NULL
        AND (n.auth_time > s.auth_time OR (n.auth_time = s.auth_time AND n.rowid > s.rowid)));
  UPDATE sessions SET ended_at = unixepoch(), ended_by = 'system',
    end_reason = CASE WHEN idle_expires_at < absolute_expires_at THEN 'expired_idle' ELSE 'expired_absolute' END
    WHERE id IN (SELECT id FROM superseded);
  UPDATE token_families SET revoked_at = unixepoch()
    WHERE session_id IN (SELECT id FROM superseded) AND offline = 0 AND revoked_at IS NULL;
  INSERT INTO logout_deliveries (id, client_id, session_id, account_id, sid, reason, created_at, status, next_attempt_at)
    SELECT lower(hex(randomblob(16))), p.client_id, p.session_id, s.account_id, p.sid, s.end_reason, s.ended_at, 'pending', s.ended_at
    FROM participants p JOIN sessions s ON s.id = p.session_id JOIN clients c ON c.client_id = p.client_id
    WHERE p.session_id IN (SELECT id FROM superseded) AND json_extract(c.metadata, '$.backchannel_logout_uri') IS NOT NULL;
  INSERT INTO events (at, type, session_id, account_id, reason, actor)
    SELECT ended_at, 'session.ended', id, account_id, end_reason, 'system' FROM sessions WHERE id IN (SELECT id FROM superseded);
  DROP TABLE superseded;
  CREATE UNIQUE INDEX sessions_one_open_per_browser_account ON sessions (browser_id, account_id) WHERE ended_at IS NULL;
  `,
  /* 7: a credential change revokes every token family of the account (issue 12 §1), and the admin
     API pages every session newest first by (created_at, id): both walked the whole table. */ `
  CREATE INDEX token_families_by_account ON token_families (account_id);
  CREATE INDEX sessions_by_creation ON sessions (created_at DESC, id);
  `,
  /* 8: the admin API (issue 12 §3) deletes accounts as tombstones — the sessions, token families
     and outbox rows that name them stay whole, the personal data goes — and follows one user's
     audit events in id order. */ `
  ALTER TABLE accounts ADD COLUMN deleted_at INTEGER;
  CREATE INDEX events_by_account ON events (account_id, id);
  `,
  /* 9: sign-in as steps (issue 14). A session records each factor with the time it was verified
     (step-up adds one without a new session); an account enrols second factors (passkeys, TOTP)
     and ten recovery codes, stored hashed; a WebAuthn ceremony's challenge is kept until used
     once; failed sign-ins are counted per key (an account name, a client IP) so that every
     instance sees the same throttle. */ `
  ALTER TABLE sessions ADD COLUMN factors TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE interactions ADD COLUMN state TEXT;
  CREATE TABLE account_factors (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    credential_id TEXT UNIQUE,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    confirmed_at INTEGER,
    last_used_at INTEGER,
    last_used_step INTEGER
  );
  CREATE INDEX account_factors_by_account ON account_factors (account_id);
  CREATE TABLE recovery_codes (
    account_id TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (account_id, code_hash)
  );
  CREATE TABLE webauthn_challenges (
    id TEXT PRIMARY KEY,
    challenge TEXT NOT NULL,
    account_id TEXT,
    purpose TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX webauthn_challenges_by_expiry ON webauthn_challenges (expires_at);
  CREATE TABLE signin_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    first_failure_at REAL NOT NULL,
    last_failure_at REAL NOT NULL,
    locked_until REAL
  );
  `,
  /* 10: federation (issue 15). An upstream identity (issuer, sub) is linked to one local account;
     an SSO session signed in through an upstream keeps that upstream session (its sid for the
     upstream's logout, its sealed ID token for a federated logout); a logout token's jti is
     remembered until it expires, so a replay ends nothing. */ `
  CREATE TABLE account_links (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    upstream_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject)
  );
  CREATE INDEX account_links_by_account ON account_links (account_id);
  CREATE TABLE session_upstreams (
    session_id TEXT PRIMARY KEY,
    upstream_id TEXT NOT NULL,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    sid TEXT,
    id_token TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX session_upstreams_by_sid ON session_upstreams (upstream_id, sid);
  CREATE INDEX session_upstreams_by_subject ON session_upstreams (upstream_id, subject);
  CREATE TABLE upstream_logout_tokens (
    upstream_id TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (upstream_id, jti)
  );
  CREATE INDEX upstream_logout_tokens_by_expiry ON upstream_logout_tokens (expires_at);
  `,
  /* 11: Shared Signals (issue 16). The outbox carries any kind of signed message: a back-channel
     logout (as before) or a SET pushed to a stream (RFC 8935), with its stream and its event.
     Streams are a receiver client's (SSF 1.0 §8.1), with the subjects added to them; a poll
     stream's SETs wait in ssf_poll_events until acknowledged (RFC 8936). */ `
  ALTER TABLE logout_deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'backchannel_logout';
  ALTER TABLE logout_deliveries ADD COLUMN stream_id TEXT;
  ALTER TABLE logout_deliveries ADD COLUMN payload TEXT;
  CREATE TABLE ssf_streams (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL,
    status_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    verified_at INTEGER
  );
  CREATE INDEX ssf_streams_by_client ON ssf_streams (client_id);
  CREATE TABLE ssf_subjects (
    stream_id TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    subject TEXT NOT NULL,
    account_id TEXT,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (stream_id, subject_key)
  );
  CREATE INDEX ssf_subjects_by_account ON ssf_subjects (account_id);
  CREATE TABLE ssf_poll_events (
    stream_id TEXT NOT NULL,
    jti TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (stream_id, jti)
  );
  CREATE INDEX ssf_poll_events_in_order ON ssf_poll_events (stream_id, seq);
  `,
  // Password-reset tokens (issue 17 §4): only the token's SHA-256, taken once, per account.
  `
  CREATE TABLE password_reset_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX password_reset_tokens_by_account ON password_reset_tokens (account_id, created_at);
  CREATE INDEX password_reset_tokens_by_expiry ON password_reset_tokens (expires_at);
  `,
  // Traces (issue 17 §2): the W3C traceparent of the ending that queued a row, so that each
  // delivery attempt, on whichever instance and however late, joins that logout's trace.
  `
  ALTER TABLE logout_deliveries ADD COLUMN trace_parent TEXT;
  `,
];

export const migrate = (db: BetterSqlite3.Database): number => migrateTo(db, MIGRATIONS.length);

/**
 * Applies the migrations up to `version` (not past it): `migrate` goes to the latest; the upgrade
 * tests build a store as each earlier version left it (issue 17 §3).
 */
export const migrateTo = (db: BetterSqlite3.Database, version: number): number => {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  if (current > MIGRATIONS.length) {
    throw new Error(`the store's schema (version ${current}) is newer than this Signoff (version ${MIGRATIONS.length})`);
  }
  MIGRATIONS.slice(current, Math.max(current, version)).forEach((sql, i) => {
    db.transaction(() => {
      // Another instance starting on the same store may have applied it since the version was read.
      if (((db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0) > current + i) return;
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(current + i + 1, Math.floor(Date.now() / 1000));
    }).immediate();
  });
  return MIGRATIONS.length;
};
