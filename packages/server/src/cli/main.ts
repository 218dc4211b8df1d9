import { ConfigError } from '../config/validate.js';
import { UsageError } from './args.js';
import { versionCommand } from './version.js';

const USAGE = `Usage: signoff <command> [options]

Commands:
  start     run the provider                      (signoff start --help)
  init      write a starter configuration file    (signoff init --help)
  users     add, list, change or disable users    (signoff users --help)
  clients   add, list or remove clients           (signoff clients --help)
  keys      list or rotate signing keys           (signoff keys --help)
  sessions  list, show or end SSO sessions        (signoff sessions --help)
  events    print the audit events                (signoff events --help)
  deliveries list or retry back-channel logouts  (signoff deliveries --help)
  upstreams list upstreams or show one's fixed URIs (signoff upstreams --help)
  backup    copy a live SQLite store to a file    (signoff backup --help)
  restore   put a backup in place of the store    (signoff restore --help)
  version   print the version of signoff          (also: signoff --version)

Every command takes --config FILE to find its store (default: the development configuration).
Exit status: 0 done, 1 failed (not found, already exists, store unusable, ...), 2 usage error,
78 invalid configuration.`;

type Command = (argv: string[]) => Promise<number | undefined>;

/**
 * Each command's module is loaded when it runs: `signoff users list` need not load the HTTP server,
 * the admin API's schemas or the mail transport, and every command starts sooner for it.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./start.js')).start,
  init: async () => (await import('./init.js')).initCommand,
  users: async () => (await import('./users.js')).usersCommand,
  clients: async () => (await import('./clients.js')).clientsCommand,
  keys: async () => (await import('./keys.js')).keysCommand,
  sessions: async () => (await import('./sessions.js')).sessionsCommand,
  events: async () => (await import('./events.js')).eventsCommand,
  deliveries: async () => (await import('./deliveries.js')).deliveriesCommand,
  upstreams: async () => (await import('./upstreams.js')).upstreamsCommand,
  backup: async () => (await import('./backup.js')).backupCommand,
  restore: async () => (await import('./backup.js')).restoreCommand,
  version: async () => versionCommand,
};

const main = async (argv: string[]): Promise<number | undefined> => {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') return versionCommand();
  // Own names only: `signoff constructor` once called Object() and crashed with a stack trace.
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) throw new UsageError(`unknown command "${name}"\n\n${USAGE}`);
  return (await load())(rest);
};

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`signoff: ${err.message}`);
      process.exitCode = 2;
    } else if (err instanceof ConfigError) {
      console.error(`signoff: invalid configuration: ${err.message}`);
      process.exitCode = 78; // EX_CONFIG
    } else {
      // CommandFailure and every other runtime failure: the command line was fine, the work was not.
      console.error(`signoff: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  },
);
