/**
 * A second Signoff as the upstream provider of federation tests (issue 15), in this process.
 * Its issuer names `localhost` while the downstream's names 127.0.0.1: a browser keeps cookies
 * per host, not per port (RFC 6265 §8.5), so two providers on one host would overwrite each
 * other's `signoff` cookie. One client is registered for the downstream with both logout channels
 * and sessions required, and the delivery worker runs with a short backoff and private networks
 * allowed, so its back-channel logout reaches a loopback receiver within a test's patience.
 */
import type { Hop, TestBrowser } from './browser.js';
import { parseForm } from './browser.js';
import { endSessionQuery } from './rp.js';
import { type TestProvider, USERS, startProvider } from './provider.js';
import { endSessions } from '../../src/sessions/end.js';

export interface UpstreamSignoffClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  /** Absent: the upstream notifies Signoff on the front channel only. */
  backchannel_logout_uri?: string | undefined;
  frontchannel_logout_uri: string;
}

export interface UpstreamSignoffUser {
  username: string;
  password: string;
  claims: { name: string; email: string; email_verified?: boolean };
}

export type LogoutScope = 'session' | 'browser' | 'everywhere';

export interface UpstreamSignoff {
  issuer: string;
  op: TestProvider;
  client: UpstreamSignoffClient;
  users: UpstreamSignoffUser[];
  /**
   * Completes the sign-in form: `page` is the hop the browser landed on (or a URL to open
   * first). Redirects are followed on the upstream and on `opts.follow`; returns the first hop
   * that leaves them (the redirect to the client's redirect_uri, when nothing else is followed).
   */
  signIn(browser: TestBrowser, user: UpstreamSignoffUser, page: Hop | string, opts?: { follow?: string[] }): Promise<Hop>;
  /**
   * RP-Initiated Logout 1.0 §2 at the upstream: opens its end_session_endpoint with the hint and
   * post-logout redirect URI and, when it asks, confirms with `scope` (default `session`). Returns
   * the signed-out page (with its front-channel iframes, Front-Channel Logout §3) or the redirect
   * that leaves the upstream.
   */
  logout(
    browser: TestBrowser,
    params: { idTokenHint?: string | undefined; postLogoutRedirectUri?: string; state?: string; scope?: LogoutScope },
    opts?: { follow?: string[] },
  ): Promise<Hop>;
  /** Ends the session that issued `sid` as an administrator would (back-channel logout follows); returns how many ended. */
  endSessionOf(sid: string): Promise<number>;
  /** Ends every session of the account signed in as `username` (back-channel logout follows); returns how many ended. */
  endSessionsOf(username: string): Promise<number>;
  close(): Promise<void>;
}

/** The front-channel logout iframes of a signed-out page (Front-Channel Logout 1.0 §3). */
export const frontChannelFrames = (hop: Hop): URL[] =>
  [...hop.body.matchAll(/<iframe src="([^"]*)"/g)].map((m) => new URL((m[1] as string).replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')));

export const startUpstreamSignoff = async (opts: {
  client: UpstreamSignoffClient;
  users?: UpstreamSignoffUser[];
  /** The delivery worker's retry delay (default 50 ms): a refused first attempt is retried within a test. */
  backoffMs?: number;
}): Promise<UpstreamSignoff> => {
  const { client } = opts;
  const users = opts.users ?? Object.values(USERS).map((u) => ({ username: u.username, password: u.password, claims: { ...u.claims } }));
  const op = await startProvider(
    {
      clients: [
        {
          ...client,
          client_name: 'Downstream Signoff',
          frontchannel_logout_session_required: true,
          backchannel_logout_session_required: true,
          grant_types: ['authorization_code', 'refresh_token'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      users,
      // A loopback issuer allows private networks by default; said here because the harness depends on it.
      outbound: { allowPrivateNetworks: true },
    },
    { host: 'localhost', deliveries: { backoff: () => opts.backoffMs ?? 50 } },
  );
  const { issuer } = op;
  const followHere = (o?: { follow?: string[] }): string[] => [issuer, ...(o?.follow ?? [])];
  const deps = () => ({ sessions: op.provider.store, clock: op.provider.clock, wake: op.provider.outbox.wake });

  return {
    issuer,
    op,
    client,
    users,
    signIn: async (browser, user, at, signInOpts) => {
      const landed = typeof at === 'string' ? await browser.navigate(at, { follow: followHere(signInOpts) }) : at;
      if (!/name="username"/.test(landed.body)) throw new Error(`not the upstream's sign-in form: ${landed.status} ${landed.location ?? landed.body.slice(0, 300)}`);
      const form = parseForm(landed.body);
      return browser.navigate(new URL(form.action, landed.url).toString(), {
        form: { ...form.fields, username: user.username, password: user.password },
        follow: followHere(signInOpts),
      });
    },
    logout: async (browser, params, logoutOpts) => {
      const query = endSessionQuery(params);
      const first = await browser.navigate(`${issuer}/logout?${query}`, { follow: followHere(logoutOpts) });
      if (!/name="logout_scope"/.test(first.body)) return first;
      const form = parseForm(first.body);
      return browser.navigate(new URL(form.action, first.url).toString(), {
        form: { ...form.fields, logout_scope: params.scope ?? 'session' },
        follow: followHere(logoutOpts),
      });
    },
    endSessionOf: async (sid) => {
      const participant = await op.provider.store.participantBySid(sid);
      if (!participant) throw new Error(`no session issued sid ${sid}`);
      return (await endSessions(deps(), { sessionId: participant.sessionId }, 'admin', 'admin:upstream-test')).length;
    },
    endSessionsOf: async (username) => {
      const account = await op.provider.store.accountByUsername(username);
      if (!account) throw new Error(`no account ${username}`);
      return (await endSessions(deps(), { accountId: account.id }, 'admin', 'admin:upstream-test')).length;
    },
    close: () => op.close(),
  };
};
