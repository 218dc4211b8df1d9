/**
 * The PostgreSQL server the bench puts Signoff's shared store on: an admin URL (`--postgres URL`,
 * else SIGNOFF_BENCH_POSTGRES, else the developers' default on 127.0.0.1:5432), a database of its
 * own per system (created empty, dropped when the bench ends), and the CPU its backends use.
 * node-postgres is Signoff's own dependency; the only SQL here creates and drops databases.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const pg = createRequire(join(ROOT, 'packages/server/package.json'))('pg');

const withAdmin = async (adminUrl, fn) => {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
};

/** Why the server at `adminUrl` cannot be used, or undefined when it answers. */
export const unreachable = async (adminUrl) => {
  try {
    await withAdmin(adminUrl, (c) => c.query('SELECT 1'));
    return undefined;
  } catch (err) {
    return err?.message || String(err?.code ?? err);
  }
};

/** A new empty database `signoff_bench_<random>`; returns its name and URL. */
export const createDatabase = async (adminUrl) => {
  const name = `signoff_bench_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
};

/** Drops a database the bench created, closing whatever connections are left on it. */
export const dropDatabase = (adminUrl, name) => withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

/**
 * CPU seconds (user + system) used so far by the server's backends connected to database `name`
 * (process titles `postgres: … <user> <name> <host> …`, read from /proc: only when the server runs
 * on this machine). Backends come and go; a sum taken before and after a phase counts the ones alive
 * at the end, which for a pool that stays connected is all of them.
 */
export const backendCpu = (name) => {
  const byPid = new Map();
  let pids;
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return byPid;
  }
  for (const pid of pids) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.startsWith('postgres: ') || !cmd.split(/\s+/).includes(name)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byPid.set(pid, (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // gone meanwhile
    }
  }
  return byPid;
};

/** CPU seconds the backends of `name` used between two `backendCpu` readings (one born meanwhile counts from 0). */
export const backendCpuBetween = (before, after) => {
  let s = 0;
  for (const [pid, t] of after) s += t - (before.get(pid) ?? 0);
  return s;
};

/** The server's version (`SHOW server_version`), e.g. "15.20 (Debian 15.20-0+deb12u1)". */
export const serverVersion = (adminUrl) => withAdmin(adminUrl, async (c) => (await c.query('SHOW server_version')).rows[0].server_version);

/** A URL without its password and database, for the results. */
export const serverOf = (url) => {
  const u = new URL(url);
  u.password = '';
  u.pathname = '';
  return u.toString();
};
