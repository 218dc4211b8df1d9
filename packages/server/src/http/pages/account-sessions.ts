import type { MySession } from '../../account/sessions.js';
import type { FactorMethod } from '../../sessions/factors.js';
import { type Page, type PageChrome, esc, page } from './html.js';
import type { MessageKey, Translator } from './i18n/index.js';

export interface AccountSessionsView {
  /** Where the forms post (ISSUER/account/sessions). */
  action: string;
  csrfToken: string;
  account: { id: string; label: string };
  /** Every account signed in on this browser: a switcher when there are several. */
  accounts: readonly { id: string; label: string }[];
  sessions: readonly MySession[];
  notice?: { kind: 'done' | 'refused'; key: MessageKey; params?: Record<string, string | number> } | undefined;
  status?: number;
  /** ISSUER/account/security, the account's second factors (issue 14 §2). */
  securityUrl?: string | undefined;
}

const DEVICE: Record<string, MessageKey> = { mobile: 'sessions.device.mobile', tablet: 'sessions.device.tablet' };

/** Times in the page's language, in UTC (the same for every reader; the zone is said). */
export const formatTime = (t: Translator, seconds: number): string =>
  `${new Intl.DateTimeFormat(t.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(seconds * 1000))} UTC`;

const hidden = (v: AccountSessionsView) =>
  `<input type="hidden" name="csrf_token" value="${esc(v.csrfToken)}"><input type="hidden" name="account" value="${esc(v.account.id)}">`;

/** How the page names each factor (issue 14 §2: the devices page shows them with their times). */
const FACTOR_NAMES: Record<FactorMethod, MessageKey> = {
  password: 'sessions.factor.password',
  totp: 'sessions.factor.totp',
  recovery_code: 'sessions.factor.recovery_code',
  passkey: 'sessions.factor.passkey',
  upstream: 'sessions.factor.upstream',
};

const entry = (t: Translator, v: AccountSessionsView, s: MySession, i: number): string => {
  const d = s.view.device;
  const kind = d.device_type === null ? 'sessions.device.desktop' : (DEVICE[d.device_type] ?? 'sessions.device.other');
  const apps = s.view.clients.map((c) => c.client_name ?? c.client_id);
  const heading = t.html('sessions.browser_on_os', { browser: esc(d.browser ?? t.text('sessions.unknown_browser')), os: esc(d.os ?? t.text('sessions.unknown_os')) });
  const action = s.current
    ? `<button type="submit" name="end_here" value="1" class="secondary" aria-describedby="session-${i}">${t.html('sessions.end_here')}</button>`
    : `<button type="submit" name="end_session" value="${esc(s.view.id)}" aria-describedby="session-${i}">${t.html('sessions.end')}</button>`;
  return `<li>
<h2 id="session-${i}">${heading}${s.current ? ` <span class="badge">${t.html('sessions.this_device')}</span>` : ''}</h2>
<dl>
<dt>${t.html('sessions.device')}</dt><dd>${t.html(kind)}</dd>
<dt>${t.html('sessions.ip')}</dt><dd>${esc(d.last_ip)}</dd>
<dt>${t.html('sessions.signed_in_at')}</dt><dd>${esc(formatTime(t, s.view.authenticated_at))}</dd>
<dt>${t.html('sessions.factors')}</dt><dd>${s.view.factors.map((f) => esc(`${t.text(FACTOR_NAMES[f.method])} (${formatTime(t, f.verified_at)})`)).join(', ')}</dd>
<dt>${t.html('sessions.last_active')}</dt><dd>${esc(formatTime(t, s.view.last_active_at))}</dd>
<dt>${t.html('sessions.apps')}</dt><dd>${apps.length ? esc(apps.join(', ')) : t.html('sessions.apps.none')}</dd>
</dl>
<form method="post" action="${esc(v.action)}">${hidden(v)}${action}</form>
</li>`;
};

/**
 * The devices page (issue 13 §1): one entry per open session of the account, the most recently
 * active first, "This device" on this browser's. Every action is a POST form with the CSRF token
 * bound to this browser: `end_session=ID` on every other session, `end_others`, and `end_here`.
 */
export const accountSessionsPage = (c: PageChrome, v: AccountSessionsView): Page => {
  const { t } = c;
  const others = v.sessions.filter((s) => !s.current).length;
  const notice = v.notice
    ? `<p class="${v.notice.kind === 'done' ? 'notice' : 'error'}" role="${v.notice.kind === 'done' ? 'status' : 'alert'}">${t.html(v.notice.key, v.notice.params)}</p>`
    : '';
  const switcher =
    v.accounts.length > 1
      ? `<form method="get" action="${esc(v.action)}" class="switcher"><label for="account">${t.html('sessions.switch')}</label>
<select id="account" name="account">${v.accounts.map((a) => `<option value="${esc(a.id)}"${a.id === v.account.id ? ' selected' : ''}>${esc(a.label)}</option>`).join('')}</select>
<button type="submit" class="secondary">${t.html('sessions.switch.button')}</button></form>`
      : '';
  return page({
    title: t.text('sessions.title'),
    chrome: c,
    status: v.status,
    body: `<h1>${t.html('sessions.title')}</h1>
${switcher}
<p class="muted">${t.html('sessions.intro', { account: `<strong>${esc(v.account.label)}</strong>` })}</p>
${notice}
<ul class="sessions">${v.sessions.map((s, i) => entry(t, v, s, i)).join('\n')}</ul>
${v.securityUrl ? `<p><a href="${esc(v.securityUrl)}">${t.html('sessions.security_link')}</a></p>` : ''}
${others > 0 ? `<form method="post" action="${esc(v.action)}">${hidden(v)}<button type="submit" name="end_others" value="1">${t.html('sessions.end_others')}</button></form>` : `<p class="muted">${t.html('sessions.none_other')}</p>`}`,
  });
};
