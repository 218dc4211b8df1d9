import { retryClientDeliveries, retryDeliveries } from '../logout/back-channel/deliveries.js';
import type { DeliveryStatus } from '../logout/back-channel/outbox.js';
import type { Provider } from '../provider.js';
import { CONFIG_OPTION, CommandFailure, UsageError, limitOf, parse, table, usageExit } from './args.js';
import { CLI_ACTOR, iso, withProvider } from './store.js';

export const DELIVERIES_USAGE = `Usage:
  signoff deliveries list [--status pending|failed|delivered] [--limit N] [--json] [--config FILE]
  signoff deliveries retry DELIVERY_ID... [--config FILE]
  signoff deliveries retry --all --client CLIENT_ID [--config FILE]

Back-channel logout notifications owed to applications, oldest first. A failed one is kept with
its reason until an operator retries it; retry makes it due now and restarts its attempts and
give-up time (the running provider picks it up within its backchannel.pollInterval). Several ids
are retried all or none: an id that is not a pending or failed delivery fails the command (exit
1) and nothing changes. --all --client retries every pending or failed delivery of one client.`;

const OPTIONS = {
  ...CONFIG_OPTION, status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' }, all: { type: 'boolean' }, client: { type: 'string' },
} as const;
const STATUSES: readonly DeliveryStatus[] = ['pending', 'failed', 'delivered'];

const statusOf = (raw: string | undefined): DeliveryStatus | undefined => {
  if (raw === undefined) return undefined;
  if (!STATUSES.includes(raw as DeliveryStatus)) throw new UsageError(`--status takes one of ${STATUSES.join(', ')}, got "${raw}"`);
  return raw as DeliveryStatus;
};

/** What `retry` was asked for: named rows, or every row of one client. */
type RetryTarget = { ids: string[] } | { clientId: string };

const retryTargetOf = (ids: string[], all: boolean | undefined, clientId: string | undefined): RetryTarget => {
  if (all) {
    if (clientId === undefined) throw new UsageError('--all needs --client CLIENT_ID (every pending or failed delivery of that client)');
    if (ids.length > 0) throw new UsageError('give either DELIVERY_IDs or --all --client CLIENT_ID, not both');
    return { clientId };
  }
  if (clientId !== undefined) throw new UsageError('--client goes with --all: signoff deliveries retry --all --client CLIENT_ID');
  if (ids.length === 0) throw new UsageError('a DELIVERY_ID (or --all --client CLIENT_ID) is required');
  return { ids };
};

/** Runs a retry. An id or client that does not exist is a runtime failure (exit 1), not a usage error. */
const retry = async (p: Provider, target: RetryTarget): Promise<number> => {
  if ('clientId' in target) {
    const n = await retryClientDeliveries(p, target.clientId, CLI_ACTOR);
    if (n === 'unknown_client') throw new CommandFailure(`no client "${target.clientId}"`);
    console.log(n === 0 ? `client ${target.clientId} has no pending or failed deliveries` : `${n} deliver${n === 1 ? 'y' : 'ies'} of client ${target.clientId} due now`);
    return 0;
  }
  const { retried, unknown } = await retryDeliveries(p, target.ids, CLI_ACTOR);
  if (unknown.length > 0) {
    throw new CommandFailure(`no pending or failed deliver${unknown.length === 1 ? 'y' : 'ies'} ${unknown.map((id) => `"${id}"`).join(', ')}; nothing was retried`);
  }
  console.log(target.ids.length === 1 ? `delivery ${target.ids[0] as string} is due now` : `${retried} deliveries are due now`);
  return 0;
};

export const deliveriesCommand = async (argv: string[]): Promise<number | undefined> => {
  const { values, positionals } = parse(argv, OPTIONS);
  const [action, ...ids] = positionals;
  const usage = usageExit(values.help, action, DELIVERIES_USAGE);
  if (usage !== undefined) return usage;
  if (action !== 'list' && action !== 'retry') throw new UsageError(`unknown action "deliveries ${action}"\n\n${DELIVERIES_USAGE}`);
  const status = statusOf(values.status);
  const limit = limitOf(values.limit);
  if (action === 'list' && (ids.length > 0 || values.all || values.client !== undefined)) throw new UsageError('deliveries list takes no ids, --all or --client');
  const target = action === 'retry' ? retryTargetOf(ids, values.all, values.client) : undefined;
  return withProvider(values.config, async (p) => {
    if (target) return retry(p, target);
    const rows = await p.store.listDeliveries({ status, limit });
    if (values.json) {
      console.log(JSON.stringify(rows, null, 2));
      return 0;
    }
    console.log(table([
      ['DELIVERY', 'CLIENT', 'STATUS', 'REASON', 'CREATED', 'ATTEMPTS', 'NEXT/FINISHED', 'LAST ERROR'],
      ...rows.map((d) => [
        d.id, d.clientId, d.status, d.reason, iso(d.createdAt), String(d.attempts),
        d.status === 'pending' ? iso(Math.floor(d.nextAttemptAt)) : iso(d.finishedAt), d.lastError ?? '-',
      ]),
    ]));
    return 0;
  });
};
