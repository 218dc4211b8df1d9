import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { randomToken } from '../util/secrets.js';
import { parseConfig } from '../config/schema.js';
import { CommandFailure, UsageError, parse } from './args.js';

export const INIT_USAGE = `Usage: signoff init [--file signoff.config.json] [--issuer URL] [--port N] [--force]

Writes a starter configuration: the issuer, a SQLite store, the default session policy, one
example confidential client with a freshly generated secret, and no users (add them with
"signoff users add"). Beside it, signoff.kek (mode 0600) holds a new key-encryption key for the
private signing keys (keys.encryptionKeyFile); an existing one is kept. The README's
"Configuration" section explains every key.`;

export const starterConfig = (issuer: string, port: number, keyFile = './signoff.kek'): Record<string, unknown> => ({
  issuer,
  port,
  store: { sqlite: './data/signoff.sqlite' },
  keys: { encryptionKeyFile: keyFile },
  session: { idleTimeout: '30m', absoluteLifetime: '10h', rememberMe: { idleTimeout: '7d', absoluteLifetime: '30d' } },
  tokens: { authorizationCodeTtl: '60s', accessTokenTtl: '10m', idTokenTtl: '1h', refreshTokenTtl: '30d' },
  clients: [
    {
      client_id: 'my-app',
      client_name: 'My application',
      client_secret: randomToken(32),
      redirect_uris: ['http://localhost:8080/callback'],
      post_logout_redirect_uris: ['http://localhost:8080/'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  users: [],
});

export const initCommand = async (argv: string[]): Promise<number | undefined> => {
  const { values } = parse(argv, { file: { type: 'string', short: 'f' }, issuer: { type: 'string' }, port: { type: 'string' }, force: { type: 'boolean' } });
  if (values.help) {
    console.log(INIT_USAGE);
    return 0;
  }
  const file = values.file ?? 'signoff.config.json';
  const port = values.port === undefined ? 3000 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got "${values.port}"`);
  // Relative paths in the file resolve against the working directory, as the file's own path does.
  const keyFile = join(dirname(file), 'signoff.kek');
  const config = starterConfig(values.issuer ?? `http://localhost:${port}`, port, isAbsolute(keyFile) ? keyFile : `./${keyFile}`);
  parseConfig(config); // the starter must itself be valid (e.g. a bad --issuer is reported here)
  if (existsSync(file) && !values.force) throw new CommandFailure(`${file} exists; use --force to overwrite it`);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  console.log(`wrote ${file} (it holds a client secret: keep it private)`);
  // Never replaced, even with --force: it may seal the keys of an existing store.
  if (existsSync(keyFile)) console.log(`kept ${keyFile} (the key-encryption key of the signing keys)`);
  else {
    writeFileSync(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    console.log(`wrote ${keyFile} (the key-encryption key of the signing keys: keep it private, back it up with the store)`);
  }
  return 0;
};
