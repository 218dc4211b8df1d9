import { listClients, registerClient, removeClient } from '../clients/manage.js';
import { ConfigError } from '../config/validate.js';
import { CONFIG_OPTION, CommandFailure, UsageError, parse, table, usageExit } from './args.js';
import { clientDeps } from '../provider.js';
import { CLI_ACTOR, withProvider } from './store.js';

export const CLIENTS_USAGE = `Usage:
  signoff clients add CLIENT_ID --redirect-uri URI [--redirect-uri URI ...] [--public] [--name NAME]
                      [--post-logout-redirect-uri URI ...] [--grant-type TYPE ...] [--scope "openid ..."]
                      [--metadata JSON] [--config FILE]
  signoff clients list [--json] [--config FILE]
  signoff clients remove CLIENT_ID [--config FILE]

A confidential client gets a generated secret, printed once: only its hash is stored.
An admin API client (--grant-type client_credentials --scope "signoff.sessions.read ...")
needs no --redirect-uri; every client with the authorization_code grant needs one.
--public registers a public client (token_endpoint_auth_method "none", PKCE required).
--metadata takes any other registration metadata as JSON, with RFC 7591 names.`;

const OPTIONS = {
  ...CONFIG_OPTION,
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  'grant-type': { type: 'string', multiple: true },
  scope: { type: 'string' },
  name: { type: 'string' },
  public: { type: 'boolean' },
  metadata: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const clientsCommand = async (argv: string[]): Promise<number | undefined> => {
  const { values, positionals } = parse(argv, OPTIONS);
  const [action, clientId] = positionals;
  const usage = usageExit(values.help, action, CLIENTS_USAGE);
  if (usage !== undefined) return usage;
  return withProvider(values.config, async (p) => {
    switch (action) {
      case 'add': {
        if (!clientId) throw new UsageError('a CLIENT_ID is required');
        let extra: Record<string, unknown> = {};
        if (values.metadata !== undefined) {
          try {
            extra = JSON.parse(values.metadata) as Record<string, unknown>;
          } catch {
            throw new UsageError('--metadata must be a JSON object');
          }
        }
        const input: Record<string, unknown> = {
          ...extra,
          client_id: clientId,
          ...(values['redirect-uri'] ? { redirect_uris: values['redirect-uri'] } : {}),
          ...(values['post-logout-redirect-uri'] ? { post_logout_redirect_uris: values['post-logout-redirect-uri'] } : {}),
          ...(values['grant-type'] ? { grant_types: values['grant-type'] } : {}),
          ...(values.scope ? { scope: values.scope } : {}),
          ...(values.name ? { client_name: values.name } : {}),
        };
        let registered;
        try {
          registered = await registerClient(clientDeps(p), input, { public: values.public === true, source: 'cli', actor: CLI_ACTOR });
        } catch (err) {
          if (err instanceof ConfigError) throw new UsageError(err.message.replace('configuration key "client.', 'metadata "'));
          throw err;
        }
        if ('failure' in registered) throw new CommandFailure(`client "${clientId}" already exists`);
        console.log(`added client ${clientId} (${registered.client.token_endpoint_auth_method})`);
        if (registered.secret) console.log(`client_secret: ${registered.secret}\n(shown once; only its hash is stored)`);
        return 0;
      }
      case 'list': {
        const clients = await listClients(p.store);
        if (values.json) {
          console.log(JSON.stringify(clients, null, 2));
        } else {
          console.log(
            table([
              ['CLIENT_ID', 'AUTH', 'SOURCE', 'REDIRECT_URIS'],
              ...clients.map((c) => [c.client_id, c.token_endpoint_auth_method, c.source, c.redirect_uris.join(' ')]),
            ]),
          );
        }
        return 0;
      }
      case 'remove': {
        if (!clientId) throw new UsageError('a CLIENT_ID is required');
        const removed = await removeClient(clientDeps(p), clientId, CLI_ACTOR);
        if (removed === 'not_found') throw new CommandFailure(`no client "${clientId}"`);
        if (removed === 'from_config') throw new CommandFailure(`client "${clientId}" is defined in the configuration file; remove it there`);
        console.log(`removed client ${clientId}`);
        return 0;
      }
      default:
        throw new UsageError(`unknown action "clients ${action}"\n\n${CLIENTS_USAGE}`);
    }
  });
};
