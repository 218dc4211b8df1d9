/**
 * A minimal browser for driving a provider's pages: one cookie jar (a single host, paths
 * ignored), redirects followed only within the provider's origin, forms filled like a person would.
 */
export class Browser {
  cookies = new Map();

  constructor(origin) {
    this.origin = origin;
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  keep(headers) {
    for (const line of headers.getSetCookie()) {
      const pair = line.split(';')[0];
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** One request, no redirect following; `location` comes back absolute. */
  async request(url, { form, method } = {}) {
    const headers = { cookie: this.cookieHeader(), 'user-agent': 'signoff-bench' };
    let body;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const target = new URL(url, this.origin).toString();
    const res = await fetch(target, { method: method ?? (form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.keep(res.headers);
    const location = res.headers.get('location');
    return { status: res.status, url: target, location: location ? new URL(location, target).toString() : undefined, body: await res.text() };
  }

  /** Requests and follows redirects while they stay at the provider; returns the last hop. */
  async navigate(url, init) {
    let hop = await this.request(url, init);
    for (let i = 0; i < 10 && hop.location?.startsWith(this.origin + '/'); i++) hop = await this.request(hop.location);
    return hop;
  }

  /** Submits the first form of a page with its hidden fields plus `fields` (following redirects). */
  submit(hop, fields, { follow = true } = {}) {
    const form = parseForm(hop.body);
    const target = new URL(form.action, hop.url).toString();
    const init = { form: { ...form.fields, ...fields } };
    return follow ? this.navigate(target, init) : this.request(target, init);
  }
}

/** The first form of a page: its action and hidden fields. */
export const parseForm = (html) => {
  const form = /<form[^>]*>/i.exec(html)?.[0];
  const action = form && /action="([^"]*)"/i.exec(form)?.[1];
  if (!action) throw new Error(`no form on the page:\n${html.slice(0, 500)}`);
  const fields = {};
  for (const [input] of html.matchAll(/<input[^>]*>/gi)) {
    if (!/type="hidden"/i.test(input)) continue;
    const name = /name="([^"]*)"/i.exec(input)?.[1];
    if (name) fields[name] = unescapeHtml(/value="([^"]*)"/i.exec(input)?.[1] ?? '');
  }
  return { action: unescapeHtml(action), fields };
};

const unescapeHtml = (s) =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#x2F;/gi, '/').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The code of an authorization response, or an error naming what came back instead. */
export const codeFrom = (hop) => {
  const code = hop.location && new URL(hop.location).searchParams.get('code');
  if (!code) throw new Error(`expected a redirect with a code, got ${hop.status} ${hop.location ?? ''}\n${hop.body.slice(0, 300)}`);
  return code;
};
