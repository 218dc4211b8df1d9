/**
 * Mail from the command line (issue 17 §4): with `email` configured, a change made here sends the
 * notice the same change over HTTP would, and the command waits (bounded, email/transport.ts) for
 * it before it exits; a failure is a warning on stderr, never the command's failure — the change
 * is done. Without `email`, no mailer and nothing printed.
 */
import { type NoticeDeps } from '../email/notice-sender.js';
import { smtpMailer } from '../email/transport.js';
import type { Provider } from '../provider.js';

export const withNotices = async <T>(p: Provider, fn: (notices: NoticeDeps) => Promise<T>): Promise<T> => {
  const email = p.config.email;
  const mailer = email
    ? smtpMailer(email, {
        log: { info: () => undefined, warn: (obj, msg) => console.error(`signoff: warning: ${msg}: ${(obj as { err?: string }).err ?? ''}`) },
        counted: () => undefined,
      })
    : undefined;
  try {
    return await fn({ config: p.config, clock: p.clock, mailer });
  } finally {
    await mailer?.close();
  }
};
