import { existsSync, writeFileSync } from 'node:fs';
import { randomToken } from '../util/secrets.js';
import { parseConfig } from '../config/schema.js';
import { CommandFailure, UsageError, parse } from './args.js';

export const INIT_USAGE = `Usage: signoff init [--file signoff.config.json] [--issuer URL] [--port N] [--force]

Writes a starter configuration: the issuer, a SQLite store, the default session policy, one
example confidential client with a freshly generated secret, and no users (add them with
"signoff users add"). The README's "Configuration" section explains every key.`;

export const starterConfig = (issuer: string, port: number): Record<string, unknown> => ({
  issuer,
  port,
  store: { sqlite: './data/signoff.sqlite' },
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
  const config = starterConfig(values.issuer ?? `http://localhost:${port}`, port);
  parseConfig(config); // the starter must itself be valid (e.g. a bad --issuer is reported here)
  if (existsSync(file) && !values.force) throw new CommandFailure(`${file} exists; use --force to overwrite it`);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  console.log(`wrote ${file} (it holds a client secret: keep it private)`);
  return 0;
};
