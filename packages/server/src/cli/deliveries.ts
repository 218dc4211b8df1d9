import type { DeliveryStatus } from '../store/types.js';
import { nowSeconds } from '../clock.js';
import { CONFIG_OPTION, UsageError, limitOf, parse, table } from './args.js';
import { iso, withProvider } from './store.js';

export const DELIVERIES_USAGE = `Usage:
  signoff deliveries list [--status pending|failed|delivered] [--limit N] [--json] [--config FILE]
  signoff deliveries retry DELIVERY_ID [--config FILE]

Back-channel logout notifications owed to applications, oldest first. A failed one is kept with
its reason until an operator retries it; retry makes it due now and restarts its give-up time
(the running provider picks it up within its backchannel.pollInterval).`;

const OPTIONS = { ...CONFIG_OPTION, status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } } as const;
const STATUSES: readonly DeliveryStatus[] = ['pending', 'failed', 'delivered'];

const statusOf = (raw: string | undefined): DeliveryStatus | undefined => {
  if (raw === undefined) return undefined;
  if (!STATUSES.includes(raw as DeliveryStatus)) throw new UsageError(`--status takes one of ${STATUSES.join(', ')}, got "${raw}"`);
  return raw as DeliveryStatus;
};

export const deliveriesCommand = async (argv: string[]): Promise<number | undefined> => {
  const { values, positionals } = parse(argv, OPTIONS);
  const [action, id] = positionals;
  if (values.help || !action) {
    console.log(DELIVERIES_USAGE);
    return values.help ? 0 : 2;
  }
  if (action !== 'list' && action !== 'retry') throw new UsageError(`unknown action "deliveries ${action}"\n\n${DELIVERIES_USAGE}`);
  const status = statusOf(values.status);
  const limit = limitOf(values.limit);
  if (action === 'retry' && !id) throw new UsageError('a DELIVERY_ID is required');
  return withProvider(values.config, async (p) => {
    if (action === 'retry') {
      if (!(await p.store.retryDelivery(id as string, nowSeconds(p.clock)))) {
        throw new UsageError(`no pending or failed delivery "${id as string}"`);
      }
      console.log(`delivery ${id as string} is due now`);
      return 0;
    }
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
