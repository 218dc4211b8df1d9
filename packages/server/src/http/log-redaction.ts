/**
 * Request URLs as they go into the log (issue 10 §6). Query strings carry secrets and personal
 * data: `id_token_hint` (a signed token with the user's name and email), `login_hint`, `code`,
 * `state`, tokens and client secrets. Every parameter's value is replaced unless its name is on
 * a short list of values that are safe and useful when reading a log; a name nobody foresaw (a
 * future `request` object, a misspelt hint) is therefore redacted too.
 */
const SHOWN = new Set([
  'client_id',
  'response_type',
  'response_mode',
  'scope',
  'redirect_uri',
  'post_logout_redirect_uri',
  'prompt',
  'max_age',
  'display',
  'ui_locales',
  'acr_values',
  'code_challenge_method',
  'grant_type',
  'token_type_hint',
  'error',
]);

export const REDACTED = '[redacted]';

export const redactUrl = (url: string): string => {
  const q = url.indexOf('?');
  if (q < 0) return url;
  // Parsed as the provider parses it (http/params.ts), so an encoded name is recognised as well.
  const parts: string[] = [];
  for (const [name, value] of new URLSearchParams(url.slice(q + 1))) {
    parts.push(`${encodeURIComponent(name)}=${SHOWN.has(name) ? encodeURIComponent(value) : REDACTED}`);
  }
  return `${url.slice(0, q)}?${parts.join('&')}`;
};

/**
 * The same for URLs inside a message (Fastify's own messages quote `request.url`, e.g. "Reply was
 * already sent … in the "/authorize?…" route"): every query string in the text is redacted.
 */
export const redactText = (text: string): string =>
  text.includes('?') ? text.replace(/[^\s"'`<>?]*\?[^\s"'`<>]*/g, (url) => redactUrl(url)) : text;
