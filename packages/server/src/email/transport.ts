/**
 * Outgoing mail over SMTP (issue 17 §4) through nodemailer. Sending never holds up or fails the
 * request that caused it: `send` returns at once, and a failure is logged and counted
 * (signoff_email_total{outcome="failed"}), never the user's error.
 */
import nodemailer from 'nodemailer';
import type { EmailConfig } from '../config/schema.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** What a mail is, for the log and the metric: never its recipient or content. */
export type MailKind = 'password_reset' | 'notice_password_changed' | 'notice_new_device' | 'notice_new_passkey';

export interface Mailer {
  /** Hands the mail to the relay in the background. */
  send(kind: MailKind, mail: Mail): void;
  /** Waits (bounded) for mail in flight, then closes the connections. */
  close(): Promise<void>;
}

export interface MailerDeps {
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  counted: (kind: MailKind, outcome: 'sent' | 'failed') => void;
}

/** Long enough for a slow relay, short enough that a dead one does not pile up sends. */
const TIMEOUT_MS = 10_000;

export const smtpMailer = (email: Readonly<EmailConfig>, deps: MailerDeps): Mailer => {
  const transport = nodemailer.createTransport({
    host: email.smtp.host,
    port: email.smtp.port,
    secure: email.smtp.secure,
    requireTLS: email.smtp.requireTLS,
    ...(email.smtp.auth ? { auth: { user: email.smtp.auth.user, pass: email.smtp.auth.pass } } : {}),
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  const inFlight = new Set<Promise<void>>();
  return {
    send(kind, mail) {
      const sending = transport
        .sendMail({ from: email.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html })
        .then(
          (info) => {
            deps.counted(kind, 'sent');
            deps.log.info({ mail: kind, messageId: info.messageId }, 'mail sent');
          },
          (err: unknown) => {
            deps.counted(kind, 'failed');
            deps.log.warn({ mail: kind, err: err instanceof Error ? err.message : String(err) }, 'mail could not be sent');
          },
        )
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    },
    async close() {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(inFlight), new Promise((resolve) => (timer = setTimeout(resolve, TIMEOUT_MS)))]);
      clearTimeout(timer);
      transport.close();
    },
  };
};
