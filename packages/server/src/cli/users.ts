import { AccountError, type AccountChange, changePassword, createAccount, deleteAccount, disableAccount, enableAccount } from '../accounts/lifecycle.js';
import { passwordChangedNotifier } from '../email/notice-sender.js';
import { type Provider, lifecycleDeps } from '../provider.js';
import { withNotices } from './mail.js';
import { CONFIG_OPTION, CommandFailure, UsageError, parse, readStdin, table, usageExit } from './args.js';
import { CLI_ACTOR, iso, withProvider } from './store.js';

export const USERS_USAGE = `Usage:
  signoff users add USERNAME (--password P | --password-stdin) [--claim NAME=VALUE ...] [--config FILE]
  signoff users list [--json] [--config FILE]
  signoff users passwd USERNAME (--password P | --password-stdin) [--config FILE]   (ends the user's sessions;
                                                        mails the email.notices.passwordChanged notice)
  signoff users disable USERNAME [--config FILE]       (ends the user's sessions)
  signoff users enable USERNAME [--config FILE]
  signoff users delete USERNAME [--config FILE]        (ends the user's sessions, revokes every refresh token,
                                                        erases the username, password and claims)

Claims are OpenID Connect standard claims (name, email, email_verified, ...); a VALUE that is
valid JSON (true, 42, "x") is stored as that JSON value, anything else as a string.
A password must pass the configuration's password rules (passwords.*: at least 15 characters by
default, not a common or breached password, not built on the username); a refused one exits 2
saying why.`;

const OPTIONS = {
  ...CONFIG_OPTION,
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  claim: { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const;

const passwordFrom = async (values: { password?: string; 'password-stdin'?: boolean }): Promise<string> => {
  if (values.password !== undefined && values['password-stdin']) throw new UsageError('give --password or --password-stdin, not both');
  const password = values['password-stdin'] ? await readStdin() : values.password;
  if (!password) throw new UsageError('a password is required: --password P or --password-stdin');
  return password;
};

const parseClaims = (claims: readonly string[] | undefined): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const c of claims ?? []) {
    const eq = c.indexOf('=');
    if (eq <= 0) throw new UsageError(`--claim takes NAME=VALUE, got "${c}"`);
    const raw = c.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: a plain string
    }
    out[c.slice(0, eq)] = value;
  }
  return out;
};

const findAccount = async (p: Provider, username: string | undefined) => {
  if (!username) throw new UsageError('a USERNAME is required');
  const account = await p.store.accountByUsername(username);
  if (!account) throw new CommandFailure(`no user "${username}"`);
  return account;
};

/** A change to an account deleted since it was looked up fails as an unknown one would. */
const found = (username: string | undefined, change: AccountChange | undefined): AccountChange => {
  if (!change) throw new CommandFailure(`no user "${username}"`);
  return change;
};

/**
 * A rule of the account use cases broken: a taken username is a runtime failure (exit 1); a bad
 * username or a password the policy refuses, a usage error (exit 2) that says why.
 */
const refused = (err: unknown): never => {
  if (err instanceof AccountError) throw err.kind === 'exists' ? new CommandFailure(err.message) : new UsageError(err.message);
  throw err;
};

export const usersCommand = async (argv: string[]): Promise<number | undefined> => {
  const { values, positionals } = parse(argv, OPTIONS);
  const [action, username] = positionals;
  const usage = usageExit(values.help, action, USERS_USAGE);
  if (usage !== undefined) return usage;
  return withProvider(values.config, (p) => withNotices(p, async (notices) => {
    // A new password set here is told to the account by the notice (issue 17 §4), in its own language.
    const deps = { ...lifecycleDeps(p), passwordChanged: passwordChangedNotifier(notices) };
    switch (action) {
      case 'add': {
        if (!username) throw new UsageError('a USERNAME is required');
        const input = { username, password: await passwordFrom(values), claims: parseClaims(values.claim), actor: CLI_ACTOR };
        const { account } = await createAccount(deps, input).catch(refused);
        console.log(`added user ${account.username} (sub ${account.id})`);
        return 0;
      }
      case 'list': {
        const accounts = await p.store.listAccounts();
        if (values.json) {
          console.log(JSON.stringify(accounts.map(({ passwordHash: _, ...a }) => a), null, 2));
        } else {
          console.log(table([['USERNAME', 'SUB', 'STATUS', 'CREATED'], ...accounts.map((a) => [a.username, a.id, a.disabled ? 'disabled' : 'active', iso(a.createdAt)])]));
        }
        return 0;
      }
      case 'passwd': {
        const account = await findAccount(p, username);
        const password = await passwordFrom(values);
        const changed = found(username, await changePassword(deps, { accountId: account.id, password, actor: CLI_ACTOR }).catch(refused));
        console.log(`changed the password of ${account.username}; ended ${changed.endedSessions} session(s)`);
        return 0;
      }
      case 'disable': {
        const account = await findAccount(p, username);
        const changed = found(username, await disableAccount(deps, { accountId: account.id, actor: CLI_ACTOR }));
        console.log(`disabled user ${account.username}; ended ${changed.endedSessions} session(s)`);
        return 0;
      }
      case 'enable': {
        const account = await findAccount(p, username);
        found(username, await enableAccount(deps, { accountId: account.id, actor: CLI_ACTOR }));
        console.log(`enabled user ${account.username}`);
        return 0;
      }
      case 'delete': {
        const account = await findAccount(p, username);
        const deleted = found(username, await deleteAccount(deps, { accountId: account.id, actor: CLI_ACTOR }));
        console.log(`deleted user ${account.username} (sub ${account.id}); ended ${deleted.endedSessions} session(s)`);
        return 0;
      }
      default:
        throw new UsageError(`unknown action "users ${action}"\n\n${USERS_USAGE}`);
    }
  }));
};
