/**
 * Signoff's fixed URIs at an upstream (issue 15 §1; DESIGN.md "Contracts"): derived from the
 * issuer and the upstream's id only, so an operator registers them before Signoff starts
 * (`signoff upstreams show ID` prints them).
 */
export const UPSTREAM_PATHS = {
  callback: 'callback',
  signedOut: 'signed-out',
  backchannelLogout: 'backchannel-logout',
  frontchannelLogout: 'frontchannel-logout',
} as const;

/** The route prefix under the issuer's path. */
export const UPSTREAMS_PREFIX = '/upstreams';

export interface UpstreamUris {
  redirect_uri: string;
  post_logout_redirect_uri: string;
  backchannel_logout_uri: string;
  frontchannel_logout_uri: string;
}

export const upstreamUris = (issuer: string, id: string): UpstreamUris => {
  const base = `${issuer}${UPSTREAMS_PREFIX}/${id}`;
  return {
    redirect_uri: `${base}/${UPSTREAM_PATHS.callback}`,
    post_logout_redirect_uri: `${base}/${UPSTREAM_PATHS.signedOut}`,
    backchannel_logout_uri: `${base}/${UPSTREAM_PATHS.backchannelLogout}`,
    frontchannel_logout_uri: `${base}/${UPSTREAM_PATHS.frontchannelLogout}`,
  };
};
