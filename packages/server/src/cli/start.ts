import { loadConfig } from '../config/load.js';
import { DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_USER } from '../config/development.js';
import { buildApp } from '../http/app.js';
import { buildManagementApp } from '../http/management.js';
import { ENDPOINTS } from '../http/endpoints.js';
import { openProvider } from '../provider.js';
import { startHousekeeping } from '../housekeeping.js';
import { startDeliveries } from '../deliveries.js';
import { CONFIG_OPTION, UsageError, parse } from './args.js';

export const START_USAGE = `Usage: signoff start [--config FILE] [--port N]

Runs the provider. Without --config (and without SIGNOFF_CONFIG) it runs the development
configuration: issuer http://localhost:3000, SQLite in ./data, a demo client and a demo user.
Metrics (/metrics) and readiness (/readyz) are served on the management listener
(management.host:management.port, 127.0.0.1:9464 by default), not on the public port.
Environment overrides: SIGNOFF_ISSUER, SIGNOFF_PORT, SIGNOFF_STORE (SQLite path or postgres:// URL),
SIGNOFF_MANAGEMENT_PORT (a port, 0 for any free one, or "off").`;

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
  const management = config.management.port === null ? undefined : buildManagementApp(provider);
  let address: string;
  try {
    // The management listener first: the line "listening on" tells a supervisor everything is up.
    if (management && config.management.port !== null) {
      const at = await management.listen({ host: config.management.host, port: config.management.port });
      console.error(`signoff: management listener (/metrics, /readyz) on ${at}`);
    }
    address = await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    // A port in use: nothing else has started, so closing both leaves the process free to exit.
    await Promise.all([app.close(), management?.close()]);
    await provider.store.close();
    throw err;
  }
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
    const force = setTimeout(() => {
      app.server.closeAllConnections();
      management?.server.closeAllConnections();
    }, 5000);
    await Promise.all([app.close(), management?.close()]);
    clearTimeout(force);
    await stopDeliveries();
    await provider.store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
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
