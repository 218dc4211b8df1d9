import { nowSeconds } from '../clock.js';
import { KeyRevocationError, keyStatus, publicationWindow, revokeSigningKey, rotateSigningKeys, ROTATION_LEAD_SECONDS } from '../tokens/keys.js';
import { CONFIG_OPTION, UsageError, parse, table, usageExit } from './args.js';
import { iso, withProvider } from './store.js';

export const KEYS_USAGE = `Usage:
  signoff keys list [--json] [--config FILE]
  signoff keys rotate [--config FILE]
  signoff keys revoke [--config FILE] [--] KID     (a KID that begins with "-" goes after --)

rotate publishes new RS256 and ES256 keys in every running provider's JWKS at once and signs
with them from ${ROTATION_LEAD_SECONDS} seconds later: one JWKS cache lifetime (60 s), plus 10 s
for clock differences, so relying parties hold them first. The keys they replace stay in the JWKS,
and verify, until every token they signed has expired (the longest of the ID token, access
token and logout token lifetimes, plus 60 s); after that they are trusted no more.

revoke removes a (leaked) key at once: it leaves the JWKS and no token it signed verifies any
more. Revoking the key that signs for its algorithm puts a new key in its place at once (relying
parties fetch the JWKS again for its unknown kid); revoking the next key of a rotation puts a
new next key in its place, signing from the same time.`;

export const keysCommand = async (argv: string[]): Promise<number | undefined> => {
  const { values, positionals } = parse(argv, { ...CONFIG_OPTION, json: { type: 'boolean' } });
  const [action, kid] = positionals;
  const usage = usageExit(values.help, action, KEYS_USAGE);
  if (usage !== undefined) return usage;
  if (action === 'revoke' && kid === undefined) throw new UsageError(`keys revoke needs a KID\n\n${KEYS_USAGE}`);
  return withProvider(values.config, async (p) => {
    const publishFor = publicationWindow(p.config.tokens);
    switch (action) {
      case 'list': {
        const now = nowSeconds(p.clock);
        const keys = (await p.store.listKeys()).map((k) => ({
          kid: k.kid,
          alg: k.alg,
          created: iso(k.createdAt),
          status: keyStatus(k, now),
          signsFrom: iso(k.activatesAt ?? k.createdAt),
          signsUntil: iso(k.retiredAt),
          publishUntil: iso(k.publishUntil),
          revoked: iso(k.revokedAt),
        }));
        if (values.json) console.log(JSON.stringify(keys, null, 2));
        else {
          const header = ['KID', 'ALG', 'STATUS', 'CREATED', 'SIGNS_FROM', 'SIGNS_UNTIL', 'PUBLISHED_UNTIL'];
          console.log(table([header, ...keys.map((k) => [k.kid, k.alg, k.status, k.created, k.signsFrom, k.signsUntil, k.publishUntil])]));
        }
        return 0;
      }
      case 'rotate': {
        const created = await rotateSigningKeys(p.store, p.clock, p.kek, publishFor);
        for (const k of created) console.log(`new ${k.alg} signing key ${k.kid}: published now, signs from ${iso(k.activatesAt)}`);
        return 0;
      }
      case 'revoke': {
        try {
          const { revoked, replacement } = await revokeSigningKey(p.store, p.clock, p.kek, kid as string, publishFor);
          console.log(`revoked ${revoked.alg} signing key ${revoked.kid}`);
          if (replacement) console.log(`new ${replacement.alg} signing key ${replacement.kid}: signs from ${replacement.activatesAt === undefined ? 'now' : iso(replacement.activatesAt)}`);
          return 0;
        } catch (err) {
          if (!(err instanceof KeyRevocationError)) throw err;
          console.error(`signoff: ${err.message}`);
          return 1;
        }
      }
      default:
        throw new UsageError(`unknown action "keys ${action}"\n\n${KEYS_USAGE}`);
    }
  });
};
