import type { UpstreamConfig } from './config.js';

/**
 * The upstream an authorization request goes straight to, skipping the sign-in page (issue 15
 * §1): the one its `upstream` parameter names, else the one whose configured domain is the
 * login_hint's (`alice@corp.example`, compared case-insensitively). Undefined: show the page.
 * A named upstream that is not configured is `unknown`.
 */
export const upstreamFor = (
  upstreams: readonly UpstreamConfig[],
  request: { upstream?: string | undefined; loginHint?: string | undefined },
): UpstreamConfig | 'unknown' | undefined => {
  if (request.upstream !== undefined) return upstreams.find((u) => u.id === request.upstream) ?? 'unknown';
  const at = request.loginHint?.lastIndexOf('@') ?? -1;
  if (request.loginHint === undefined || at < 0) return undefined;
  const domain = request.loginHint.slice(at + 1).toLowerCase();
  return upstreams.find((u) => u.domains.includes(domain));
};
