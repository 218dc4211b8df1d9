/**
 * A URL on a loopback host: its host is exactly `localhost`, `127.0.0.1` or `[::1]` (issue 10 §6)
 * — where plain http crosses no network (a development issuer, a local upstream or logo). Other
 * loopback addresses (127.0.0.2, a name resolving to loopback) do not qualify, so nothing but these
 * three opens private networks to back-channel targets by default.
 */
export const isLoopbackUrl = (url: string): boolean => {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
};
