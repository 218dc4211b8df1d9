import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/schema.js';
import { startDeliveries } from '../../src/deliveries.js';
import { buildApp } from '../../src/http/app.js';
import { buildManagementApp } from '../../src/http/management.js';
import { type Provider, openProvider } from '../../src/provider.js';

/** Test clients, one per authentication style; redirect URIs point at loopback ports nobody serves. */
export const CLIENTS = {
  web: { client_id: 'web', client_secret: 'web-secret-0123456789-0123456789-abc', redirect_uri: 'http://127.0.0.1:5001/callback' },
  spa: { client_id: 'spa', redirect_uri: 'http://127.0.0.1:5002/cb' },
  post: { client_id: 'post', client_secret: 'post-secret-0123456789-0123456789-ab', redirect_uri: 'http://127.0.0.1:5003/cb' },
  consent: { client_id: 'consent', client_secret: 'consent-secret-0123456789-0123456789', redirect_uri: 'http://127.0.0.1:5004/cb' },
} as const;

export const USERS = {
  alice: { username: 'alice', password: 'alice-battery-staple-horse', claims: { name: 'Alice', email: 'alice@example.test', email_verified: true } },
  bob: { username: 'bob', password: 'bob-battery-staple-horse', claims: { name: 'Bob', email: 'bob@example.test' } },
} as const;

export const defaultClients = (): Record<string, unknown>[] => [
  {
    client_id: CLIENTS.web.client_id,
    client_secret: CLIENTS.web.client_secret,
    client_name: 'Web App',
    redirect_uris: [CLIENTS.web.redirect_uri],
    post_logout_redirect_uris: ['http://127.0.0.1:5001/'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: CLIENTS.spa.client_id,
    redirect_uris: [CLIENTS.spa.redirect_uri],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
  },
  {
    client_id: CLIENTS.post.client_id,
    client_secret: CLIENTS.post.client_secret,
    redirect_uris: [CLIENTS.post.redirect_uri],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'ES256',
  },
  {
    client_id: CLIENTS.consent.client_id,
    client_secret: CLIENTS.consent.client_secret,
    client_name: 'Needs Consent',
    redirect_uris: [CLIENTS.consent.redirect_uri],
    grant_types: ['authorization_code', 'refresh_token'],
    require_consent: true,
  },
];

/** The default test clients, with back-channel logout URIs (session required) for the ones named. */
export const clientsWithBackChannel = (uris: Partial<Record<keyof typeof CLIENTS, string>>): Record<string, unknown>[] =>
  defaultClients().map((c) => {
    const uri = uris[c.client_id as keyof typeof CLIENTS];
    return uri ? { ...c, backchannel_logout_uri: uri, backchannel_logout_session_required: true } : c;
  });

/**
 * The key-encryption key every test provider and `signoff` process runs with (issue 10 §5: a
 * configuration without `development` needs one). Tests of the KEK itself pass their own env.
 */
export const TEST_KEK = Buffer.alloc(32, 0x5e).toString('base64');
export const TEST_KEK_ENV = { SIGNOFF_KEY_ENCRYPTION_KEY: TEST_KEK } as const;

/**
 * A free port held open until `release`: servers started meanwhile on port 0 cannot be given it
 * (freePort's port is free only at the moment it answers), so a provider whose issuer must be
 * known before other servers start listens on it without EADDRINUSE.
 */
export const reservePort = (): Promise<{ port: number; release: () => Promise<void> }> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      if (typeof address !== 'object' || !address) return reject(new Error('no port'));
      resolve({ port: address.port, release: () => new Promise<void>((done) => srv.close(() => done())) });
    });
  });

/** A port free at the moment it answers (reservePort when other servers start before it is used). */
export const freePort = async (): Promise<number> => {
  const { port, release } = await reservePort();
  await release();
  return port;
};

export interface TestProvider {
  issuer: string;
  /** Base URL of the management listener (/metrics, /readyz), on a free loopback port. */
  management: string;
  provider: Provider;
  app: FastifyInstance;
  dir: string;
  close(): Promise<void>;
}

/**
 * Starts the real provider in this process, listening on 127.0.0.1, on a fresh SQLite file.
 * `overrides` replace top-level configuration keys; `clock` injects time; `deliveries` starts the
 * back-channel delivery worker (with optional test settings such as a short backoff); `host`
 * names the issuer's host; `env` replaces the environment the key-encryption key is read from
 * (default: TEST_KEK).
 */
export const startProvider = async (
  overrides: Record<string, unknown> = {},
  opts: {
    clock?: Clock;
    deliveries?: boolean | Parameters<typeof startDeliveries>[2];
    host?: 'localhost' | '127.0.0.1';
    env?: NodeJS.ProcessEnv;
    /** A port chosen beforehand (freePort), when others must know the issuer first (an upstream registering it). */
    port?: number;
  } = {},
): Promise<TestProvider> => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-test-'));
  const port = opts.port ?? (await freePort());
  // It always listens on 127.0.0.1; an issuer naming `localhost` is another site for a browser.
  const issuer = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  const config = parseConfig({
    issuer,
    port,
    store: { sqlite: join(dir, 'signoff.sqlite') },
    logging: { level: 'silent' },
    management: { port: 0 },
    clients: defaultClients(),
    users: Object.values(USERS),
    ...overrides,
  });
  const provider = await openProvider(config, { ...(opts.clock ? { clock: opts.clock } : {}), env: opts.env ?? TEST_KEK_ENV });
  const app = buildApp(provider);
  await app.listen({ host: '127.0.0.1', port });
  const managementApp = buildManagementApp(provider);
  const management = await managementApp.listen({ host: '127.0.0.1', port: 0 });
  const stopDeliveries = opts.deliveries ? startDeliveries(provider, app.log, opts.deliveries === true ? {} : opts.deliveries) : undefined;
  return {
    issuer,
    management,
    provider,
    app,
    dir,
    close: async () => {
      // A browser that stays open keeps (or preconnects) sockets; do not wait for it to let go.
      const closing = Promise.all([app.close(), managementApp.close()]);
      app.server.closeAllConnections();
      await closing;
      await stopDeliveries?.();
      await provider.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
