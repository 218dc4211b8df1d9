import { clientOrigins } from '../clients/metadata.js';
import type { ClientStore } from '../clients/store.js';

/*
 * Which origins may use the check_session iframe (Session Management 1.0 §3.2), answered one
 * asserted origin at a time so that the page itself names no client and no origin (issue 10 §6):
 * a caller learns only whether the origin (or client and origin) it names is registered — what
 * a genuine relying party already knows.
 */

type Clients = Pick<ClientStore, 'clientById' | 'listClients'>;

/**
 * The origin that may frame the iframe: that of the page that loaded it (its Referer, which
 * browsers send cross-origin by default as at least the origin), when some client registered
 * it. Without a Referer, or for any other origin, nothing may frame it.
 */
export const framingOrigin = async (clients: Clients, referer: string | undefined): Promise<string | undefined> => {
  let origin: string;
  try {
    origin = new URL(referer ?? '').origin;
  } catch {
    return undefined;
  }
  if (origin === 'null') return undefined;
  return (await clients.listClients()).some((c) => clientOrigins(c).includes(origin)) ? origin : undefined;
};

/** Whether `origin` is one of `clientId`'s: a redirect URI's origin or an allowed origin. */
export const isClientOrigin = async (clients: Clients, clientId: string, origin: string): Promise<boolean> => {
  const client = await clients.clientById(clientId);
  return client !== undefined && clientOrigins(client).includes(origin);
};
