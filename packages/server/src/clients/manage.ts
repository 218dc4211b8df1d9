import { randomToken, sha256 } from '../util/secrets.js';
import { parseClientMetadata } from './metadata.js';
import type { Client, ClientMetadata, ClientStore } from './store.js';

/**
 * Client registration as an operator's use case, for every adapter (the CLI today, the admin
 * API next): values in, values out. Bad metadata throws the metadata parser's ConfigError, which
 * names the field; the adapter words it for its caller.
 */

export type Registered = { client: ClientMetadata; secret?: string | undefined } | { failure: 'exists' };

/**
 * Registers a client from RFC 7591 metadata. A confidential client gets a generated secret,
 * returned once: only its hash is stored (DESIGN.md "Security"). A public one authenticates with
 * `none` (and so must use PKCE).
 */
export const registerClient = async (
  store: ClientStore,
  input: Record<string, unknown>,
  opts: { public: boolean; source: Client['source'] },
): Promise<Registered> => {
  const secret = opts.public ? undefined : randomToken(32);
  const metadata = parseClientMetadata({ ...input, ...(secret ? { client_secret: secret } : { token_endpoint_auth_method: 'none' }) }, 'client').metadata;
  if (await store.clientById(metadata.client_id)) return { failure: 'exists' };
  await store.upsertClient({ ...metadata, client_secret_hash: secret && sha256(secret), source: opts.source });
  return { client: metadata, secret };
};

/** Every registered client, without its secret's hash. */
export const listClients = async (store: ClientStore): Promise<Omit<Client, 'client_secret_hash'>[]> =>
  (await store.listClients()).map(({ client_secret_hash: _, ...c }) => c);

/**
 * Removes a client registered at run time. One from the configuration file would come back at
 * the next start, so it is refused: the file is where it is removed.
 */
export const removeClient = async (store: ClientStore, clientId: string): Promise<'removed' | 'not_found' | 'from_config'> => {
  const client = await store.clientById(clientId);
  if (!client) return 'not_found';
  if (client.source === 'config') return 'from_config';
  await store.removeClient(clientId);
  return 'removed';
};
