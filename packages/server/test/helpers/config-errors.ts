/** Configuration tests' shared assertion. */
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/schema.js';
import { ConfigError } from '../../src/config/validate.js';

/** parseConfig must fail with a ConfigError naming exactly `key` in its message. */
export const failsNaming = (input: unknown, key: string, detail?: RegExp): ConfigError => {
  let caught: unknown;
  try {
    parseConfig(input);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError naming "${key}", got ${caught === undefined ? 'success' : String(caught)}`);
  assert.equal(caught.key, key, caught.message);
  assert.ok(caught.message.includes(`configuration key "${key}"`), caught.message);
  if (detail) assert.match(caught.message, detail);
  return caught;
};
