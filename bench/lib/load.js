import autocannon from 'autocannon';
import { cpuSeconds } from './processes.js';

/**
 * One load phase with autocannon, run from this process (never inside a server). `check` judges
 * every response (status, headers, body) so that a phase only counts work that was done right;
 * `requests` may carry setupRequest/onResponse hooks (autocannon's per-connection context).
 * Returns completed good operations per second, per CPU second of the server process, latency
 * percentiles (autocannon keeps whole milliseconds) and the count of bad answers.
 */
export const runLoad = async ({ url, pid, connections, duration, amount, method = 'GET', headers, body, requests, check }) => {
  let good = 0;
  let bad = 0;
  let firstBad;
  let lastAt = 0;
  const judge = (status, resBody, context, resHeaders) => {
    lastAt = performance.now();
    if (check(status, resHeaders, resBody)) good++;
    else {
      bad++;
      firstBad ??= `${status} ${header(resHeaders, 'location') ?? ''} ${String(resBody).slice(0, 200)}`;
    }
  };
  const wrapped = (requests ?? [{ method, headers, body }]).map((r) => ({
    ...r,
    onResponse: (status, resBody, context, resHeaders) => {
      judge(status, resBody, context, resHeaders);
      r.onResponse?.(status, resBody, context, resHeaders);
    },
  }));
  const cpu0 = pid ? cpuSeconds(pid) : 0;
  const t0 = performance.now();
  const result = await autocannon({
    url,
    connections: amount ? Math.min(connections, amount) : connections,
    ...(amount ? { amount } : { duration }),
    requests: wrapped,
    timeout: 30,
  });
  // autocannon's own duration is in whole seconds (and a fixed amount ends on its next second
  // tick): a phase lasts from its start to its last response.
  const seconds = ((lastAt || performance.now()) - t0) / 1000;
  const cpu = pid ? cpuSeconds(pid) - cpu0 : undefined;
  return {
    good,
    bad,
    firstBad,
    errors: result.errors + result.timeouts,
    seconds,
    perSecond: good / seconds,
    cpuSeconds: cpu,
    perCpuSecond: cpu ? good / cpu : undefined,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
};

/** A response header by name, whatever its case on the wire (Koa sends `Location`). */
export const header = (headers, name) => {
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
};

/** A check for an authorization response: a redirect carrying a code. */
export const redirectWithCode = (status, headers) => (status === 302 || status === 303) && /[?&]code=/.test(header(headers, 'location') ?? '');
