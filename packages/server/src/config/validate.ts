import { parseDuration } from '../util/duration.js';

/**
 * A minimal schema language for the configuration file: each field knows how to check and
 * default itself, and every failure names the full key path (habit 4 in DESIGN.md).
 */
export class ConfigError extends Error {
  constructor(readonly key: string, message: string) {
    super(`configuration key "${key}": ${message}`);
    this.name = 'ConfigError';
  }
}

export type Field<T> = (value: unknown, key: string) => T;

const describe = (value: unknown): string => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

export const string =
  (opts: { default?: string; pattern?: RegExp; hint?: string; minLength?: number } = {}): Field<string> =>
  (value, key) => {
    if (value === undefined && opts.default !== undefined) return opts.default;
    if (typeof value !== 'string') throw new ConfigError(key, `expected a string, got ${describe(value)}`);
    if (opts.minLength !== undefined && value.length < opts.minLength) {
      throw new ConfigError(key, `must be at least ${opts.minLength} characters`);
    }
    if (opts.pattern && !opts.pattern.test(value)) throw new ConfigError(key, opts.hint ?? `does not match ${opts.pattern}`);
    return value;
  };

/** A field that may be absent. */
export const optional =
  <T>(field: Field<T>): Field<T | undefined> =>
  (value, key) =>
    value === undefined ? undefined : field(value, key);

export const optionalString = (): Field<string | undefined> => optional(string());

export const boolean =
  (defaultValue?: boolean): Field<boolean> =>
  (value, key) => {
    if (value === undefined && defaultValue !== undefined) return defaultValue;
    if (typeof value !== 'boolean') throw new ConfigError(key, `expected true or false, got ${describe(value)}`);
    return value;
  };

export const integer =
  (opts: { default?: number; min?: number; max?: number }): Field<number> =>
  (value, key) => {
    if (value === undefined && opts.default !== undefined) return opts.default;
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new ConfigError(key, `expected an integer, got ${describe(value)}`);
    if (opts.min !== undefined && n < opts.min) throw new ConfigError(key, `must be at least ${opts.min}`);
    if (opts.max !== undefined && n > opts.max) throw new ConfigError(key, `must be at most ${opts.max}`);
    return n;
  };

/** Seconds, given as a positive integer or a string such as "4s", "15m", "12h", "30d". */
export const duration =
  (defaultValue?: string | number): Field<number> =>
  (value, key) => {
    const seconds = parseDuration(value === undefined ? defaultValue : value);
    if (seconds === undefined) {
      throw new ConfigError(key, `expected a duration such as 30, "30s", "15m", "12h" or "7d", got ${JSON.stringify(value)}`);
    }
    return seconds;
  };

export const oneOf =
  <T extends string>(values: readonly T[], defaultValue?: T): Field<T> =>
  (value, key) => {
    if (value === undefined && defaultValue !== undefined) return defaultValue;
    if (typeof value !== 'string' || !values.includes(value as T)) {
      throw new ConfigError(key, `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}`);
    }
    return value as T;
  };

export const array =
  <T>(item: Field<T>, defaultValue?: T[]): Field<T[]> =>
  (value, key) => {
    if (value === undefined && defaultValue !== undefined) return defaultValue;
    if (!Array.isArray(value)) throw new ConfigError(key, `expected an array, got ${describe(value)}`);
    return value.map((v, i) => item(v, `${key}[${i}]`));
  };

export const record =
  (): Field<Record<string, unknown>> =>
  (value, key) => {
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError(key, `expected an object, got ${describe(value)}`);
    }
    return value as Record<string, unknown>;
  };

type Shape = Record<string, Field<unknown>>;
type Out<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };

/** An object whose keys are exactly those of the shape: an unknown key is an error naming it. */
export const object =
  <S extends Shape>(shape: S, opts: { optional?: boolean } = {}): Field<Out<S>> =>
  (value, key) => {
    const input = value === undefined && opts.optional !== false ? {} : value;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new ConfigError(key, `expected an object, got ${describe(value)}`);
    }
    const at = (k: string): string => (key ? `${key}.${k}` : k);
    for (const k of Object.keys(input)) {
      // Own keys only: `k in shape` took `constructor`, `__proto__` or `toString` for known keys.
      if (!Object.hasOwn(shape, k)) throw new ConfigError(at(k), `unknown key (known keys: ${Object.keys(shape).join(', ')})`);
    }
    const out: Record<string, unknown> = {};
    for (const [k, field] of Object.entries(shape)) out[k] = field((input as Record<string, unknown>)[k], at(k));
    return out as Out<S>;
  };
