import { ConfigError } from '../config/validate.js';
import { type AuditDeps, recordChange } from '../sessions/audit-log.js';
import { cutPage, decodeCursor, isKeyString, pageLimit } from '../util/paging.js';
import { randomToken, sha256 } from '../util/secrets.js';
import { parseClientMetadata } from './metadata.js';
import type { Client, ClientMetadata, ClientStore } from './store.js';

/**
 * Client registration as an operator's use case, for every adapter (the CLI and the admin API):
 * values in, values out, an audit event per change. Bad metadata throws the metadata parser's
 * ConfigError, which names the field; the adapter words it for its caller.
 */

export interface ClientDeps extends AuditDeps {
  clients: ClientStore;
}

/** A registered client as it is shown: never its secret's hash. */
export type ClientRecord = Omit<Client, 'client_secret_hash'>;

export type Registered = { client: ClientMetadata; secret?: string | undefined } | { failure: 'exists' };

const shown = ({ client_secret_hash: _, ...c }: Client): ClientRecord => c;

/**
 * Registers a client from RFC 7591 metadata. A confidential client gets a generated secret,
 * returned once: only its hash is stored (DESIGN.md "Security"). A public one authenticates with
 * `none` (and so must use PKCE).
 */
export const registerClient = async (
  deps: ClientDeps,
  input: Record<string, unknown>,
  opts: { public: boolean; source: Client['source']; actor: string },
): Promise<Registered> => {
  const secret = opts.public ? undefined : randomToken(32);
  const metadata = parseClientMetadata({ ...input, ...(secret ? { client_secret: secret } : { token_endpoint_auth_method: 'none' }) }, 'client').metadata;
  if (await deps.clients.clientById(metadata.client_id)) return { failure: 'exists' };
  await deps.clients.upsertClient({ ...metadata, client_secret_hash: secret && sha256(secret), source: opts.source });
  await recordChange(deps, 'client.registered', { clientId: metadata.client_id, actor: opts.actor });
  return { client: metadata, secret };
};

/** Every registered client, without its secret's hash. */
export const listClients = async (store: ClientStore): Promise<ClientRecord[]> => (await store.listClients()).map(shown);

export const getClient = async (store: ClientStore, clientId: string): Promise<ClientRecord | undefined> => {
  const client = await store.clientById(clientId);
  return client && shown(client);
};

/**
 * A page of clients by client_id (byte order). Clients are few — an organisation's applications —
 * and the store lists them whole; the page is cut here.
 */
export const listClientPage = async (
  store: ClientStore,
  q: { cursor?: string | undefined; limit?: number | undefined },
): Promise<{ clients: ClientRecord[]; next_cursor: string | null }> => {
  const limit = pageLimit(q.limit);
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, ([id]) => (isKeyString(id) ? id : undefined));
  const sorted = (await listClients(store)).sort((a, b) => Buffer.compare(Buffer.from(a.client_id), Buffer.from(b.client_id)));
  const rest = after === undefined ? sorted : sorted.filter((c) => Buffer.compare(Buffer.from(c.client_id), Buffer.from(after)) > 0);
  const page = cutPage(rest.slice(0, limit + 1), limit, (c) => [c.client_id]);
  return { clients: page.rows, next_cursor: page.next_cursor };
};

export type Replaced = { client: ClientRecord } | { failure: 'not_found' | 'from_config' };

/**
 * Replaces a client's metadata (RFC 7592 §2.2: the request holds all of it; what it leaves out
 * goes back to its default). The secret is kept: it is never sent back, and a client cannot
 * change between public and confidential in place — that is a new registration.
 */
export const replaceClient = async (deps: ClientDeps, clientId: string, input: Record<string, unknown>, actor: string): Promise<Replaced> => {
  const existing = await deps.clients.clientById(clientId);
  if (!existing) return { failure: 'not_found' };
  if (existing.source === 'config') return { failure: 'from_config' };
  if (input.client_id !== undefined && input.client_id !== clientId) throw new ConfigError('client.client_id', 'must be the client_id of the client replaced');
  if (input.client_secret !== undefined) throw new ConfigError('client.client_secret', 'is generated at registration and cannot be set');
  const confidential = existing.client_secret_hash !== undefined;
  const method = input.token_endpoint_auth_method;
  if (method !== undefined && (method === 'none') === confidential) {
    throw new ConfigError('client.token_endpoint_auth_method', `cannot change a ${confidential ? 'confidential' : 'public'} client into a ${confidential ? 'public' : 'confidential'} one; register a new client`);
  }
  // The parser checks a confidential client's secret; the stored hash stands for it here.
  const stand = confidential ? { client_secret: randomToken(32) } : { token_endpoint_auth_method: 'none' };
  const metadata = parseClientMetadata({ ...input, ...stand, client_id: clientId }, 'client').metadata;
  const client: Client = { ...metadata, client_secret_hash: existing.client_secret_hash, source: existing.source };
  await deps.clients.upsertClient(client);
  await recordChange(deps, 'client.updated', { clientId, actor });
  return { client: shown(client) };
};

/**
 * Removes a client registered at run time. One from the configuration file would come back at
 * the next start, so it is refused: the file is where it is removed.
 */
export const removeClient = async (deps: ClientDeps, clientId: string, actor: string): Promise<'removed' | 'not_found' | 'from_config'> => {
  const client = await deps.clients.clientById(clientId);
  if (!client) return 'not_found';
  if (client.source === 'config') return 'from_config';
  await deps.clients.removeClient(clientId);
  await recordChange(deps, 'client.removed', { clientId, actor });
  return 'removed';
};
