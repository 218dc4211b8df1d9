import { loadConfig } from '../config/load.js';
import { DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_USER } from '../config/development.js';
import { buildApp } from '../http/app.js';
import { ENDPOINTS } from '../http/endpoints.js';
import { openProvider } from '../provider.js';
import { startHousekeeping } from '../housekeeping.js';
import { startDeliveries } from '../deliveries.js';
import { CONFIG_OPTION, UsageError, parse } from './args.js';
import { keyNotices } from './store.js';

export const START_USAGE = `Usage: signoff start [--config FILE] [--port N]

Runs the provider. Without --config (and without SIGNOFF_CONFIG) it runs the development
configuration: issuer http://localhost:3000, SQLite in ./data, a demo client and a demo user.
Environment overrides: SIGNOFF_ISSUER, SIGNOFF_PORT, SIGNOFF_STORE (SQLite path or postgres:// URL).
SIGNOFF_KEY_ENCRYPTION_KEY (base64 of 32 bytes) seals the private signing keys; outside development
it, or a file named by keys.encryptionKeyFile, is required.`;

export const start = async (argv: string[]): Promise<number | undefined> => {
  const { values } = parse(argv, { ...CONFIG_OPTION, port: { type: 'string', short: 'p' } });
  if (values.help) {
    console.log(START_USAGE);
    return 0;
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got "${values.port}"`);
  }
  const config = loadConfig({ file: values.config ?? process.env.SIGNOFF_CONFIG, port });
  const provider = await openProvider(config);
  const app = buildApp(provider);
  for (const notice of keyNotices(provider)) console.error(`signoff: ${notice}`);
  const stopHousekeeping = startHousekeeping(provider, app.log);
  // Resumes the notifications pending in the store at once, then drains the outbox as sessions end.
  const stopDeliveries = startDeliveries(provider, app.log);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    stopHousekeeping();
    // Requests in flight get a few seconds; then connections a browser keeps open are closed too.
    const force = setTimeout(() => app.server.closeAllConnections(), 5000);
    await app.close();
    clearTimeout(force);
    await stopDeliveries();
    await provider.store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  const address = await app.listen({ host: config.host, port: config.port });
  console.error(`signoff: listening on ${address}, issuer ${config.issuer}`);
  if (config.development) printDevelopmentBanner(config.issuer);
  return undefined;
};

const printDevelopmentBanner = (issuer: string): void => {
  const authorize = new URL(issuer + ENDPOINTS.authorization);
  authorize.search = new URLSearchParams({
    client_id: DEV_CLIENT_ID,
    redirect_uri: `${issuer}${ENDPOINTS.devCallback}`,
    response_type: 'code',
    scope: 'openid profile email',
  }).toString();
  console.error(`
  ┌──────────────────────────────────────────────────────────────────────────────┐
  │ DEVELOPMENT CONFIGURATION — not for production (see README, "Configuration") │
  └──────────────────────────────────────────────────────────────────────────────┘
  Discovery:  ${issuer}${ENDPOINTS.discovery}
  Demo user:  ${DEV_USER.username} / ${DEV_USER.password}
  Demo client: ${DEV_CLIENT_ID} / ${DEV_CLIENT_SECRET}
  Try signing in: ${authorize.toString()}
`);
};
