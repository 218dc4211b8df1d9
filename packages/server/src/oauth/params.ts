import { fail } from '../errors.js';

/** Request parameters as received: every name with all its values, so duplicates are visible. */
export type Params = Readonly<Record<string, readonly string[]>>;

/** Longest parameter value accepted; longer is a malformed request, not a 500 or a stored blob. */
export const MAX_PARAM_LENGTH = 4096;

/**
 * One parameter's single value. Request and response parameters MUST NOT be included more than
 * once (RFC 6749 §3.1, §3.2); an empty value is treated as omitted (§3.1).
 */
export const one = (params: Params, name: string): string | undefined => {
  const values = params[name];
  if (!values || values.length === 0) return undefined;
  if (values.length > 1) fail('invalid_request', `parameter "${name}" must not be repeated`);
  const value = values[0] as string;
  if (value.length > MAX_PARAM_LENGTH) fail('invalid_request', `parameter "${name}" is too long`);
  return value === '' ? undefined : value;
};

export const required = (params: Params, name: string): string =>
  one(params, name) ?? fail('invalid_request', `parameter "${name}" is required`);

/**
 * Builds Params from URLSearchParams-like input. The names are the caller's, so they fill a
 * null-prototype object: `__proto__`, `constructor` or `hasOwnProperty` are parameters like any
 * other, never Object.prototype's members (which once crashed the process on `?__proto__=1`).
 */
export const paramsFrom = (search: URLSearchParams): Params => {
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [k, v] of search) {
    const values = out[k];
    if (values) values.push(v);
    else out[k] = [v];
  }
  return out;
};

/** Params with no parameters at all (null prototype, like every other Params). */
export const noParams = (): Params => Object.create(null) as Params;
