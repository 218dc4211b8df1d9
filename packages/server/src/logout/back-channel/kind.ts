import type { ClientStore } from '../../clients/store.js';
import type { Clock } from '../../clock.js';
import type { DeliveryKind } from '../../outbound/kind.js';
import type { AttemptOutcome } from '../../outbound/send.js';
import type { KeyRing } from '../../tokens/keys.js';
import { tickBatched } from '../../util/tick-batch.js';
import { signLogoutToken } from './logout-token.js';

export const BACKCHANNEL_LOGOUT_KIND = 'backchannel_logout';

/**
 * Classifies a response status. 200 and 204 mean the RP processed the token (Back-Channel Logout
 * 1.0 §2.8). 408, 429 and 5xx are passing troubles worth another try (§2.8: "retry only
 * recoverable failures"). A redirect is not followed (the registered URI is the only target the
 * client vouched for) and counts as a terminal failure, like 400 and the other 4xx: the same
 * request would get the same answer.
 */
export const classifyStatus = (status: number, body: string): AttemptOutcome => {
  if (status === 200 || status === 204) return { kind: 'delivered', status };
  const error = statusError(status, body);
  if (status === 408 || status === 429 || status >= 500) return { kind: 'retry', error };
  return { kind: 'failed', error };
};

/** `HTTP <status>` and a short, printable excerpt of the body: the reason an operator sees. */
export const statusError = (status: number, body: string): string => {
  const detail = body.replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 200);
  return `HTTP ${status}${detail ? `: ${detail}` : ''}`;
};

export interface BackChannelKindDeps {
  store: Pick<ClientStore, 'clientsById'>;
  keys: KeyRing;
  clock: Clock;
  issuer: string;
}

/**
 * Back-channel logout as a kind of the outbound engine: each attempt looks the client up again
 * (it may have been deleted or lost its URI since the ending) and signs a fresh logout token —
 * its own jti, iat and exp (Back-Channel Logout 1.0 §2.4) — POSTed as `logout_token=…`,
 * form-encoded (§2.5).
 */
export const backChannelLogoutKind = (deps: BackChannelKindDeps): DeliveryKind => {
  // The attempts a claim starts together read their clients in one statement (util/tick-batch.ts).
  const clientById = tickBatched((ids) => deps.store.clientsById(ids), (c) => c.client_id);
  return {
    kind: BACKCHANNEL_LOGOUT_KIND,
    async prepare(row) {
      const client = await clientById(row.clientId);
      if (!client) return { failed: `client ${row.clientId} no longer exists` };
      if (!client.backchannel_logout_uri) return { failed: `client ${row.clientId} no longer has a backchannel_logout_uri` };
      const token = await signLogoutToken(deps.keys, { issuer: deps.issuer, client, sub: row.accountId, sid: row.sid, nowSeconds: Math.floor(deps.clock.nowMs() / 1000) });
      return {
        uri: client.backchannel_logout_uri,
        body: new URLSearchParams({ logout_token: token }).toString(),
        contentType: 'application/x-www-form-urlencoded',
        userAgent: 'Signoff back-channel logout',
        uriName: 'backchannel_logout_uri',
      };
    },
    judge: classifyStatus,
  };
};
