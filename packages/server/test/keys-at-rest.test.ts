/**
 * Keys and secrets at rest (issue 10 §5): the SQLite data directory and files are private to
 * their owner, and the private signing keys are sealed with AES-256-GCM under a key-encryption
 * key (SIGNOFF_KEY_ENCRYPTION_KEY or keys.encryptionKeyFile; development generates one). A
 * missing or wrong KEK stops start-up naming where it came from; plaintext keys of earlier
 * versions are sealed on the first open.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { systemClock } from '../src/clock.js';
import { parseConfig } from '../src/config/schema.js';
import { ConfigError } from '../src/config/validate.js';
import { type Provider, openProvider } from '../src/provider.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import { openJwk, parseKek } from '../src/tokens/key-encryption.js';
import { signJwt, verifyOwnJwt } from '../src/tokens/jwt.js';
import { generateSigningKey } from '../src/tokens/keys.js';
import { TEST_KEK, TEST_KEK_ENV, defaultClients } from './helpers/provider.js';
import { cleanEnv, runSignoff } from './helpers/signoff-process.js';

const root = mkdtempSync(join(tmpdir(), 'signoff-keys-at-rest-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(root, `case-${++n}`);

const mode = (path: string): number => statSync(path).mode & 0o777;

const configIn = (dir: string, over: Record<string, unknown> = {}) =>
  parseConfig({ issuer: 'http://127.0.0.1:3999', store: { sqlite: join(dir, 'data', 'signoff.sqlite') }, logging: { level: 'silent' }, ...over });

const open = (dir: string, env: NodeJS.ProcessEnv, over: Record<string, unknown> = {}): Promise<Provider> => openProvider(configIn(dir, over), { env });

const rawKeyRows = (dir: string): { kid: string; private_jwk: string }[] => {
  const db = new Database(join(dir, 'data', 'signoff.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT kid, private_jwk FROM signing_keys').all() as { kid: string; private_jwk: string }[];
  } finally {
    db.close();
  }
};

const otherKek = Buffer.alloc(32, 0x11).toString('base64');

describe('the SQLite data directory and files are private to their owner (issue 10 §5)', () => {
  it('creates the data directory 0700 and the database, -wal and -shm files 0600', async () => {
    const dir = freshDir();
    const p = await open(dir, TEST_KEK_ENV);
    try {
      const db = join(dir, 'data', 'signoff.sqlite');
      assert.equal(mode(join(dir, 'data')), 0o700);
      for (const f of [db, `${db}-wal`, `${db}-shm`]) {
        assert.ok(existsSync(f), `${f} exists while the store is open`);
        assert.equal(mode(f), 0o600, `${f} is 0600`);
      }
    } finally {
      await p.store.close();
    }
  });

  it('tightens a database file an earlier version left 0644, and leaves an existing directory alone', async () => {
    const dir = freshDir();
    const file = join(dir, 'data', 'signoff.sqlite');
    await new SqliteStore(file).close();
    chmodSync(join(dir, 'data'), 0o755);
    chmodSync(file, 0o644);
    const store = new SqliteStore(file);
    try {
      assert.equal(mode(file), 0o600);
      assert.equal(mode(join(dir, 'data')), 0o755, 'an existing directory may be shared (/tmp): not changed');
    } finally {
      await store.close();
    }
  });
});

describe('private signing keys are sealed at rest under the key-encryption key (issue 10 §5)', () => {
  it('the raw SQLite rows hold no private key material, only AES-256-GCM envelopes naming the KEK', async () => {
    const dir = freshDir();
    const p = await open(dir, TEST_KEK_ENV);
    await p.store.close();
    const rows = rawKeyRows(dir);
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.doesNotMatch(row.private_jwk, /"d"|"p"|"q"|"dp"|"dq"|"qi"/, 'no private JWK member in the row');
      const sealed = JSON.parse(row.private_jwk) as Record<string, unknown>;
      assert.deepEqual(Object.keys(sealed).sort(), ['ct', 'enc', 'iv', 'kek', 'tag']);
      assert.equal(sealed.enc, 'A256GCM');
      assert.equal(sealed.kek, parseKek(TEST_KEK, 'test').id);
      assert.ok(typeof openJwk(parseKek(TEST_KEK, 'test'), row.kid, sealed).d === 'string', 'the KEK opens it');
    }
  });

  it('start-up with another KEK fails with a ConfigError naming SIGNOFF_KEY_ENCRYPTION_KEY, not a 500 later', async () => {
    const dir = freshDir();
    await (await open(dir, TEST_KEK_ENV)).store.close();
    await assert.rejects(open(dir, { SIGNOFF_KEY_ENCRYPTION_KEY: otherKek }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.key, 'SIGNOFF_KEY_ENCRYPTION_KEY');
      assert.match(e.message, /sealed under key-encryption key/);
      return true;
    });
  });

  it('a sealed key moved to another row (another kid) does not open: the kid is authenticated', async () => {
    const kek = parseKek(TEST_KEK, 'test');
    const key = await generateSigningKey('ES256', 1, kek);
    assert.throws(() => openJwk(kek, 'another-kid', key.privateJwk), ConfigError);
  });

  it('keys.encryptionKeyFile supplies the KEK; a wrong one fails naming keys.encryptionKeyFile', async () => {
    const dir = freshDir();
    const good = join(root, `kek-${n}`);
    const bad = join(root, `bad-kek-${n}`);
    writeFileSync(good, `${TEST_KEK}\n`, { mode: 0o600 });
    writeFileSync(bad, otherKek, { mode: 0o600 });
    await (await open(dir, {}, { keys: { encryptionKeyFile: good } })).store.close();
    await assert.rejects(open(dir, {}, { keys: { encryptionKeyFile: bad } }), (e: unknown) => e instanceof ConfigError && e.key === 'keys.encryptionKeyFile');
    // The variable wins over the file, like every SIGNOFF_* override.
    await (await open(dir, TEST_KEK_ENV, { keys: { encryptionKeyFile: bad } })).store.close();
  });

  it('without development and without a KEK, start-up fails naming both options, before creating a store', async () => {
    const dir = freshDir();
    await assert.rejects(open(dir, {}), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /SIGNOFF_KEY_ENCRYPTION_KEY/);
      assert.match(e.message, /keys\.encryptionKeyFile/);
      return true;
    });
    assert.ok(!existsSync(join(dir, 'data', 'signoff.sqlite')), 'no store was created');
  });

  it('a KEK that is not the base64 of 32 bytes fails naming the variable', async () => {
    for (const value of ['short', Buffer.alloc(31).toString('base64'), Buffer.alloc(32).toString('hex'), `${TEST_KEK}!`]) {
      await assert.rejects(open(freshDir(), { SIGNOFF_KEY_ENCRYPTION_KEY: value }), (e: unknown) => e instanceof ConfigError && e.key === 'SIGNOFF_KEY_ENCRYPTION_KEY', value);
    }
  });

  it('development without a KEK generates signoff.kek (0600) beside the store, says so, and reuses it', async () => {
    const dir = freshDir();
    const first = await open(dir, {}, { development: true });
    await first.store.close();
    const file = join(dir, 'data', 'signoff.kek');
    assert.equal(first.kek.generatedFile, file);
    assert.equal(mode(file), 0o600);
    const second = await open(dir, {}, { development: true });
    await second.store.close();
    assert.equal(second.kek.generatedFile, undefined, 'the existing file is used, not replaced');
    assert.equal(second.kek.id, first.kek.id);
  });

  it('plaintext keys of an earlier version are sealed on the first open with a KEK, and keep signing', async () => {
    const dir = freshDir();
    const throwaway = parseKek(otherKek, 'throwaway');
    const plain = await generateSigningKey('RS256', 1_700_000_000, throwaway);
    const legacy = { ...plain, privateJwk: openJwk(throwaway, plain.kid, plain.privateJwk) };
    const store = new SqliteStore(join(dir, 'data', 'signoff.sqlite'));
    await store.insertKey(legacy);
    await store.close();
    assert.match(rawKeyRows(dir)[0]?.private_jwk ?? '', /"d"/, 'the legacy row holds the key in plain');

    const p = await open(dir, TEST_KEK_ENV);
    try {
      assert.equal(p.sealedAtOpen, 1);
      const row = rawKeyRows(dir).find((r) => r.kid === plain.kid);
      assert.ok(row);
      assert.doesNotMatch(row.private_jwk, /"d"/);
      assert.equal((await p.keys.signingKey('RS256')).kid, plain.kid, 'the migrated key still signs');
      const token = await signJwt(p.keys, 'RS256', { iss: 'http://127.0.0.1:3999', sub: 'x' });
      assert.ok(await verifyOwnJwt(p.keys, token, { issuer: 'http://127.0.0.1:3999', nowSeconds: Math.floor(systemClock.nowMs() / 1000) }));
    } finally {
      await p.store.close();
    }
    const again = await open(dir, TEST_KEK_ENV);
    await again.store.close();
    assert.equal(again.sealedAtOpen, 0, 'sealed once');
  });
});

describe('every `signoff` command gets the KEK the same way (issue 10 §5)', () => {
  const dir = freshDir();
  const cfg = join(root, 'cli.config.json');
  writeFileSync(cfg, JSON.stringify({ issuer: 'http://127.0.0.1:3999', store: { sqlite: join(dir, 'signoff.sqlite') }, logging: { level: 'silent' }, clients: defaultClients() }));
  const withoutKek = () => Object.fromEntries(Object.entries(cleanEnv()).filter(([k]) => k !== 'SIGNOFF_KEY_ENCRYPTION_KEY'));

  it('keys list without a KEK exits 78 naming both options; with the wrong KEK, exits 78 naming the variable', async () => {
    const none = await runSignoff(['keys', 'list', '--config', cfg], { cwd: root, env: withoutKek() });
    assert.equal(none.code, 78, none.stderr);
    assert.match(none.stderr, /SIGNOFF_KEY_ENCRYPTION_KEY/);
    assert.match(none.stderr, /keys\.encryptionKeyFile/);

    const ok = await runSignoff(['keys', 'list', '--config', cfg], { cwd: root });
    assert.equal(ok.code, 0, ok.stderr);

    const wrong = await runSignoff(['keys', 'list', '--config', cfg], { cwd: root, env: { ...withoutKek(), SIGNOFF_KEY_ENCRYPTION_KEY: otherKek } });
    assert.equal(wrong.code, 78, wrong.stderr);
    assert.match(wrong.stderr, /SIGNOFF_KEY_ENCRYPTION_KEY/);
  });
});
