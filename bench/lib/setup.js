import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess } from './processes.js';
import { currentRs256Key } from './store.js';

const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT = dirname(BENCH);
export const SIGNOFF_BIN = join(ROOT, 'packages/server/bin/signoff.js');

/** 20 relying parties with back-channel receivers, and one whose back-channel endpoint hangs. */
export const CLIENT_IDS = Array.from({ length: 20 }, (_, i) => `rp${String(i + 1).padStart(2, '0')}`);
export const HANGING_CLIENT = 'hang';
export const USER = { username: 'alice', password: 'alice-password-for-the-benchmark', claims: { name: 'Alice', email: 'alice@example.test', email_verified: true } };
/** The account whose 10,000 sessions P7 ends (Signoff only). */
export const P7_USER = { username: 'everywhere', password: 'everywhere-password-for-the-bench', claims: { name: 'Everywhere' } };

export const secretOf = (clientId) => `${clientId}-secret-for-the-benchmark-0123456789`;

/** RFC 7591 metadata of every client, for one provider, pointing at the receivers. */
const clientsFor = (provider, receivers) =>
  [...CLIENT_IDS, HANGING_CLIENT].map((clientId) => ({
    client_id: clientId,
    client_secret: secretOf(clientId),
    redirect_uris: [`${receivers}/cb`],
    post_logout_redirect_uris: [`${receivers}/logged-out`],
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
    backchannel_logout_uri: `${receivers}/${clientId === HANGING_CLIENT ? 'hang' : 'bcl'}/${provider}/${clientId}`,
    backchannel_logout_session_required: true,
  }));

/** Signoff's configuration: the embedded SQLite store in a file, production settings, logs off. */
const signoffConfig = (dir, port, receivers) => ({
  issuer: `http://127.0.0.1:${port}`,
  port,
  store: { sqlite: join(dir, 'signoff.sqlite') },
  keys: { encryptionKeyFile: join(dir, 'signoff.kek') },
  logging: { level: 'silent' },
  // Any free port: the default (9464) may be taken by a provider a developer runs meanwhile.
  management: { port: 0 },
  outbound: { allowPrivateNetworks: true },
  clients: clientsFor('signoff', receivers),
  users: [USER, P7_USER],
});

/** Starts Signoff; with `profileDir`, under `--cpu-prof` (the profile is written when it stops). */
export const startSignoff = (configFile, profileDir) =>
  startProcess(
    process.execPath,
    [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), SIGNOFF_BIN, 'start', '--config', configFile],
    { ready: /listening on/, name: 'signoff' },
  );

/** The current RS256 private key Signoff generated at its first start, unsealed with its key-encryption key. */
const signoffRs256Key = async (config) => {
  const { openJwk, parseKek } = await import('../../packages/server/dist/src/tokens/key-encryption.js');
  const kek = parseKek(readFileSync(config.keys.encryptionKeyFile, 'utf8'), 'keys.encryptionKeyFile');
  const key = await currentRs256Key(config.store.sqlite);
  return openJwk(kek, key.kid, key.privateJwk);
};

/**
 * Starts everything on 127.0.0.1, one process each: the receivers, Signoff, oidc-provider (with
 * Signoff's RS256 key) and the bare route. Returns the systems and a `close`.
 */
export const startSystems = async ({ profileDir } = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-bench-'));
  const receivers = await startProcess(join(BENCH, 'servers/receivers.js'), [], { ipc: true, name: 'receivers' });
  const receiversUrl = `http://127.0.0.1:${receivers.message.port}`;

  const signoffPort = await freePort();
  const config = signoffConfig(dir, signoffPort, receiversUrl);
  const configFile = join(dir, 'signoff.config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  writeFileSync(config.keys.encryptionKeyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  const signoff = await startSignoff(configFile, profileDir);
  const jwk = await signoffRs256Key(config);

  const peerPort = await freePort();
  const peerConfig = { issuer: `http://127.0.0.1:${peerPort}`, port: peerPort, jwk, clients: clientsFor('peer', receiversUrl), users: [USER] };
  const peerFile = join(dir, 'peer.config.json');
  writeFileSync(peerFile, JSON.stringify(peerConfig));
  const peer = await startProcess(process.execPath, [join(BENCH, 'servers/peer.js'), peerFile], { ready: /listening on/, name: 'oidc-provider' });

  const barePort = await freePort();
  const bare = await startProcess(process.execPath, [join(BENCH, 'servers/bare.js'), String(barePort)], { ready: /listening on/, name: 'bare route' });

  await configureReceivers(receivers.child, {
    signoff: { issuer: config.issuer, jwksUri: `${config.issuer}/jwks` },
    peer: { issuer: peerConfig.issuer, jwksUri: `${peerConfig.issuer}/jwks` },
  });

  const systems = {
    dir,
    jwk,
    receivers: { ...receivers, url: receiversUrl },
    signoff: { ...signoff, issuer: config.issuer, config, configFile },
    peer: { ...peer, issuer: peerConfig.issuer },
    bare: { ...bare, url: `http://127.0.0.1:${barePort}` },
    close: async () => {
      await Promise.all([systems.signoff.stop(), peer.stop(), bare.stop(), receivers.stop()]);
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
