import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditEvent } from '../sessions/events.js';
import { CONFIG_OPTION, UsageError, parse, usageExit } from './args.js';
import { iso, withProvider } from './store.js';

export const EVENTS_USAGE = `Usage:
  signoff events tail [-n N] [--follow] [--session SESSION_ID] [--json] [--config FILE]

Prints the latest audit events (session created, re-authenticated, ended with its reason and
actor), oldest first; --follow keeps printing new ones until interrupted.`;

const OPTIONS = {
  ...CONFIG_OPTION,
  lines: { type: 'string', short: 'n' },
  follow: { type: 'boolean', short: 'f' },
  session: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const line = (e: AuditEvent, json: boolean | undefined): string =>
  json
    ? JSON.stringify(e)
    : [iso(e.at), e.type, e.sessionId ? `session=${e.sessionId}` : '', e.accountId ? `sub=${e.accountId}` : '', e.clientId ? `client=${e.clientId}` : '',
        e.reason ? `reason=${e.reason}` : '', e.actor ? `actor=${e.actor}` : ''].filter(Boolean).join(' ');

export const eventsCommand = async (argv: string[]): Promise<number | undefined> => {
  const { values, positionals } = parse(argv, OPTIONS);
  const [action] = positionals;
  const usage = usageExit(values.help, action, EVENTS_USAGE);
  if (usage !== undefined) return usage;
  if (action !== 'tail') throw new UsageError(`unknown action "events ${action}"\n\n${EVENTS_USAGE}`);
  const raw = values.lines ?? '20';
  if (!/^\d+$/.test(raw)) throw new UsageError(`-n takes a number, got "${raw}"`);
  const lines = Number(raw);
  return withProvider(values.config, async (p) => {
    // At least one is read even for -n 0, so --follow knows where "new" begins.
    const latest = await p.store.listEvents({ sessionId: values.session, limit: Math.max(lines, 1) });
    // Fewer than N stored means all of them (a negative start would count from the end instead).
    let events = latest.slice(Math.max(0, latest.length - lines));
    let afterId = latest.at(-1)?.id ?? 0;
    for (;;) {
      for (const e of events) console.log(line(e, values.json));
      afterId = events.at(-1)?.id ?? afterId;
      if (!values.follow) return 0;
      await sleep(1000);
      events = await p.store.listEvents({ afterId, sessionId: values.session, limit: 1000 });
    }
  });
};
