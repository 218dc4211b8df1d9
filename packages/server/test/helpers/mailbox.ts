/**
 * An SMTP server for tests (issue 17 §4): smtp-server on 127.0.0.1, no TLS, any sender; every
 * message is kept raw and parsed enough to read — the headers (encoded words decoded), the
 * text/plain and text/html parts (quoted-printable or base64 decoded).
 */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  raw: string;
  /** Lower-case header names, values unfolded and decoded. */
  headers: Map<string, string>;
  envelopeTo: string[];
  text: string;
  html: string;
}

export interface Mailbox {
  port: number;
  mails: ReceivedMail[];
  /** Waits until `count` mails have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** The `email` configuration that sends here. */
  config(extra?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

const decodeWords = (value: string): string =>
  value.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=\s*/g, (_m, _charset: string, enc: string, data: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQp(data.replace(/_/g, ' ')),
  );

const decodeQp = (s: string): string =>
  Buffer.from(
    s
      .replace(/=\r?\n/g, '')
      .split(/(=[0-9A-Fa-f]{2})/)
      .flatMap((part) => (/^=[0-9A-Fa-f]{2}$/.test(part) ? [parseInt(part.slice(1), 16)] : [...Buffer.from(part, 'utf8')])),
  ).toString('utf8');

const splitHead = (raw: string): { headers: Map<string, string>; body: string } => {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  return { headers, body };
};

const decodeBody = (headers: Map<string, string>, body: string): string => {
  const enc = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (enc === 'quoted-printable') return decodeQp(body);
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
};

/** The text/plain and text/html parts of a message, however deep in multipart/*. */
const partsOf = (raw: string): { text: string; html: string } => {
  const { headers, body } = splitHead(raw);
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const found = { text: '', html: '' };
    for (const part of body.split(`--${boundary}`).slice(1)) {
      if (part.startsWith('--')) break;
      const inner = partsOf(part.replace(/^\r?\n/, ''));
      found.text ||= inner.text;
      found.html ||= inner.html;
    }
    return found;
  }
  const decoded = decodeBody(headers, body);
  return /^text\/html/i.test(type) ? { text: '', html: decoded } : { text: decoded, html: '' };
};

export const startMailbox = async (opts: { failWith?: number } = {}): Promise<Mailbox> => {
  const mails: ReceivedMail[] = [];
  let waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (opts.failWith) {
          const err = Object.assign(new Error('mailbox refuses'), { responseCode: opts.failWith });
          callback(err);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const { headers } = splitHead(raw);
        mails.push({ raw, headers, envelopeTo: session.envelope.rcptTo.map((r) => r.address), ...partsOf(raw) });
        callback();
        const w = waiters;
        waiters = [];
        for (const f of w) f();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (mails.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${count} mail(s), got ${mails.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return mails.slice(0, count);
    },
    config: (extra = {}) => ({ smtp: { host: '127.0.0.1', port, secure: false }, from: 'Signoff Test <signoff@example.test>', ...extra }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** The reset link of a mail's text part. */
export const resetLinkOf = (mail: ReceivedMail): string => {
  const link = /(https?:\/\/\S+\/account\/reset\?token=[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
  if (!link) throw new Error(`no reset link in the mail: ${mail.text.slice(0, 500)}`);
  return link;
};
