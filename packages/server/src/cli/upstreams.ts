import { loadConfig } from '../config/load.js';
import type { UpstreamConfig } from '../upstreams/config.js';
import { upstreamUris } from '../upstreams/paths.js';
import { CONFIG_OPTION, CommandFailure, UsageError, parse, table, usageExit } from './args.js';

export const UPSTREAMS_USAGE = `Usage:
  signoff upstreams list [--json] [--config FILE]
  signoff upstreams show ID [--json] [--config FILE]

show prints what to register at the upstream before Signoff starts: its issuer, Signoff's
client_id there (never the secret), the federated-logout setting and Signoff's four fixed URIs —
the redirect URI, the post-logout redirect URI, and the back-channel and front-channel logout URIs.
They derive from the issuer and the upstream's id only. Both actions read the configuration
file alone: no store, no key-encryption key, no network.`;

/** What an operator copies into the upstream's registration of Signoff; the secret stays out (it is the upstream's to issue). */
const describeUpstream = (issuer: string, u: UpstreamConfig) => ({
  id: u.id,
  issuer: u.issuer,
  display_name: u.display_name,
  client_id: u.client_id,
  client_auth: u.client_secret === undefined ? 'none (public client, PKCE)' : 'client_secret',
  scope: u.scope,
  federated_logout: u.logout.federated,
  link_by: u.link_by ?? null,
  domains: u.domains,
  ...upstreamUris(issuer, u.id),
});

export const upstreamsCommand = async (argv: string[]): Promise<number | undefined> => {
  const { values, positionals } = parse(argv, { ...CONFIG_OPTION, json: { type: 'boolean' } });
  const [action, id] = positionals;
  const usage = usageExit(values.help, action, UPSTREAMS_USAGE);
  if (usage !== undefined) return usage;
  if (action !== 'list' && action !== 'show') throw new UsageError(`unknown action "upstreams ${action}"\n\n${UPSTREAMS_USAGE}`);
  if (action === 'show' && id === undefined) throw new UsageError(`upstreams show needs an ID\n\n${UPSTREAMS_USAGE}`);
  // Only the configuration: an operator runs this before the store, the KEK or the upstream exist.
  const config = loadConfig({ file: values.config ?? process.env.SIGNOFF_CONFIG });
  if (action === 'list') {
    const all = config.upstreams.map((u) => describeUpstream(config.issuer, u));
    if (values.json) console.log(JSON.stringify(all, null, 2));
    else {
      console.log(table([
        ['ID', 'ISSUER', 'CLIENT_ID', 'FEDERATED_LOGOUT', 'DISPLAY_NAME'],
        ...all.map((u) => [u.id, u.issuer, u.client_id, u.federated_logout, u.display_name]),
      ]));
    }
    return 0;
  }
  const upstream = config.upstreams.find((u) => u.id === id);
  if (!upstream) throw new CommandFailure(`no upstream "${id}" in the configuration`);
  const shown = describeUpstream(config.issuer, upstream);
  if (values.json) console.log(JSON.stringify(shown, null, 2));
  else {
    console.log(table([
      ['id', shown.id],
      ['issuer', shown.issuer],
      ['display_name', shown.display_name],
      ['client_id', shown.client_id],
      ['client_auth', shown.client_auth],
      ['scope', shown.scope],
      ['federated_logout', shown.federated_logout],
      ['link_by', shown.link_by ?? '-'],
      ['domains', shown.domains.join(' ') || '-'],
      ['redirect_uri', shown.redirect_uri],
      ['post_logout_redirect_uri', shown.post_logout_redirect_uri],
      ['backchannel_logout_uri', shown.backchannel_logout_uri],
      ['frontchannel_logout_uri', shown.frontchannel_logout_uri],
    ]));
  }
  return 0;
};
