/** The session_upstreams rows as records, the same on every store. */
import type { SealedJwk } from '../tokens/key-encryption.js';
import type { UpstreamSession } from '../upstreams/store.js';

type Row = Record<string, unknown>;

export const toUpstreamSession = (r: Row): UpstreamSession => ({
  sessionId: r.session_id as string,
  upstreamId: r.upstream_id as string,
  issuer: r.issuer as string,
  subject: r.subject as string,
  sid: r.sid === null || r.sid === undefined ? undefined : (r.sid as string),
  idToken: JSON.parse(r.id_token as string) as SealedJwk,
  at: r.at as number,
});
