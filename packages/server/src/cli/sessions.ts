import { type Provider, endingDeps } from '../provider.js';
import { endSessions } from '../sessions/end.js';
import { sessionDetail } from '../sessions/query.js';
import type { Session, SessionSelector } from '../sessions/store.js';
import { CONFIG_OPTION, CommandFailure, UsageError, limitOf, parse, table, usageExit } from './args.js';
import { CLI_ACTOR, iso, withProvider } from './store.js';

export const SESSIONS_USAGE = `Usage:
  signoff sessions list [--user USERNAME] [--all] [--limit N] [--json] [--config FILE]
  signoff sessions show SESSION_ID [--json] [--config FILE]
  signoff sessions end (SESSION_ID | --user USERNAME [--revoke-offline-tokens] | --browser BROWSER_ID) [--config FILE]

list shows open sessions (with --all, ended ones too), newest first. end ends sessions as an
administrator (reason "admin"): their refresh tokens are revoked and every application signed
in through them is notified by back-channel logout. offline_access refresh tokens survive,
unless --user is given --revoke-offline-tokens.`;

const OPTIONS = {
  ...CONFIG_OPTION,
  user: { type: 'string' },
  browser: { type: 'string' },
  all: { type: 'boolean' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  'revoke-offline-tokens': { type: 'boolean' },
} as const;

const state = (s: Session): string => (s.endedAt === undefined ? 'open' : `ended (${s.endReason ?? '?'})`);

const accountIdOf = async (p: Provider, username: string): Promise<string> => {
  const account = await p.store.accountByUsername(username);
  if (!account) throw new CommandFailure(`no user "${username}"`);
  return account.id;
};

export const sessionsCommand = async (argv: string[]): Promise<number | undefined> => {
  const { values, positionals } = parse(argv, OPTIONS);
  const [action, id] = positionals;
  const usage = usageExit(values.help, action, SESSIONS_USAGE);
  if (usage !== undefined) return usage;
  const limit = limitOf(values.limit);
  return withProvider(values.config, async (p) => {
    const usernames = new Map((await p.store.listAccounts()).map((a) => [a.id, a.username]));
    switch (action) {
      case 'list': {
        const accountId = values.user === undefined ? undefined : await accountIdOf(p, values.user);
        const sessions = await p.store.listSessions({ accountId, includeEnded: values.all, limit });
        if (values.json) {
          console.log(JSON.stringify(sessions, null, 2));
        } else {
          console.log(table([
            ['SESSION', 'USER', 'STATE', 'CREATED', 'LAST SEEN', 'LAST IP'],
            ...sessions.map((s) => [s.id, usernames.get(s.accountId) ?? s.accountId, state(s), iso(s.createdAt), iso(s.lastSeen), s.lastIp]),
          ]));
        }
        return 0;
      }
      case 'show': {
        if (!id) throw new UsageError('a SESSION_ID is required');
        const detail = await sessionDetail(p, id);
        if (!detail) throw new CommandFailure(`no session "${id}"`);
        const { session, participants, view: v } = detail;
        const events = await p.store.listEvents({ sessionId: id, limit });
        if (values.json) {
          console.log(JSON.stringify({ session, participants, events }, null, 2));
          return 0;
        }
        const ended = v.ended_at === null ? 'open' : `ended (${v.end_reason ?? '?'})${v.ended_by ? ` by ${v.ended_by} at ${iso(v.ended_at)}` : ''}`;
        console.log(table([
          ['session', v.id],
          ['user', v.username ?? v.user_id],
          ['state', ended],
          ['browser', session.browserId],
          ['created', `${iso(v.created_at)} from ${v.device.initial_ip} (${v.device.initial_user_agent || '-'})`],
          ['authenticated', `${iso(v.authenticated_at)} amr=${v.amr.join(',')} acr=${v.acr}${v.remember_me ? ' remember-me' : ''}`],
          ['factors', v.factors.map((f) => `${f.method} ${iso(f.verified_at)}`).join(', ') || '-'],
          ['last seen', `${iso(v.last_active_at)} from ${v.device.last_ip} (${v.device.last_user_agent || '-'})`],
          ['expires', `idle ${iso(v.idle_expires_at)}, absolute ${iso(v.expires_at)}`],
        ]));
        console.log(`\n${table([['CLIENT', 'SID', 'FIRST SIGN-IN', 'LAST SIGN-IN'], ...v.clients.map((x) => [x.client_id, x.sid, iso(x.first_authenticated_at), iso(x.last_authenticated_at)])])}`);
        console.log(`\n${table([['EVENT', 'AT', 'REASON', 'ACTOR'], ...events.map((e) => [e.type, iso(e.at), e.reason ?? '-', e.actor ?? '-'])])}`);
        return 0;
      }
      case 'end': {
        const chosen = [id !== undefined, values.user !== undefined, values.browser !== undefined].filter(Boolean).length;
        if (chosen !== 1) throw new UsageError('give exactly one of SESSION_ID, --user USERNAME or --browser BROWSER_ID');
        const selector: SessionSelector =
          id !== undefined ? { sessionId: id } : values.user !== undefined ? { accountId: await accountIdOf(p, values.user) } : { browserId: values.browser as string };
        const revokeOfflineTokens = values['revoke-offline-tokens'] === true;
        if (revokeOfflineTokens && values.user === undefined) throw new UsageError('--revoke-offline-tokens goes with --user USERNAME');
        const ended = await endSessions(endingDeps(p), selector, 'admin', CLI_ACTOR, { revokeOfflineTokens });
        const notified = ended.reduce((n, s) => n + s.participants.length, 0);
        console.log(`ended ${ended.length} session(s); ${notified} application sign-in(s) notified`);
        return 0;
      }
      default:
        throw new UsageError(`unknown action "sessions ${action}"\n\n${SESSIONS_USAGE}`);
    }
  });
};
