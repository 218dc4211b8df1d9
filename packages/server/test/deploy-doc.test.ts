/**
 * Issue 17 §1: docs/deploy.md cannot rot. Every JSON block in it is a whole configuration that
 * parseConfig accepts; every dotted configuration key it names (`http.trustProxy`,
 * `backchannel.shutdownGrace`, …) is a key of the schema (src/config/schema.ts), checked by giving
 * it a value of the wrong type and seeing the error name that key as known; every SIGNOFF_*
 * variable it names is one the code reads; and the README links to it.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parseConfig } from '../src/config/schema.js';
import { ConfigError } from '../src/config/validate.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DOC = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');
const BASE = { issuer: 'http://127.0.0.1:3999' };

const jsonBlocks = (markdown: string): string[] => [...markdown.matchAll(/^```json\r?\n([\s\S]*?)^```/gm)].map((m) => m[1] as string);

/** `a.b.c` → {a: {b: {c: value}}}, on top of what the key needs to be checked at all (a PostgreSQL store for store.poolSize). */
const nested = (path: string, value: unknown): Record<string, unknown> => {
  const parts = path.split('.');
  let node: unknown = value;
  for (const part of parts.slice(1).reverse()) node = { [part]: node };
  const top = parts[0] as string;
  if (top === 'store') return { store: { postgres: 'postgres://probe@127.0.0.1:5432/probe', ...(node as Record<string, unknown>) } };
  return { [top]: node };
};

/** The error of a configuration with `path` set to an object no key accepts. */
const probe = (path: string): ConfigError => {
  try {
    parseConfig({ ...BASE, ...nested(path, { probe: 1 }) });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`${path} accepted an object: the probe cannot tell whether the key exists`);
};

describe('issue 17 §1: docs/deploy.md', () => {
  it('has the example configurations as JSON blocks, each a whole configuration parseConfig accepts', () => {
    const blocks = jsonBlocks(DOC);
    assert.ok(blocks.length >= 2, `${blocks.length} JSON blocks`);
    for (const [i, block] of blocks.entries()) {
      let raw: unknown;
      assert.doesNotThrow(() => (raw = JSON.parse(block)), `JSON block ${i + 1} is JSON`);
      assert.doesNotThrow(() => parseConfig(raw), (err: unknown) => `JSON block ${i + 1}: ${(err as Error).message}`);
    }
  });

  it('its two-instance example is the set-up the doc describes: https issuer, PostgreSQL, a KEK file, trustProxy, HSTS, a management listener, a shutdown grace', () => {
    const config = parseConfig(JSON.parse(jsonBlocks(DOC)[0] as string));
    assert.match(config.issuer, /^https:\/\//);
    assert.ok('postgres' in config.store);
    assert.ok(config.keys.encryptionKeyFile);
    assert.notEqual(config.http.trustProxy, false);
    assert.notEqual(config.http.trustProxy, true, 'the doc does not recommend trusting every peer');
    assert.equal(config.http.hstsMaxAge, 365 * 86400);
    assert.equal(config.management.port, 9464);
    assert.equal(config.backchannel.shutdownGrace, 5);
    assert.equal(config.development, false);
  });

  it('every dotted configuration key it names is a key of the schema (and the probe tells a known key from an unknown one)', () => {
    const topLevel = new Set(Object.keys(parseConfig(BASE)));
    const named = [...new Set([...DOC.matchAll(/`([a-z][A-Za-z]*(?:\.[a-z][A-Za-z]*)+)`/g)].map((m) => m[1] as string))].filter((k) => topLevel.has(k.split('.')[0] as string));
    assert.ok(named.length >= 8, `keys found: ${named.join(', ')}`);
    for (const key of ['http.trustProxy', 'http.hstsMaxAge', 'backchannel.shutdownGrace', 'keys.encryptionKeyFile', 'store.poolSize']) assert.ok(named.includes(key), `the doc names ${key}`);
    for (const key of named) {
      const err = probe(key);
      assert.doesNotMatch(err.message, /unknown key/, `${key}: ${err.message}`);
      assert.equal(err.key, key, `${key}: ${err.message}`);
    }
    assert.match(probe('http.trustproxy').message, /unknown key/, 'a misspelt key is caught');
    assert.match(probe('backchannel.shutdownGraceTime').message, /unknown key/);
  });

  it('every SIGNOFF_* environment variable it names is read by the code (or is the Docker test\'s switch)', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [readFileSync(join(dir, e.name), 'utf8')] : []));
    const code = sources(join(ROOT, 'packages', 'server', 'src')).join('\n');
    const names = [...new Set([...DOC.matchAll(/\bSIGNOFF_[A-Z_]+\b/g)].map((m) => m[0]))];
    assert.ok(names.includes('SIGNOFF_KEY_ENCRYPTION_KEY'));
    for (const name of names.filter((n) => n !== 'SIGNOFF_TEST_DOCKER')) assert.ok(code.includes(`'${name}'`) || code.includes(`"${name}"`) || code.includes(`.${name}`), `${name} is read somewhere in src/`);
  });

  it('covers what issue 17 asks of it: proxy and TLS, several instances, the management listener, shutdown, the KEK, sizing, systemd, the image', () => {
    for (const heading of ['reverse proxy and TLS', 'Starting the instances', 'Stopping, restarting, upgrading', 'Sizing', 'The container image', 'A systemd unit', 'The key-encryption key']) {
      assert.match(DOC, new RegExp(`^##+ .*${heading}`, 'm'), heading);
    }
    for (const term of ['__Host-', 'Strict-Transport-Security', 'SIGTERM', '/readyz', 'bench/results/latest.md', 'caddyfile', 'nginx', '[Service]']) assert.ok(DOC.includes(term), term);
  });

  it('the README links to it', () => {
    // includes, not match: a failing match would print the whole README.
    assert.ok(readFileSync(join(ROOT, 'README.md'), 'utf8').includes('](docs/deploy.md)'), 'README.md has a link to docs/deploy.md');
  });
});
