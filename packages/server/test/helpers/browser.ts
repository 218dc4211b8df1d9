/**
 * A minimal browser for black-box tests: keeps cookies per host, follows redirects within the
 * issuer's origin (and any extra origins it is told to follow, so one browser can walk from a
 * provider to its upstream and back), and fills in the sign-in and consent forms like a person would.
 */
export interface Hop {
  status: number;
  url: string;
  location?: string | undefined;
  body: string;
  headers: Headers;
}

export interface RequestInit {
  method?: string;
  form?: Record<string, string>;
}

export interface NavigateInit extends RequestInit {
  /** Origins (besides the issuer's and the browser's own `follow`) whose redirects are followed too. */
  follow?: string[];
}

export class TestBrowser {
  /**
   * The cookie jar, one map per host name: RFC 6265 §8.5 — cookies do not provide isolation by
   * port, so a provider on 127.0.0.1 and one on localhost keep their cookies apart, while two
   * ports of one host share theirs, as in a real browser. Domain and Path attributes are ignored
   * (every cookie is host-only and sent on every path), which is all these tests need.
   */
  private readonly jar = new Map<string, Map<string, string>>();
  /** The cookies of the issuer's host (the same map the jar holds: changes go to the jar). */
  readonly cookies: Map<string, string>;
  /** Origins whose redirects `navigate` follows besides the issuer's. */
  readonly follow: string[];

  /**
   * `headers` go with every request (a user agent of its own, X-Forwarded-For as a proxy would
   * add); `opts.follow` names further origins (an upstream provider, say) `navigate` follows.
   */
  constructor(readonly issuer: string, readonly headers: Record<string, string> = {}, opts: { follow?: string[] } = {}) {
    this.cookies = this.cookiesOf(issuer);
    this.follow = [...(opts.follow ?? [])];
  }

  /** The cookies this browser holds for the host of `url` (any port). */
  cookiesOf(url: string): Map<string, string> {
    const host = new URL(url).hostname;
    let cookies = this.jar.get(host);
    if (!cookies) {
      cookies = new Map();
      this.jar.set(host, cookies);
    }
    return cookies;
  }

  private cookieHeader(url: string): string {
    return [...this.cookiesOf(url)].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private store(url: string, headers: Headers): void {
    const cookies = this.cookiesOf(url);
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq).trim();
      const value = (pair ?? '').slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
  }

  /** One request, no redirect following. */
  async request(url: string, init: RequestInit = {}): Promise<Hop> {
    const headers: Record<string, string> = { cookie: this.cookieHeader(url), 'user-agent': 'signoff-test-browser', ...this.headers };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.store(url, res.headers);
    // A page that moves on at once by the Refresh header (HTML §7.11.1; Signoff's callback from an
    // upstream answers so, http/pages/continue.ts) is followed as a browser would, like a redirect.
    const refresh = /^\s*0\s*;\s*url=(.+)$/i.exec(res.headers.get('refresh') ?? '')?.[1];
    const location = res.headers.get('location') ?? refresh ?? undefined;
    return { status: res.status, url, location: location && new URL(location, url).toString(), body: await res.text(), headers: res.headers };
  }

  /**
   * Requests and follows redirects while they stay on the issuer or an origin to follow (the
   * browser's and `init.follow`); returns the last hop.
   */
  async navigate(url: string, init: NavigateInit = {}): Promise<Hop> {
    const origins = new Set([...this.follow, ...(init.follow ?? [])].map((o) => new URL(o).origin));
    const followed = (location: string): boolean => location.startsWith(this.issuer) || origins.has(new URL(location).origin);
    let hop = await this.request(url, init);
    // A walk through an upstream and back takes more hops than one provider's own redirects.
    for (let i = 0; i < 20 && hop.location && followed(hop.location); i++) hop = await this.request(hop.location);
    return hop;
  }

  /**
   * Opens an authorization URL and, when the sign-in page appears, signs in. Returns the
   * redirect that leaves the provider (to the client) or the page it stopped on.
   */
  async signIn(
    authorizeUrl: string,
    user?: { username: string; password: string; remember?: boolean },
    opts: { consent?: 'allow' | 'deny' } = {},
  ): Promise<Hop> {
    let hop = await this.navigate(authorizeUrl);
    if (user && isLoginPage(hop.body)) {
      const form = parseForm(hop.body);
      hop = await this.navigate(new URL(form.action, hop.url).toString(), {
        form: { ...form.fields, username: user.username, password: user.password, ...(user.remember ? { remember: '1' } : {}) },
      });
    }
    if (opts.consent && isConsentPage(hop.body)) {
      const form = parseForm(hop.body);
      hop = await this.navigate(new URL(form.action, hop.url).toString(), { form: { ...form.fields, decision: opts.consent } });
    }
    return hop;
  }
}

export const isLoginPage = (html: string): boolean => /name="password"/.test(html);
export const isConsentPage = (html: string): boolean => /name="decision"/.test(html);

/** The first form of a page: its action and hidden fields. */
export const parseForm = (html: string): { action: string; fields: Record<string, string> } => {
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form on the page:\n${html.slice(0, 500)}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"/g)) fields[m[1] as string] = unescapeHtml(m[2] as string);
  return { action: unescapeHtml(action), fields };
};

const unescapeHtml = (s: string): string =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
