import { type Page, esc, page } from './html.js';

export interface LoginView {
  action: string;
  csrfToken: string;
  clientName: string;
  username?: string | undefined;
  error?: string | undefined;
  formTargets: readonly string[];
}

/** The sign-in form: inputs `username` and `password` (a contract tests rely on), plus CSRF. */
export const loginPage = (v: LoginView, status = 200): Page =>
  page({
    title: 'Sign in',
    status,
    formTargets: v.formTargets,
    body: `<h1>Sign in</h1>
<p class="muted">to continue to <strong>${esc(v.clientName)}</strong></p>
${v.error ? `<p class="error" role="alert">${esc(v.error)}</p>` : ''}
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf_token" value="${esc(v.csrfToken)}">
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" required value="${esc(v.username ?? '')}"${v.username ? '' : ' autofocus'}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${v.username ? ' autofocus' : ''}>
<div class="check"><input type="checkbox" id="remember" name="remember" value="1"><label for="remember">Keep me signed in</label></div>
<button type="submit">Sign in</button>
</form>`,
  });
