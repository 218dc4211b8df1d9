import type { Client } from '../clients/store.js';
import type { EndedSession } from '../sessions/store.js';

/**
 * OpenID Connect Front-Channel Logout 1.0 §2-§3: the URLs the logged-out page loads in hidden
 * iframes, one per client with a `frontchannel_logout_uri` that was signed in through the ended
 * sessions of this browser (the initiator included, RP-Initiated Logout §3). `iss` and `sid` are
 * always both added — the spec allows them always and requires them when the client registered
 * `frontchannel_logout_session_required` — and any query the URI already has is kept (§2).
 * The `sid` is the one in that client's ID tokens.
 */
export const frontChannelUrls = (issuer: string, ended: readonly EndedSession[], clients: ReadonlyMap<string, Client>): string[] => {
  const urls: string[] = [];
  for (const session of ended) {
    for (const participant of session.participants) {
      const uri = clients.get(participant.clientId)?.frontchannel_logout_uri;
      if (!uri) continue;
      const url = new URL(uri);
      url.searchParams.append('iss', issuer);
      url.searchParams.append('sid', participant.sid);
      urls.push(url.toString());
    }
  }
  return urls;
};
