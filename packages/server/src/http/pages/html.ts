import { randomBytes } from 'node:crypto';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and quoted attribute values. */
export const esc = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

export interface Page {
  status: number;
  html: string;
  /** Content-Security-Policy for this page. */
  csp: string;
}

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}
main{max-width:24rem;margin:8vh auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .3rem}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.55rem;border:1px solid #aab;border-radius:4px;font-size:1rem}
.check{display:flex;gap:.4rem;align-items:center;margin:.8rem 0}.check label{margin:0}
button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem;border:0;border-radius:4px;background:#2456d3;color:#fff;cursor:pointer}
button.secondary{background:#e4e7ee;color:#1d2330}button.account{display:block;width:100%;text-align:left;line-height:1.4}button.account .muted{color:#dfe6fb}.error{background:#fde8e8;color:#8a1c1c;padding:.6rem;border-radius:4px}
.muted{color:#667;font-size:.9rem}code{word-break:break-all}
.sessions{list-style:none;padding:0;margin:0}.sessions li{border-top:1px solid #dde;padding:.8rem 0}.sessions h2{font-size:1.05rem;margin:0 0 .4rem}
.badge{font-size:.8rem;font-weight:normal;background:#e6f0e6;color:#1d4d1d;padding:.1rem .4rem;border-radius:4px}
dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem .8rem;margin:.4rem 0}dt{color:#555}dd{margin:0;overflow-wrap:anywhere}
.notice{background:#e6f0e6;color:#1d4d1d;padding:.6rem;border-radius:4px}.switcher{display:flex;gap:.5rem;align-items:end;flex-wrap:wrap}.switcher button{margin-top:0}`;

/**
 * A full page. Pages load nothing from elsewhere, may not be framed (clickjacking), and may post
 * forms only to this origin and the listed targets (CSP Level 3 form-action also governs the
 * redirect that follows a form submission, so the client's redirect origin is listed too).
 */
export const page = (opts: {
  title: string;
  body: string;
  status?: number;
  formTargets?: readonly string[];
  scriptNonce?: string;
  /** Origins the page may frame (the front-channel logout iframes). */
  frameSources?: readonly string[];
  /** The page's language (i18n/locale.ts); English when not given. */
  lang?: string;
}): Page => {
  const formAction = ["'self'", ...(opts.formTargets ?? [])].join(' ');
  const script = opts.scriptNonce ? `script-src 'nonce-${opts.scriptNonce}'` : "script-src 'none'";
  const frames = opts.frameSources?.length ? `; frame-src ${opts.frameSources.join(' ')}` : '';
  return {
    status: opts.status ?? 200,
    csp: `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; ${script}; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'${frames}`,
    html: `<!doctype html>
<html lang="${esc(opts.lang ?? 'en')}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${esc(opts.title)}</title><style>${STYLE}</style></head>
<body><main>${opts.body}</main></body></html>`,
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
