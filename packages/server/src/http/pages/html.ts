import { randomBytes } from 'node:crypto';
import type { Translator } from './i18n/index.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and quoted attribute values. */
export const esc = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

export interface Page {
  status: number;
  html: string;
  /** Content-Security-Policy for this page. */
  csp: string;
}

/** The operator's branding (configuration key `branding`, issue 13 §2). */
export interface Branding {
  productName: string;
  logoUrl?: string | undefined;
  /** A hex colour that carries white text at 4.5:1 or more (checked at start-up). */
  primaryColor: string;
  supportUrl?: string | undefined;
  passwordResetUrl?: string | undefined;
}

/** What every page around its body needs: its language's messages, the branding, the devices page. */
export interface PageChrome {
  t: Translator;
  branding: Branding;
  /** ISSUER/account/sessions: "Where am I signed in?" (when the devices page is served). */
  sessionsUrl?: string | undefined;
  /** The built-in "Forgot password?" page (ISSUER/account/forgot) when email is configured (issue 17 §4). */
  forgotPasswordUrl?: string | undefined;
}

export const DEFAULT_BRANDING: Branding = { productName: 'Signoff', primaryColor: '#2456d3' };

/**
 * One style for every page, accessible by construction (issue 13 §2): text at 4.5:1 or more on
 * its background (muted #596070 on white 6.3:1, on the page grey 5.8:1; white on the primary
 * colour as configured, checked at start-up), field borders at 3:1 or more, a visible
 * :focus-visible outline (#1d2330, 15.7:1 on white), no fixed widths (360 px wide, 200% zoom).
 */
const style = (primary: string): string => `:root{--primary:${primary}}
*,*::before,*::after{box-sizing:border-box}
body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0;line-height:1.45}
.brand,main,.foot{max-width:26rem;margin:0 auto;padding:0 1rem}
.brand{display:flex;align-items:center;gap:.6rem;padding-top:6vh;padding-bottom:1rem;font-weight:600;font-size:1.05rem}
.brand img{max-height:2.5rem;max-width:10rem;height:auto;width:auto}
main{background:#fff;padding:1.5rem;border-radius:8px;box-shadow:0 1px 4px #0002;overflow-wrap:anywhere}
@media (min-width:30rem){main{padding:2rem}}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .3rem}
input[type=text],input[type=password]{width:100%;padding:.55rem;border:1px solid #6b6f7b;border-radius:4px;font-size:1rem;min-width:0}
input[aria-invalid=true]{border-color:#8a1c1c;border-width:2px}
.field{display:flex;flex-wrap:wrap;gap:.4rem;align-items:stretch}
.field input{flex:1 1 12rem}
.check{display:flex;gap:.5rem;align-items:flex-start;margin:.8rem 0}.check label{margin:0}.check input{margin-top:.3rem;flex:none}
.hint{margin:-.4rem 0 .8rem 1.6rem}
fieldset{border:0;padding:0;margin:0}legend{font-weight:600;padding:0;margin-bottom:.2rem}
button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem;border:1px solid var(--primary);border-radius:4px;background:var(--primary);color:#fff;cursor:pointer;max-width:100%}
button.secondary{background:#e4e7ee;color:#1d2330;border-color:#6b6f7b}
button.toggle{margin:0;padding:.4rem .6rem;font-size:.9rem;background:#fff;color:#1d2330;border-color:#6b6f7b;white-space:nowrap}
button.toggle[aria-pressed=true]{background:#e4e7ee}
button.account{display:block;width:100%;text-align:left;background:#fff;color:#1d2330;border:1px solid #6b6f7b}
button.account:hover{background:#f4f5f7}
button.account .muted{display:block}
:focus-visible{outline:3px solid #1d2330;outline-offset:2px}
a{color:#1d2330;text-decoration:underline}
.error{background:#fde8e8;color:#8a1c1c;padding:.6rem;border-radius:4px}
.muted{color:#596070;font-size:.9rem}code{word-break:break-all}
.client{display:flex;align-items:center;gap:.6rem}.client img{max-height:3rem;max-width:6rem;height:auto;width:auto}
.links{padding-left:1.2rem}
.foot{padding-top:1rem;padding-bottom:2rem;font-size:.9rem;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem}
.foot a{color:#1d2330}
.sessions{list-style:none;padding:0;margin:0}.sessions li{border-top:1px solid #dde;padding:.8rem 0}.sessions h2{font-size:1.05rem;margin:0 0 .4rem}
.badge{font-size:.8rem;font-weight:normal;white-space:nowrap;background:#e6f0e6;color:#1d4d1d;padding:.1rem .4rem;border-radius:4px}
dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem .8rem;margin:.4rem 0}dt{color:#596070}dd{margin:0;overflow-wrap:anywhere}
.notice{background:#e6f0e6;color:#1d4d1d;padding:.6rem;border-radius:4px}
.switcher{display:flex;gap:.5rem;align-items:end;flex-wrap:wrap}.switcher label{margin:0}.switcher button{margin-top:0}
select{padding:.5rem;font-size:1rem;border:1px solid #6b6f7b;border-radius:4px;max-width:100%}`;

/**
 * A full page. Pages load nothing from elsewhere but the configured logos (img-src lists exactly
 * their origins), may not be framed (clickjacking), and may post forms only to this origin and
 * the listed targets (CSP Level 3 form-action also governs the redirect that follows a form
 * submission, so the client's redirect origin is listed too).
 *
 * With `chrome` the page is in its language (`lang`, the <title>), carries the product name and
 * logo above <main> and a footer with the support link (and "Where am I signed in?" when
 * `sessionsLink`).
 */
export const page = (opts: {
  title: string;
  body: string;
  status?: number;
  formTargets?: readonly string[];
  scriptNonce?: string;
  /** The page's script may fetch from its own origin (connect-src 'self'). */
  fetchesSelf?: boolean;
  /** Origins the page may frame (the front-channel logout iframes). */
  frameSources?: readonly string[];
  chrome?: PageChrome;
  /** Image URLs the body shows (a client's logo_uri): their origins join img-src. */
  images?: readonly (string | undefined)[];
  /** A footer link to the devices page (the sign-in and signed-out pages). */
  sessionsLink?: boolean;
  /**
   * The origins that may frame this page (CSP frame-ancestors); by default none. Only the
   * upstream's front-channel logout page is framed (Front-Channel Logout 1.0 §2: the upstream
   * renders it in an iframe), by that upstream's origin alone.
   */
  frameAncestors?: readonly string[];
}): Page => {
  const formAction = ["'self'", ...(opts.formTargets ?? [])].join(' ');
  const script = opts.scriptNonce ? `script-src 'nonce-${opts.scriptNonce}'` : "script-src 'none'";
  const frames = opts.frameSources?.length ? `; frame-src ${opts.frameSources.join(' ')}` : '';
  const connect = opts.fetchesSelf ? "; connect-src 'self'" : '';
  const chrome = opts.chrome;
  const branding = chrome?.branding ?? DEFAULT_BRANDING;
  const imageOrigins = [...new Set([branding.logoUrl, ...(opts.images ?? [])].map((u) => (u ? originOf(u) : undefined)).filter((o): o is string => o !== undefined))];
  const images = imageOrigins.length > 0 ? imageOrigins.join(' ') : "'none'";
  const lang = chrome?.t.locale ?? 'en';
  const header = `<header class="brand">${branding.logoUrl ? `<img src="${esc(branding.logoUrl)}" alt="">` : ''}<span>${esc(branding.productName)}</span></header>`;
  const links = [
    opts.sessionsLink && chrome?.sessionsUrl ? `<a href="${esc(chrome.sessionsUrl)}">${chrome.t.html('page.sessions_link')}</a>` : '',
    branding.supportUrl && chrome ? `<a href="${esc(branding.supportUrl)}">${chrome.t.html('page.support')}</a>` : '',
  ].filter(Boolean);
  const footer = links.length > 0 ? `\n<footer class="foot">${links.join('')}</footer>` : '';
  const title = chrome ? `${opts.title} – ${branding.productName}` : opts.title;
  return {
    status: opts.status ?? 200,
    csp: `default-src 'none'; style-src 'unsafe-inline'; img-src ${images}; ${script}; form-action ${formAction}; frame-ancestors ${opts.frameAncestors?.length ? opts.frameAncestors.join(' ') : "'none'"}; base-uri 'none'${frames}${connect}`,
    html: `<!doctype html>
<html lang="${esc(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${esc(title)}</title><style>${style(branding.primaryColor)}</style></head>
<body>${header}
<main>${opts.body}</main>${footer}</body></html>`,
  };
};

export const newNonce = (): string => randomBytes(16).toString('base64');

/** The origin of a URI, for form-action lists; undefined for opaque origins. */
export const originOf = (uri: string): string | undefined => {
  try {
    const origin = new URL(uri).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
};
