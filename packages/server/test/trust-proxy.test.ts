/**
 * http.trustProxy (issue 12 §3): the address recorded on a session at sign-in and on use is
 * request.ip, which names the client behind a trusted proxy and the TCP peer otherwise. Real
 * HTTP on loopback: the test browser connects from 127.0.0.1 and sends X-Forwarded-For as a
 * load balancer would.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import type { Session } from '../src/sessions/store.js';
import { TestBrowser } from './helpers/browser.js';
import { CLIENTS, USERS, startProvider } from './helpers/provider.js';
import { accountIdOf, authorizeUrl, codeOf, silent } from './helpers/session-flows.js';

const CLIENT_IP = '203.0.113.7';

/** Signs alice in through a browser whose requests carry X-Forwarded-For; returns her one session. */
const signInBehindProxy = async (trustProxy: unknown, clock?: ManualClock) => {
  const op = await startProvider(trustProxy === undefined ? {} : { http: { trustProxy } }, clock ? { clock } : {});
  const browser = new TestBrowser(op.issuer, { 'x-forwarded-for': CLIENT_IP, 'user-agent': 'agent-at-sign-in' });
  codeOf(await browser.signIn(authorizeUrl(op.issuer, CLIENTS.web), USERS.alice), CLIENTS.web);
  const [session] = await op.provider.store.listSessions({ accountId: await accountIdOf(op, 'alice'), limit: 10 });
  assert.ok(session);
  return { op, browser, session: session as Session };
};

describe('issue 12 §3: http.trustProxy', () => {
  it('off (the default): X-Forwarded-For is ignored; the session records the TCP peer', async () => {
    const { op, session } = await signInBehindProxy(undefined);
    try {
      assert.equal(session.createdIp, '127.0.0.1');
      assert.equal(session.lastIp, '127.0.0.1');
      assert.equal(session.createdUserAgent, 'agent-at-sign-in');
    } finally {
      await op.close();
    }
  });

  for (const trustProxy of [true, ['127.0.0.0/8'], 1] as const) {
    it(`${JSON.stringify(trustProxy)}: the session records the forwarded address at sign-in, and the address and user agent of its use`, async () => {
      const clock = new ManualClock();
      const { op, browser, session } = await signInBehindProxy(trustProxy, clock);
      try {
        assert.equal(session.createdIp, CLIENT_IP);
        assert.equal(session.lastIp, CLIENT_IP);
        assert.equal(session.createdUserAgent, 'agent-at-sign-in');
        // Use is written at most once a minute (DESIGN.md "Domain model"): move past that.
        clock.advance(120);
        Object.assign(browser.headers, { 'x-forwarded-for': '198.51.100.9', 'user-agent': 'agent-on-use' });
        const again = await silent(browser, op.issuer, CLIENTS.web);
        assert.ok(again.code, `signed in silently: ${again.error}`);
        const used = await op.provider.store.sessionById(session.id);
        assert.equal(used?.createdIp, CLIENT_IP);
        assert.equal(used?.lastIp, '198.51.100.9');
        assert.equal(used?.lastUserAgent, 'agent-on-use');
      } finally {
        await op.close();
      }
    });
  }

  it('a list of proxies that does not include the peer: X-Forwarded-For is ignored', async () => {
    const { op, session } = await signInBehindProxy(['10.0.0.0/8']);
    try {
      assert.equal(session.createdIp, '127.0.0.1');
    } finally {
      await op.close();
    }
  });
});
