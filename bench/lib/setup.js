import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, dropDatabase, unreachable } from './postgres.js';
import { freePort, startProcess } from './processes.js';
import { currentRs256Key } from './store.js';

const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT = dirname(BENCH);
export const SIGNOFF_BIN = join(ROOT, 'packages/server/bin/signoff.js');

/** 20 relying parties with back-channel receivers, and one whose back-channel endpoint hangs. */
export const CLIENT_IDS = Array.from({ length: 20 }, (_, i) => `rp${String(i + 1).padStart(2, '0')}`);
export const HANGING_CLIENT = 'hang';
/** The client whose access tokens are opaque (issue 18: P2 and P6 with opaque access tokens on both sides). */
export const OPAQUE_CLIENT = 'rp-opaque';
export const USER = { username: 'alice', password: 'alice-password-for-the-benchmark', claims: { name: 'Alice', email: 'alice@example.test', email_verified: true } };
/** The account whose 10,000 sessions P7 ends (Signoff only). */
export const P7_USER = { username: 'everywhere', password: 'everywhere-password-for-the-bench', claims: { name: 'Everywhere' } };

export const secretOf = (clientId) => `${clientId}-secret-for-the-benchmark-0123456789`;

/** RFC 7591 metadata of every client, for one provider, pointing at the receivers. */
const clientsFor = (provider, receivers) =>
  [...CLIENT_IDS, HANGING_CLIENT, OPAQUE_CLIENT].map((clientId) => ({
    client_id: clientId,
    client_secret: secretOf(clientId),
    redirect_uris: [`${receivers}/cb`],
    post_logout_redirect_uris: [`${receivers}/logged-out`],
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
    backchannel_logout_uri: `${receivers}/${clientId === HANGING_CLIENT ? 'hang' : 'bcl'}/${provider}/${clientId}`,
    backchannel_logout_session_required: true,
    // oidc-provider sets the format per resource server instead (servers/peer.js).
    ...(clientId === OPAQUE_CLIENT && provider !== 'peer' ? { access_token_format: 'opaque' } : {}),
  }));

/**
 * Signoff's configuration, production settings, logs off: by default the embedded SQLite store in
 * a file with its key-encryption key in a file; with `store` (PostgreSQL) the key-encryption key
 * comes from SIGNOFF_KEY_ENCRYPTION_KEY, shared by every instance of one database. `provider` names
 * the system in the back-channel URIs (the receivers tell systems apart by it); `issuer` is the
 * instance's own URL unless a proxy in front of it is the issuer.
 */
export const signoffConfig = (dir, port, receivers, { store, provider = 'signoff', issuer = `http://127.0.0.1:${port}` } = {}) => ({
  issuer,
  port,
  store: store ?? { sqlite: join(dir, 'signoff.sqlite') },
  ...(store ? {} : { keys: { encryptionKeyFile: join(dir, 'signoff.kek') } }),
  logging: { level: 'silent' },
  // Any free port: the default (9464) may be taken by a provider a developer runs meanwhile.
  management: { port: 0 },
  outbound: { allowPrivateNetworks: true },
  clients: clientsFor(provider, receivers),
  users: [USER, P7_USER],
});

/**
 * Starts Signoff; with `profileDir`, under `--cpu-prof` (the profile is written when it stops).
 * `env` adds to the environment (SIGNOFF_KEY_ENCRYPTION_KEY for a PostgreSQL store).
 */
export const startSignoff = (configFile, profileDir, env) =>
  startProcess(
    process.execPath,
    [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), SIGNOFF_BIN, 'start', '--config', configFile],
    { ready: /listening on/, name: 'signoff', env },
  );

/** The current RS256 private key Signoff generated at its first start, unsealed with its key-encryption key. */
const signoffRs256Key = async (config) => {
  const { openJwk, parseKek } = await import('../../packages/server/dist/src/tokens/key-encryption.js');
  const kek = parseKek(readFileSync(config.keys.encryptionKeyFile, 'utf8'), 'keys.encryptionKeyFile');
  const key = await currentRs256Key(config.store);
  return openJwk(kek, key.kid, key.privateJwk);
};

/** Connections of each Signoff instance to PostgreSQL (the configuration's default). */
export const POOL_SIZE = 10;

/**
 * Signoff instances on one new PostgreSQL database: `count` of them, started one after the other
 * (the first applies the migrations and creates the signing keys, the others find them), all with
 * one SIGNOFF_KEY_ENCRYPTION_KEY. `issuer(ports)` is the issuer they share (default: the first
 * instance's own URL). Returns the database, the instances and a `stop` that drops the database.
 */
export const startPostgresSignoffs = async ({ dir, adminUrl, receiversUrl, provider, count = 1, issuer, profileDir }) => {
  const database = await createDatabase(adminUrl);
  const store = { postgres: database.url, poolSize: POOL_SIZE };
  const env = { SIGNOFF_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
  const instances = [];
  const stop = async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await dropDatabase(adminUrl, database.name).catch((err) => console.error(`could not drop ${database.name}: ${err.message}`));
  };
  try {
    const ports = [];
    for (let i = 0; i < count; i++) ports.push(await freePort());
    for (const [i, port] of ports.entries()) {
      const config = signoffConfig(dir, port, receiversUrl, { store, provider, issuer: issuer?.(ports) });
      const configFile = join(dir, `${provider}-${i + 1}.config.json`);
      writeFileSync(configFile, JSON.stringify(config, null, 2));
      const proc = await startSignoff(configFile, profileDir && join(profileDir, provider), env);
      instances.push({ ...proc, issuer: config.issuer, url: `http://127.0.0.1:${port}`, config, configFile, env });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { database, store, env, instances, stop };
};

/**
 * Two Signoff instances on one PostgreSQL database behind the round-robin proxy
 * (servers/round-robin.js), which is their issuer. Started for P1 and stopped after it.
 */
export const startPostgresPair = async ({ dir, adminUrl, receiversUrl, profileDir }) => {
  const proxyPort = await freePort();
  const url = `http://127.0.0.1:${proxyPort}`;
  const pair = await startPostgresSignoffs({ dir, adminUrl, receiversUrl, provider: 'pgpair', count: 2, issuer: () => url, profileDir });
  let proxy;
  try {
    proxy = await startProxy(proxyPort, pair.instances.map((i) => i.url));
  } catch (err) {
    await pair.stop();
    throw err;
  }
  return {
    ...pair,
    issuer: url,
    proxy,
    stop: async () => {
      await proxy.stop();
      await pair.stop();
    },
  };
};

/** The round-robin proxy (servers/round-robin.js) on `port` (0: any) in front of `targets`. */
export const startProxy = async (port, targets) =>
  startProcess(join(BENCH, 'servers/round-robin.js'), [String(port), ...targets], { ipc: true, name: 'round-robin proxy' });

/**
 * Starts everything on 127.0.0.1, one process each: the receivers, Signoff on SQLite, Signoff on
 * PostgreSQL (a database of its own on the server at `postgres`, an admin URL; none when
 * `postgres` is undefined or the server does not answer, and `postgresNote` says why),
 * oidc-provider (with Signoff's RS256 key) and the bare route. Returns the systems and a `close`.
 */
export const startSystems = async ({ profileDir, postgres } = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-bench-'));
  const receivers = await startProcess(join(BENCH, 'servers/receivers.js'), [], { ipc: true, name: 'receivers' });
  const receiversUrl = `http://127.0.0.1:${receivers.message.port}`;

  const signoffPort = await freePort();
  const config = signoffConfig(dir, signoffPort, receiversUrl);
  const configFile = join(dir, 'signoff.config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  writeFileSync(config.keys.encryptionKeyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const signoff = await startSignoff(configFile, profileDir && join(profileDir, 'sqlite'));
  const jwk = await signoffRs256Key(config);

  let pg;
  let postgresNote = postgres ? await unreachable(postgres) : 'not run (--postgres off)';
  if (postgres && postgresNote) postgresNote = `no PostgreSQL server answered at ${postgres}: ${postgresNote}`;
  else if (postgres) pg = await startPostgresSignoffs({ dir, adminUrl: postgres, receiversUrl, provider: 'postgres', profileDir });

  try {
    return await startTheRest({ dir, jwk, receivers, receiversUrl, config, configFile, signoff, pg, postgres, postgresNote });
  } catch (err) {
    await Promise.all([signoff.stop(), pg?.stop(), receivers.stop()]);
    throw err;
  }
};

/** oidc-provider and the bare route, once Signoff runs; then the receivers learn every issuer. */
const startTheRest = async ({ dir, jwk, receivers, receiversUrl, config, configFile, signoff, pg, postgres, postgresNote }) => {
  const peerPort = await freePort();
  const peerConfig = { issuer: `http://127.0.0.1:${peerPort}`, port: peerPort, jwk, clients: clientsFor('peer', receiversUrl), opaqueClient: OPAQUE_CLIENT, users: [USER] };
  const peerFile = join(dir, 'peer.config.json');
  writeFileSync(peerFile, JSON.stringify(peerConfig));
  const peer = await startProcess(process.execPath, [join(BENCH, 'servers/peer.js'), peerFile], { ready: /listening on/, name: 'oidc-provider' });

  const barePort = await freePort();
  const bare = await startProcess(process.execPath, [join(BENCH, 'servers/bare.js'), String(barePort)], { ready: /listening on/, name: 'bare route' });

  await configureReceivers(receivers.child, {
    signoff: { issuer: config.issuer, jwksUri: `${config.issuer}/jwks` },
    ...(pg ? { postgres: { issuer: pg.instances[0].issuer, jwksUri: `${pg.instances[0].issuer}/jwks` } } : {}),
    peer: { issuer: peerConfig.issuer, jwksUri: `${peerConfig.issuer}/jwks` },
  });

  const systems = {
    dir,
    jwk,
    receivers: { ...receivers, url: receiversUrl },
    signoff: { ...signoff, issuer: config.issuer, config, configFile },
    // Signoff on PostgreSQL: one instance on a database of its own (pg.database), or undefined.
    postgres: pg && { ...pg.instances[0], database: pg.database, store: pg.store },
    postgresAdminUrl: postgres,
    postgresNote,
    peer: { ...peer, issuer: peerConfig.issuer },
    bare: { ...bare, url: `http://127.0.0.1:${barePort}` },
    close: async () => {
      await Promise.all([systems.signoff.stop(), pg?.stop(), peer.stop(), bare.stop(), receivers.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return systems;
};

const configureReceivers = (child, issuers) =>
  new Promise((resolve) => {
    const onMessage = (m) => {
      if (!m.configured) return;
      child.off('message', onMessage);
      resolve();
    };
    child.on('message', onMessage);
    child.send({ issuers });
  });
