import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { RefusedTargetError, checkLiteralHost, guardedLookup } from './ssrf.js';

/** What one attempt came to: Back-Channel Logout 1.0 §2.8 says 200 or 204 mean the RP processed it. */
export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; error: string }
  | { kind: 'failed'; error: string }
  /** Cut off by the caller (shutdown): no verdict on the application, so nothing to record. */
  | { kind: 'aborted' };

export interface SendOptions {
  timeoutMs: number;
  allowPrivateNetworks: boolean;
  /** The response body is read no further than this (it only feeds the error message). */
  maxBodyBytes?: number;
  /** Aborting it ends the exchange at once with the outcome `aborted` (a shutdown's grace ran out). */
  signal?: AbortSignal | undefined;
}

export const MAX_RESPONSE_BYTES = 4096;

/**
 * Connections are kept alive and reused between attempts to the same application: an ending of
 * many sessions sends many tokens to few hosts, and a new TCP connection each time cost more than
 * the token. A reused connection goes to the address the SSRF guard checked when it was opened.
 */
const AGENTS = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * Classifies a response status. 408, 429 and 5xx are passing troubles worth another try (§2.8:
 * "retry only recoverable failures"). A redirect is not followed (the registered URI is the only
 * target the client vouched for) and counts as a terminal failure, like 400 and the other 4xx:
 * the same request would get the same answer.
 */
export const classifyStatus = (status: number, body: string): AttemptOutcome => {
  if (status === 200 || status === 204) return { kind: 'delivered', status };
  const detail = body.replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 200);
  const error = `HTTP ${status}${detail ? `: ${detail}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) return { kind: 'retry', error };
  return { kind: 'failed', error };
};

/**
 * One delivery attempt (Back-Channel Logout 1.0 §2.5): POST `logout_token=…` form-encoded to the
 * client's backchannel_logout_uri. Everything is bounded: the whole exchange by `timeoutMs`, the
 * response body by `maxBodyBytes`; redirects are never followed; targets go through the SSRF
 * guard. Never throws: every failure becomes an outcome.
 */
export const sendLogoutToken = (uri: string, logoutToken: string, opts: SendOptions): Promise<AttemptOutcome> =>
  new Promise((resolve) => {
    let settled = false;
    /** `reusable`: the response was read to its end, so its connection may serve the next attempt. */
    const finish = (outcome: AttemptOutcome, reusable = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (!reusable) req?.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'retry', error: `no response within ${opts.timeoutMs} ms` }), opts.timeoutMs);
    let req: ReturnType<typeof httpRequest> | undefined;
    const onAbort = (): void => finish({ kind: 'aborted' });
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const url = new URL(uri);
      checkLiteralHost(url, opts.allowPrivateNetworks);
      const body = new URLSearchParams({ logout_token: logoutToken }).toString();
      const https = url.protocol === 'https:';
      const request = https ? httpsRequest : httpRequest;
      req = request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Signoff back-channel logout',
          'cache-control': 'no-cache',
        },
        lookup: guardedLookup(opts.allowPrivateNetworks),
        agent: https ? AGENTS.https : AGENTS.http,
      });
      req.on('error', (err) => finish(errorOutcome(err)));
      req.on('response', (res) => {
        const limit = opts.maxBodyBytes ?? MAX_RESPONSE_BYTES;
        const chunks: Buffer[] = [];
        let size = 0;
        const done = (reusable: boolean) => finish(classifyStatus(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')), reusable);
        res.on('data', (chunk: Buffer) => {
          if (size < limit) chunks.push(chunk.subarray(0, limit - size));
          size += chunk.length;
          if (size >= limit) done(false);
        });
        res.on('end', () => done(true));
        res.on('error', () => done(false));
        res.on('close', () => done(false));
      });
      req.end(body);
    } catch (err) {
      finish(errorOutcome(err));
    }
  });

const errorOutcome = (err: unknown): AttemptOutcome => {
  if (err instanceof RefusedTargetError) return { kind: 'failed', error: err.message };
  if (err instanceof TypeError && /Invalid URL/i.test(err.message)) return { kind: 'failed', error: `invalid backchannel_logout_uri: ${err.message}` };
  const e = err as NodeJS.ErrnoException;
  return { kind: 'retry', error: `network error: ${e.code ?? ''}${e.code ? ' ' : ''}${e.message}`.trim() };
};
