import type { EndReason } from '../sessions/store.js';
import { SSF_EVENT_URIS, type SignalEvent } from './events.js';

/**
 * The `events` claim of a SET (RFC 8417 §2.2) for each queued event: CAEP 1.0 §3.1
 * session-revoked and §3.2 credential-change, RISC account-disabled / account-enabled, SSF 1.0
 * §8.1.4.1 verification and §8.1.5 stream-updated.
 */

/**
 * CAEP 1.0 §2 `initiating_entity` of a session ending, from Signoff's end reason and the ending's
 * actor (`user`, `client:<id>`, `admin:<name>`, `system`):
 *
 * | end reason                               | actor          | initiating_entity |
 * |------------------------------------------|----------------|-------------------|
 * | expired_idle, expired_absolute, limit    | any            | policy            |
 * | upstream_logout                          | any            | system            |
 * | any other                                | admin:*        | admin             |
 * | admin                                    | any            | admin             |
 * | account_disabled, account_deleted        | client:*       | admin (the admin API acts for an operator) |
 * | any other                                | system         | system            |
 * | logout, password_changed, and the rest   | user, client:* | user (the user signed out, at us or at an application) |
 */
export const initiatingEntity = (reason: EndReason, actor: string): 'user' | 'admin' | 'policy' | 'system' => {
  if (reason === 'expired_idle' || reason === 'expired_absolute' || reason === 'limit') return 'policy';
  if (reason === 'upstream_logout') return 'system';
  if (actor.startsWith('admin:') || reason === 'admin') return 'admin';
  if ((reason === 'account_disabled' || reason === 'account_deleted') && actor.startsWith('client:')) return 'admin';
  if (actor === 'system') return 'system';
  return 'user';
};

/** CAEP 1.0 §2 `reason_admin`: for the receiver's administrators, in English. */
const REASON_ADMIN: Record<EndReason, string> = {
  logout: 'The user signed out.',
  admin: 'An administrator ended the session.',
  expired_idle: 'The session expired after inactivity.',
  expired_absolute: 'The session reached its maximum lifetime.',
  password_changed: 'The password of the account was changed.',
  account_disabled: 'The account was disabled.',
  account_deleted: 'The account was deleted.',
  limit: 'The account exceeded its number of concurrent sessions.',
  upstream_logout: 'The upstream identity provider ended the session.',
};

/** The `events` claim: the event's URI and its members. CAEP's `event_timestamp` is a NumericDate (CAEP 1.0 §2). */
export const eventsClaim = (event: SignalEvent): Record<string, Record<string, unknown>> => {
  const uri = SSF_EVENT_URIS[event.type];
  const at = Math.floor(event.at);
  switch (event.type) {
    case 'session-revoked':
      return {
        [uri]: { event_timestamp: at, initiating_entity: initiatingEntity(event.reason, event.actor), reason_admin: { en: REASON_ADMIN[event.reason] } },
      };
    case 'credential-change':
      return { [uri]: { event_timestamp: at, credential_type: event.credentialType, change_type: event.changeType } };
    case 'account-disabled':
    case 'account-enabled':
      return { [uri]: {} };
    case 'verification':
      return { [uri]: event.state === undefined ? {} : { state: event.state } };
    case 'stream-updated':
      return { [uri]: { status: event.status, ...(event.reason === undefined ? {} : { reason: event.reason }) } };
  }
};
