import type { AccountStore } from '../accounts/store.js';
import { fail } from '../errors.js';
import type { UpstreamStore } from '../upstreams/store.js';

/**
 * Subject identifiers a receiver adds to its stream (SSF 1.0 §8.1.3; RFC 9493 §3): `email`,
 * `iss_sub`, `opaque`, and `complex` of those. Each is checked for its format's members, keyed
 * canonically (so one subject added twice is one), and resolved to the account it names where it
 * names one of ours — an `iss_sub` with this issuer (its `sub` is the account id), an `email`
 * matching one account's email claim, a `complex` with such a `user`. One that names no account is
 * stored all the same and answered alike, so the endpoint does not tell which accounts exist
 * (SSF 1.0 §8.1.3.2 leaves silent acceptance to the transmitter).
 */

type Subject = Record<string, unknown>;
const SIMPLE: Record<string, readonly string[]> = { email: ['email'], iss_sub: ['iss', 'sub'], opaque: ['id'] };
const COMPLEX_MEMBERS = ['user', 'session', 'device', 'application', 'tenant', 'org_unit', 'group'];
const MAX_MEMBER = 512;

const simple = (s: Subject, where: string): string => {
  const format = s.format;
  if (typeof format !== 'string' || !(format in SIMPLE)) fail('invalid_request', `${where}: format must be one of email, iss_sub, opaque${where === 'subject' ? ', complex' : ''}.`);
  const members = SIMPLE[format] as readonly string[];
  const parts = members.map((m) => {
    const v = s[m];
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_MEMBER) fail('invalid_request', `${where}: ${format} needs a non-empty string ${m}.`);
    // RFC 9493 §3.2.2: email addresses compare case-insensitively in practice; one key for both spellings.
    return format === 'email' ? v.toLowerCase() : v;
  });
  return JSON.stringify([format, ...parts]);
};

/** The canonical key of a subject, after checking it (400 invalid_request for a malformed one). */
export const subjectKey = (s: unknown): string => {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) fail('invalid_request', 'subject must be a subject identifier object (RFC 9493).');
  const subject = s as Subject;
  if (subject.format !== 'complex') return simple(subject, 'subject');
  const present = COMPLEX_MEMBERS.filter((m) => subject[m] !== undefined);
  if (present.length === 0) fail('invalid_request', 'subject: complex needs at least one member.');
  const parts = present.map((m) => {
    const inner = subject[m];
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) fail('invalid_request', `subject.${m} must be a subject identifier object.`);
    return [m, JSON.parse(simple(inner as Subject, `subject.${m}`)) as unknown];
  });
  return JSON.stringify(['complex', ...parts]);
};

export type SubjectLookup = Pick<AccountStore, 'accountById'> & Pick<UpstreamStore, 'accountsWithClaim'>;

/** The account a (checked) subject names, if it names exactly one of ours. */
export const accountOfSubject = async (store: SubjectLookup, issuer: string, s: Subject): Promise<string | undefined> => {
  const user = s.format === 'complex' ? (s.user as Subject | undefined) : s;
  if (!user) return undefined;
  if (user.format === 'iss_sub' && user.iss === issuer) {
    const account = await store.accountById(user.sub as string);
    return account && account.deletedAt === undefined ? account.id : undefined;
  }
  if (user.format === 'email') {
    const ids = await store.accountsWithClaim('email', user.email as string);
    return ids.length === 1 ? ids[0] : undefined;
  }
  return undefined;
};
