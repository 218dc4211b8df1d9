import type pg from 'pg';

/**
 * The PostgreSQL schema, versioned on its own (it starts where the SQLite schema's six migrations
 * ended). Times are seconds since the epoch as double precision, so `next_attempt_at` and
 * `lease_until` keep sub-second precision as they do on SQLite. Never edit a released migration:
 * add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: the schema of SQLite migration 6 */ `
  CREATE TABLE accounts (
    id text PRIMARY KEY,
    username text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    claims text NOT NULL,
    disabled boolean NOT NULL DEFAULT false,
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL
  );
  CREATE TABLE clients (
    client_id text PRIMARY KEY,
    secret_hash text,
    metadata jsonb NOT NULL,
    source text NOT NULL
  );
  CREATE TABLE signing_keys (
    kid text PRIMARY KEY,
    alg text NOT NULL,
    private_jwk text NOT NULL,
    public_jwk text NOT NULL,
    created_at double precision NOT NULL,
    activates_at double precision,
    retired_at double precision,
    publish_until double precision,
    revoked_at double precision
  );
  CREATE TABLE browsers (
    id text PRIMARY KEY,
    secret_hash text NOT NULL,
    created_at double precision NOT NULL
  );
  CREATE TABLE sessions (
    id text PRIMARY KEY,
    -- Insertion order within one second, for the concurrent-session limit (SQLite's rowid).
    seq bigserial NOT NULL,
    browser_id text NOT NULL REFERENCES browsers(id),
    account_id text NOT NULL REFERENCES accounts(id),
    created_at double precision NOT NULL,
    auth_time double precision NOT NULL,
    last_seen double precision NOT NULL,
    idle_expires_at double precision NOT NULL,
    absolute_expires_at double precision NOT NULL,
    amr text NOT NULL,
    acr text NOT NULL,
    remember_me boolean NOT NULL,
    created_ip text NOT NULL,
    created_user_agent text NOT NULL,
    last_ip text NOT NULL,
    last_user_agent text NOT NULL,
    ended_at double precision,
    end_reason text,
    ended_by text
  );
  CREATE INDEX sessions_by_account ON sessions (account_id);
  CREATE INDEX sessions_open_by_account ON sessions (account_id) WHERE ended_at IS NULL;
  CREATE INDEX sessions_open_by_idle_expiry ON sessions (idle_expires_at) WHERE ended_at IS NULL;
  CREATE INDEX sessions_open_by_absolute_expiry ON sessions (absolute_expires_at) WHERE ended_at IS NULL;
  CREATE UNIQUE INDEX sessions_one_open_per_browser_account ON sessions (browser_id, account_id) WHERE ended_at IS NULL;
  CREATE TABLE participants (
    session_id text NOT NULL REFERENCES sessions(id),
    client_id text NOT NULL,
    sid text NOT NULL UNIQUE,
    first_auth_at double precision NOT NULL,
    last_auth_at double precision NOT NULL,
    last_seen_at double precision NOT NULL,
    PRIMARY KEY (session_id, client_id)
  );
  CREATE TABLE interactions (
    id text PRIMARY KEY,
    binding_hash text NOT NULL,
    csrf_token text NOT NULL,
    request text NOT NULL,
    created_at double precision NOT NULL,
    expires_at double precision NOT NULL,
    session_id text,
    step text NOT NULL DEFAULT 'login'
  );
  CREATE INDEX interactions_by_expiry ON interactions (expires_at);
  CREATE TABLE grants (
    account_id text NOT NULL,
    client_id text NOT NULL,
    scope text NOT NULL,
    created_at double precision NOT NULL,
    PRIMARY KEY (account_id, client_id)
  );
  CREATE TABLE authorization_codes (
    hash text PRIMARY KEY,
    client_id text NOT NULL,
    account_id text NOT NULL,
    session_id text NOT NULL,
    sid text NOT NULL,
    redirect_uri text NOT NULL,
    scope text NOT NULL,
    nonce text,
    code_challenge text,
    auth_time double precision NOT NULL,
    acr text NOT NULL,
    amr text NOT NULL,
    expires_at double precision NOT NULL,
    family_id text,
    used_at double precision
  );
  CREATE INDEX authorization_codes_by_expiry ON authorization_codes (expires_at);
  CREATE TABLE token_families (
    id text PRIMARY KEY,
    client_id text NOT NULL,
    account_id text NOT NULL,
    session_id text NOT NULL,
    offline boolean NOT NULL,
    sid text NOT NULL,
    scope text NOT NULL,
    auth_time double precision NOT NULL,
    acr text NOT NULL,
    amr text NOT NULL,
    created_at double precision NOT NULL,
    revoked_at double precision
  );
  CREATE INDEX token_families_by_session ON token_families (session_id);
  CREATE TABLE refresh_tokens (
    hash text PRIMARY KEY,
    family_id text NOT NULL REFERENCES token_families(id),
    client_id text NOT NULL,
    scope text NOT NULL,
    created_at double precision NOT NULL,
    expires_at double precision NOT NULL,
    used_at double precision
  );
  CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
  CREATE TABLE revoked_access_tokens (
    jti text PRIMARY KEY,
    expires_at double precision NOT NULL
  );
  CREATE TABLE logout_deliveries (
    id text PRIMARY KEY,
    client_id text NOT NULL,
    session_id text NOT NULL,
    account_id text NOT NULL,
    sid text NOT NULL,
    reason text NOT NULL,
    created_at double precision NOT NULL,
    status text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at double precision NOT NULL,
    lease_owner text,
    lease_until double precision,
    last_error text,
    finished_at double precision,
    retried_at double precision
  );
  CREATE INDEX logout_deliveries_due ON logout_deliveries (next_attempt_at, id) WHERE status = 'pending';
  CREATE INDEX logout_deliveries_by_status ON logout_deliveries (status, created_at);
  CREATE INDEX logout_deliveries_by_lease_owner ON logout_deliveries (lease_owner) WHERE lease_owner IS NOT NULL;
  CREATE TABLE events (
    id bigserial PRIMARY KEY,
    at double precision NOT NULL,
    type text NOT NULL,
    session_id text,
    account_id text,
    client_id text,
    reason text,
    actor text
  );
  CREATE INDEX events_by_session ON events (session_id);
  `,
  /* 2: a credential change revokes every token family of the account (issue 12 §1), and the admin
     API pages every session newest first by (created_at, id COLLATE "C"): both walked the whole table. */ `
  CREATE INDEX token_families_by_account ON token_families (account_id);
  CREATE INDEX sessions_by_creation ON sessions (created_at DESC, id COLLATE "C");
  `,
  /* 3: the admin API (issue 12 §3) deletes accounts as tombstones — the sessions, token families
     and outbox rows that name them stay whole, the personal data goes — and follows one user's
     audit events in id order. */ `
  ALTER TABLE accounts ADD COLUMN deleted_at double precision;
  CREATE INDEX events_by_account ON events (account_id, id);
  `,
  /* 4: sign-in as steps (issue 14), as SQLite migration 9: the factors of a session, the second
     factors and recovery codes of an account, WebAuthn challenges, the sign-in throttle. */ `
  ALTER TABLE sessions ADD COLUMN factors text NOT NULL DEFAULT '[]';
  ALTER TABLE interactions ADD COLUMN state text;
  CREATE TABLE account_factors (
    id text PRIMARY KEY,
    account_id text NOT NULL,
    kind text NOT NULL,
    label text NOT NULL,
    credential_id text UNIQUE,
    data text NOT NULL,
    created_at double precision NOT NULL,
    confirmed_at double precision,
    last_used_at double precision,
    last_used_step bigint
  );
  CREATE INDEX account_factors_by_account ON account_factors (account_id);
  CREATE TABLE recovery_codes (
    account_id text NOT NULL,
    code_hash text NOT NULL,
    created_at double precision NOT NULL,
    used_at double precision,
    PRIMARY KEY (account_id, code_hash)
  );
  CREATE TABLE webauthn_challenges (
    id text PRIMARY KEY,
    challenge text NOT NULL,
    account_id text,
    purpose text NOT NULL,
    expires_at double precision NOT NULL
  );
  CREATE INDEX webauthn_challenges_by_expiry ON webauthn_challenges (expires_at);
  CREATE TABLE signin_throttle (
    key text PRIMARY KEY,
    failures integer NOT NULL,
    first_failure_at double precision NOT NULL,
    last_failure_at double precision NOT NULL,
    locked_until double precision
  );
  `,
  /* 5: federation (issue 15), as SQLite migration 10: account links, the upstream session of an
     SSO session, the logout-token jtis seen. */ `
  CREATE TABLE account_links (
    issuer text NOT NULL,
    subject text NOT NULL,
    upstream_id text NOT NULL,
    account_id text NOT NULL,
    created_at double precision NOT NULL,
    PRIMARY KEY (issuer, subject)
  );
  CREATE INDEX account_links_by_account ON account_links (account_id);
  CREATE TABLE session_upstreams (
    session_id text PRIMARY KEY,
    upstream_id text NOT NULL,
    issuer text NOT NULL,
    subject text NOT NULL,
    sid text,
    id_token text NOT NULL,
    at double precision NOT NULL
  );
  CREATE INDEX session_upstreams_by_sid ON session_upstreams (upstream_id, sid);
  CREATE INDEX session_upstreams_by_subject ON session_upstreams (upstream_id, subject);
  CREATE TABLE upstream_logout_tokens (
    upstream_id text NOT NULL,
    jti text NOT NULL,
    expires_at double precision NOT NULL,
    PRIMARY KEY (upstream_id, jti)
  );
  CREATE INDEX upstream_logout_tokens_by_expiry ON upstream_logout_tokens (expires_at);
  `,
  /* 6: Shared Signals (issue 16), as SQLite migration 11: the outbox's kind, stream and event;
     streams, their subjects, and a poll stream's SETs awaiting acknowledgement. */ `
  ALTER TABLE logout_deliveries ADD COLUMN kind text NOT NULL DEFAULT 'backchannel_logout';
  ALTER TABLE logout_deliveries ADD COLUMN stream_id text;
  ALTER TABLE logout_deliveries ADD COLUMN payload text;
  CREATE TABLE ssf_streams (
    id text PRIMARY KEY,
    client_id text NOT NULL,
    config text NOT NULL,
    status text NOT NULL,
    status_reason text,
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL,
    verified_at double precision
  );
  CREATE INDEX ssf_streams_by_client ON ssf_streams (client_id);
  CREATE TABLE ssf_subjects (
    stream_id text NOT NULL,
    subject_key text NOT NULL,
    subject text NOT NULL,
    account_id text,
    added_at double precision NOT NULL,
    PRIMARY KEY (stream_id, subject_key)
  );
  CREATE INDEX ssf_subjects_by_account ON ssf_subjects (account_id);
  CREATE TABLE ssf_poll_events (
    stream_id text NOT NULL,
    jti text NOT NULL,
    payload text NOT NULL,
    created_at double precision NOT NULL,
    seq bigserial,
    PRIMARY KEY (stream_id, jti)
  );
  CREATE INDEX ssf_poll_events_in_order ON ssf_poll_events (stream_id, seq);
  `,
  // Password-reset tokens (issue 17 §4): only the token's SHA-256, taken once, per account.
  `
  CREATE TABLE password_reset_tokens (
    token_hash text PRIMARY KEY,
    account_id text NOT NULL,
    created_at double precision NOT NULL,
    expires_at double precision NOT NULL
  );
  CREATE INDEX password_reset_tokens_by_account ON password_reset_tokens (account_id, created_at);
  CREATE INDEX password_reset_tokens_by_expiry ON password_reset_tokens (expires_at);
  `,
  // Traces (issue 17 §2): the W3C traceparent of the ending that queued a row, so that each
  // delivery attempt, on whichever instance and however late, joins that logout's trace.
  `
  ALTER TABLE logout_deliveries ADD COLUMN trace_parent text;
  `,
];

/** pg_advisory_lock key of the migrations: one instance migrates, the others wait and find it done. */
const MIGRATION_LOCK = 0x5319_0ff1;

/**
 * Applies pending migrations under a session-level advisory lock, so several instances starting at
 * once on an empty database end with one schema (issue 11 §2). Returns the version it started from.
 * A schema newer than this code stops start-up with a message saying so.
 */
export const migrate = (client: pg.ClientBase): Promise<number> => migrateTo(client, MIGRATIONS.length);

/**
 * Applies the migrations up to `version` (not past it), as `migrate` does up to the latest; the
 * upgrade tests build a database as each earlier version left it (issue 17 §3). `migrations` is
 * the list a version of Signoff ships: the rolling-upgrade test passes MIGRATIONS plus one, as
 * the next release would, to check that this code keeps serving on that schema.
 */
export const migrateTo = async (client: pg.ClientBase, version: number, migrations: readonly string[] = MIGRATIONS): Promise<number> => {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at double precision NOT NULL)');
    const current = Number((await client.query('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations')).rows[0].v);
    if (current > migrations.length) {
      throw new Error(`the store's schema (version ${current}) is newer than this Signoff (version ${migrations.length}); upgrade Signoff`);
    }
    for (const [i, sql] of migrations.slice(current, Math.max(current, version)).entries()) {
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [current + i + 1, Date.now() / 1000]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }
    return current;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
  }
};
