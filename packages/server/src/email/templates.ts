/**
 * The mail Signoff sends (issue 17 §4), localised through the pages' message catalogues: a
 * subject, a plain-text body and a simple HTML body with the same words.
 */
import { esc } from '../http/pages/html.js';
import type { MessageKey, Translator } from '../http/pages/i18n/index.js';
import type { Mail } from './transport.js';

const html = (paragraphs: readonly string[], lang: string): string =>
  `<!doctype html><html lang="${esc(lang)}"><head><meta charset="utf-8"></head><body style="font-family:sans-serif;line-height:1.5">${paragraphs.map((p) => `<p>${p}</p>`).join('')}</body></html>`;

const utc = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16);

/** The link to choose a new password: the token only, no account id (OWASP Forgot Password Cheat Sheet). */
export const resetMail = (t: Translator, v: { to: string; product: string; account: string; link: string; minutes: number }): Mail => {
  const params = { product: v.product, account: v.account, minutes: v.minutes };
  return {
    to: v.to,
    subject: t.text('email.reset.subject', params),
    text: [t.text('email.reset.body', params), v.link, t.text('email.reset.ignore'), t.text('email.footer', params)].join('\n\n'),
    html: html(
      [
        t.html('email.reset.body', { product: esc(v.product), account: `<strong>${esc(v.account)}</strong>`, minutes: v.minutes }),
        `<a href="${esc(v.link)}">${t.html('email.reset.action')}</a>`,
        t.html('email.reset.ignore'),
        t.html('email.footer', { product: esc(v.product) }),
      ],
      t.locale,
    ),
  };
};

export type Notice = 'password_changed' | 'new_device' | 'new_passkey';

/** A security notice: what happened to the account and when, and where to reset the password if it was not the user. */
export const noticeMail = (t: Translator, notice: Notice, v: { to: string; product: string; account: string; at: number; device?: string; resetUrl?: string | undefined }): Mail => {
  const subject = `email.notice.${notice}.subject` as MessageKey;
  const body = `email.notice.${notice}.body` as MessageKey;
  const params = { product: v.product, account: v.account, time: utc(v.at), device: v.device ?? '' };
  const safe = { product: esc(v.product), account: `<strong>${esc(v.account)}</strong>`, time: esc(utc(v.at)), device: esc(v.device ?? '') };
  const notYou = v.resetUrl ? [t.text('email.notice.not_you'), v.resetUrl] : [];
  return {
    to: v.to,
    subject: t.text(subject, params),
    text: [t.text(body, params), ...notYou, t.text('email.footer', params)].join('\n\n'),
    html: html(
      [t.html(body, safe), ...(v.resetUrl ? [`${t.html('email.notice.not_you')} <a href="${esc(v.resetUrl)}">${esc(v.resetUrl)}</a>`] : []), t.html('email.footer', { product: esc(v.product) })],
      t.locale,
    ),
  };
};
