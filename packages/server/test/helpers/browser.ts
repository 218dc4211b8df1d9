/**
 * A minimal browser for black-box tests: keeps cookies (one host), follows redirects only within
 * the issuer's origin, and fills in the sign-in and consent forms like a person would.
 */
export interface Hop {
  status: number;
  url: string;
  location?: string | undefined;
  body: string;
  headers: Headers;
}

export class TestBrowser {
  readonly cookies = new Map<string, string>();

  /** `headers` go with every request (a user agent of its own, X-Forwarded-For as a proxy would add). */
  constructor(readonly issuer: string, readonly headers: Record<string, string> = {}) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private store(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq).trim();
      const value = (pair ?? '').slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** One request, no redirect following. */
  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Hop> {
    const headers: Record<string, string> = { cookie: this.cookieHeader(), 'user-agent': 'signoff-test-browser', ...this.headers };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.store(res.headers);
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, url, location: location && new URL(location, url).toString(), body: await res.text(), headers: res.headers };
  }

  /** Requests and follows redirects while they stay on the issuer; returns the last hop. */
  async navigate(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Hop> {
    let hop = await this.request(url, init);
    for (let i = 0; i < 10 && hop.location && hop.location.startsWith(this.issuer); i++) hop = await this.request(hop.location);
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
