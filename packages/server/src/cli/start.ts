import { loadConfig } from '../config/load.js';
import { buildApp } from '../http/app.js';
import { buildManagementApp } from '../http/management.js';
import { openProvider } from '../provider.js';
import { startHousekeeping } from '../housekeeping.js';
import { startDeliveries } from '../deliveries.js';
import { startTracing } from '../telemetry/start.js';
import { CONFIG_OPTION, UsageError, parse } from './args.js';
import { developmentBanner } from './banner.js';
import { createdStoreWarning, keyNotices, storeLine } from './store.js';

export const START_USAGE = `Usage: signoff start [--config FILE] [--port N]

Runs the provider. Without --config (and without SIGNOFF_CONFIG) it runs the development
configuration: issuer http://localhost:3000, SQLite in ./data, a demo client and a demo user.
Environment overrides: SIGNOFF_ISSUER, SIGNOFF_PORT, SIGNOFF_STORE (SQLite path or postgres:// URL).
SIGNOFF_KEY_ENCRYPTION_KEY (base64 of 32 bytes) seals the private signing keys; outside development
it, or a file named by keys.encryptionKeyFile, is required.
Metrics (/metrics) and readiness (/readyz) are served on the management listener
(management.host:management.port, 127.0.0.1:9464 by default), not on the public port.
SIGNOFF_MANAGEMENT_PORT overrides management.port (a port, 0 for any free one, or "off").`;

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
  // Traces first, so the store's opening and everything after can be traced (issue 17 §2).
  const stopTracing = await startTracing(config.traces);
  const provider = await openProvider(config);
  const { origin } = provider.store;
  console.error(`signoff: store: ${storeLine(origin)}`);
  const app = buildApp(provider);
  const created = createdStoreWarning(origin);
  if (created) app.log.warn({ store: origin.location }, created);
  for (const notice of keyNotices(provider)) console.error(`signoff: ${notice}`);
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
  const stopUpkeep = provider.store.startUpkeep((message) => app.log.warn({ store: origin.location }, message));
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
    // Meanwhile back-channel attempts get backchannel.shutdownGrace, then their rows are released
    // for another instance or the next start: both drains together fit a container's grace period.
    const force = setTimeout(() => {
      app.server.closeAllConnections();
      management?.server.closeAllConnections();
    }, 5000);
    const released = stopDeliveries().catch((err: unknown) => app.log.error({ err }, 'releasing back-channel deliveries at shutdown failed; their leases lapse instead'));
    await Promise.all([Promise.all([app.close(), management?.close()]).finally(() => clearTimeout(force)), released]);
    await stopUpkeep();
    await provider.store.close();
    // The spans of the last requests and deliveries still buffered go to the collector.
    await stopTracing?.().catch((err: unknown) => app.log.warn({ err }, 'exporting the last spans at shutdown failed'));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // One write, so a reader waiting for "listening on" gets the banner with it.
  console.error(`signoff: listening on ${address}, issuer ${config.issuer}${config.development ? `\n${developmentBanner(config)}` : ''}`);
  return undefined;
};
