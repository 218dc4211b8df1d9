/**
 * RFC 6749 §4.1.2.1 and §5.2: "Values for the error_description parameter MUST NOT include
 * characters outside the set %x20-21 / %x23-5B / %x5D-7E". Found by the fuzz test of issue 10
 * §1: descriptions quoted the caller's input — and their own double quotes — as they were, in
 * JSON errors and in error redirects to the client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { errorDescription } from '../src/http/error-description.js';
import { WEB_BASIC } from './helpers/primed.js';
import { CLIENTS, type TestProvider, startProvider } from './helpers/provider.js';

const ALLOWED = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;
const HOSTILE = 'x"\\\r\né\u2028😀<b>';

let t: TestProvider;
before(async () => {
  t = await startProvider();
});
after(() => t?.close());

describe('RFC 6749 §5.2, §4.1.2.1: error_description stays within its character set (issue 10 §1)', () => {
  it('a JSON error quoting the caller\'s input (token endpoint, unsupported grant_type)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/token',
      headers: { authorization: WEB_BASIC, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: HOSTILE }).toString(),
    });
    assert.equal(res.statusCode, 400);
    const body = res.json() as { error: string; error_description: string };
    assert.equal(body.error, 'unsupported_grant_type');
    assert.match(body.error_description, ALLOWED);
    assert.equal(body.error_description, "grant_type 'x'/?????<b>' is not supported.");
  });

  it('an error redirected to the client (authorization endpoint, unsupported prompt)', async () => {
    const query = new URLSearchParams({
      client_id: CLIENTS.web.client_id,
      redirect_uri: CLIENTS.web.redirect_uri,
      response_type: 'code',
      scope: 'openid',
      prompt: HOSTILE,
    });
    const res = await t.app.inject({ method: 'GET', url: `/authorize?${query.toString()}` });
    assert.equal(res.statusCode, 302);
    const location = new URL(String(res.headers.location));
    assert.equal(location.origin + location.pathname, CLIENTS.web.redirect_uri);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.match(location.searchParams.get('error_description') ?? '', ALLOWED);
  });

  it('a missing parameter, whose description names it in quotes', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/token', headers: { authorization: WEB_BASIC, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    assert.equal(res.statusCode, 400);
    assert.equal((res.json() as { error_description: string }).error_description, "parameter 'grant_type' is required");
  });

  it('maps every character outside the set, one "?" per character', () => {
    assert.equal(errorDescription('a"b\\c\td\u00e9😀'), "a'b/c?d??");
    const all = String.fromCharCode(...Array.from({ length: 0x80 }, (_, i) => i));
    assert.match(errorDescription(all), ALLOWED);
  });
});
