import { nowSeconds } from '../clock.js';
import { rotateSigningKeys } from '../tokens/keys.js';
import { CONFIG_OPTION, UsageError, parse, table, usageExit } from './args.js';
import { iso, withProvider } from './store.js';

export const KEYS_USAGE = `Usage:
  signoff keys list [--json] [--config FILE]
  signoff keys rotate [--config FILE]

rotate starts signing with new RS256 and ES256 keys at once (running providers pick them up
within 10 seconds) and keeps the old public keys in the JWKS until every token they signed has
expired (the longest of the ID token and access token lifetimes).`;

export const keysCommand = async (argv: string[]): Promise<number | undefined> => {
  const { values, positionals } = parse(argv, { ...CONFIG_OPTION, json: { type: 'boolean' } });
  const [action] = positionals;
  const usage = usageExit(values.help, action, KEYS_USAGE);
  if (usage !== undefined) return usage;
  return withProvider(values.config, async (p) => {
    switch (action) {
      case 'list': {
        const now = nowSeconds(p.clock);
        const keys = (await p.store.listKeys()).map((k) => ({
          kid: k.kid,
          alg: k.alg,
          created: iso(k.createdAt),
          status: k.retiredAt === undefined ? 'current' : (k.publishUntil ?? 0) > now ? 'published' : 'retired',
          publishUntil: iso(k.publishUntil),
        }));
        if (values.json) console.log(JSON.stringify(keys, null, 2));
        else console.log(table([['KID', 'ALG', 'STATUS', 'CREATED', 'PUBLISHED_UNTIL'], ...keys.map((k) => [k.kid, k.alg, k.status, k.created, k.publishUntil])]));
        return 0;
      }
      case 'rotate': {
        const { tokens } = p.config;
        const created = await rotateSigningKeys(p.store, p.clock, Math.max(tokens.idTokenTtl, tokens.accessTokenTtl));
        for (const k of created) console.log(`new ${k.alg} signing key ${k.kid}`);
        return 0;
      }
      default:
        throw new UsageError(`unknown action "keys ${action}"\n\n${KEYS_USAGE}`);
    }
  });
};
