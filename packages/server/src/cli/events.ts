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

/** How far back --follow looks again for events committed after newer ones. */
const LATE_IDS = 200;

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
    // Ids are handed out in order but, on PostgreSQL with several writers, committed in any order:
    // an event may appear after a newer one was printed. Each poll re-reads the last LATE_IDS ids
    // and prints only those not printed yet.
    let newest = latest.at(-1)?.id ?? 0;
    // What is stored when it starts is not new, printed or not: only later commits are.
    const before = values.follow ? await p.store.listEvents({ afterId: Math.max(0, newest - LATE_IDS), sessionId: values.session, limit: LATE_IDS + 1 }) : [];
    const seen = new Set([...latest, ...before].map((e) => e.id));
    for (;;) {
      for (const e of events) console.log(line(e, values.json));
      if (!values.follow) return 0;
      await sleep(1000);
      const read = await p.store.listEvents({ afterId: Math.max(0, newest - LATE_IDS), sessionId: values.session, limit: 1000 + LATE_IDS });
      events = read.filter((e) => !seen.has(e.id));
      for (const e of events) seen.add(e.id);
      newest = Math.max(newest, ...events.map((e) => e.id));
      for (const id of seen) if (id <= newest - LATE_IDS) seen.delete(id);
    }
  });
};
