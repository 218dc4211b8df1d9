/**
 * The one mailer of an HTTP app, and the optional security notices (issue 17 §4): a sign-in from
 * a browser this account was not used with before, a password change, a new passkey — each only
 * when `email.notices` enables it and the account has an email claim, and only after the change
 * committed. Sending never holds up or fails the request (email/transport.ts). A password change
 * made through the account use cases is told by their notifier (email/notice-sender.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Account } from '../accounts/store.js';
import type { Translator } from '../http/pages/i18n/index.js';
import type { Provider } from '../provider.js';
import type { Session } from '../sessions/store.js';
import { describeUserAgent } from '../sessions/user-agent.js';
import { type NoticeDeps, sendNoticeWith } from './notice-sender.js';
import type { Notice } from './templates.js';
import { type Mailer, smtpMailer } from './transport.js';

const mailers = new WeakMap<FastifyInstance, Mailer>();

/** The app's mailer (one per app, closed with it), or undefined when `email` is not configured. */
export const mailerFor = (app: FastifyInstance, p: Provider): Mailer | undefined => {
  const email = p.config.email;
  if (!email) return undefined;
  let mailer = mailers.get(app);
  if (!mailer) {
    const created = smtpMailer(email, { log: app.log, counted: (kind, outcome) => p.metrics.mailSent(kind, outcome) });
    mailers.set(app, created);
    app.addHook('onClose', async () => created.close());
    mailer = created;
  }
  return mailer;
};

/** What sending a notice needs from this app (email/notice-sender.ts). */
export const noticeDeps = (app: FastifyInstance, p: Provider): NoticeDeps => ({ config: p.config, clock: p.clock, mailer: mailerFor(app, p) });

/** Sends the notice when it is enabled and the account has an address; call after the change committed. */
export const sendNotice = (app: FastifyInstance, p: Provider, t: Translator, notice: Notice, account: Pick<Account, 'username' | 'claims'>, device?: string): void =>
  sendNoticeWith(noticeDeps(app, p), t, notice, account, device);

/**
 * A session just created on a browser that no earlier session of its account (open or ended)
 * was on: a new device. The caller passes only new sessions (a step-up or a sign-in again of an
 * open session is not one).
 */
export const noticeIfNewDevice = async (app: FastifyInstance, p: Provider, t: Translator, session: Session): Promise<void> => {
  if (!p.config.email?.notices.newDevice) return;
  const seen = await p.store.listSessions({ accountId: session.accountId, browserId: session.browserId, includeEnded: true, limit: 2 });
  if (seen.some((s) => s.id !== session.id)) return;
  const account = await p.store.accountById(session.accountId);
  if (!account || account.deletedAt !== undefined) return;
  const d = describeUserAgent(session.createdUserAgent);
  const device = [d.browser, d.os].filter(Boolean).join(', ') || session.createdUserAgent.slice(0, 100);
  sendNotice(app, p, t, 'new_device', account, device);
};
