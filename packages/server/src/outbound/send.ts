import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { DeliveryKind, OutboundMessage } from './kind.js';
import { RefusedTargetError, checkLiteralHost, guardedLookup } from './ssrf.js';

/**
 * What one attempt came to, as the message's kind judges the answer (outbound/kind.ts): for a
 * logout token 200 or 204 (Back-Channel Logout 1.0 §2.8), for a pushed SET 202 (RFC 8935 §2.2).
 */
export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; error: string }
  | { kind: 'failed'; error: string }
  /** Cut off by the caller (shutdown): no verdict on the receiver, so nothing to record. */
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
 * Connections are kept alive and reused between attempts to the same receiver: an ending of
 * many sessions sends many tokens to few hosts (a burst of signals, many SETs to few streams),
 * and a new TCP connection each time cost more than the token. A reused connection goes to the
 * address the SSRF guard checked when it was opened.
 */
const AGENTS = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/** Judges a receiver's answer: the kind's `judge` (what a status means is the kind's spec). */
export type Judge = DeliveryKind['judge'];

/**
 * One delivery attempt: POST the message's body, with its content type and headers, to its URI —
 * a logout token form-encoded (Back-Channel Logout 1.0 §2.5) or a SET (RFC 8935 §2.1). The answer
 * is judged by `judge`; network errors and timeouts are retried, a refused target or an invalid
 * URI is final. Everything is bounded: the whole exchange by `timeoutMs`, the response body by
 * `maxBodyBytes`; redirects are never followed; targets go through the SSRF guard. Never
 * throws: every failure becomes an outcome.
 */
export const sendMessage = (message: OutboundMessage, judge: Judge, opts: SendOptions): Promise<AttemptOutcome> =>
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
      const url = new URL(message.uri);
      checkLiteralHost(url, opts.allowPrivateNetworks);
      const body = message.body;
      const https = url.protocol === 'https:';
      const request = https ? httpsRequest : httpRequest;
      req = request(url, {
        method: 'POST',
        headers: {
          ...lowerCased(message.headers),
          'content-type': message.contentType,
          'content-length': Buffer.byteLength(body),
          'user-agent': message.userAgent ?? 'Signoff',
          'cache-control': 'no-cache',
        },
        lookup: guardedLookup(opts.allowPrivateNetworks),
        agent: https ? AGENTS.https : AGENTS.http,
      });
      req.on('error', (err) => finish(errorOutcome(err, message.uriName ?? 'URI')));
      req.on('response', (res) => {
        const limit = opts.maxBodyBytes ?? MAX_RESPONSE_BYTES;
        const chunks: Buffer[] = [];
        let size = 0;
        const done = (reusable: boolean) => finish(judge(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')), reusable);
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
      finish(errorOutcome(err, message.uriName ?? 'URI'));
    }
  });

const errorOutcome = (err: unknown, uriName: string): AttemptOutcome => {
  if (err instanceof RefusedTargetError) return { kind: 'failed', error: err.message };
  if (err instanceof TypeError && /Invalid URL/i.test(err.message)) return { kind: 'failed', error: `invalid ${uriName}: ${err.message}` };
  const e = err as NodeJS.ErrnoException;
  return { kind: 'retry', error: `network error: ${e.code ?? ''}${e.code ? ' ' : ''}${e.message}`.trim() };
};

/** Header names in lower case, so a kind's header cannot sneak in a second content type or length. */
const lowerCased = (headers: OutboundMessage['headers']): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
