/**
 * Several provider instances on one SQLite store behind a round-robin proxy (issue 11 §3;
 * DESIGN.md "Storage": "a request may land on any instance"), and the proxy itself. The cluster
 * tests are test/helpers/cluster-suite.ts; test/instances-postgres.test.ts runs them on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { clusterSuite } from './helpers/cluster-suite.js';
import { freePort } from './helpers/provider.js';
import { startRoundRobin } from './helpers/round-robin.js';

describe('the round-robin proxy (test/helpers/round-robin.ts)', () => {
  it('takes the instances in turn, streams bodies both ways, keeps the Host header and every Set-Cookie line, records the target, and answers 502 for an instance that is down', async () => {
    const echo = (name: string) =>
      createServer((req, res) => {
        res.writeHead(200, [['x-instance', name], ['x-host', req.headers.host ?? ''], ['set-cookie', 'a=1; Path=/'], ['set-cookie', 'b=2; Path=/; HttpOnly']].flat());
        req.pipe(res);
      });
    const servers = [echo('zero'), echo('one')];
    const ports = await Promise.all(servers.map((srv) => new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as AddressInfo).port)))));
    const down = await freePort();
    const proxy = await startRoundRobin(0, [...ports, down].map((p) => `http://127.0.0.1:${p}`));
    try {
      const body = 'x'.repeat(1 << 20);
      const answers: Response[] = [];
      for (let i = 0; i < 3; i++) answers.push(await fetch(`${proxy.url}/path?q=${i}`, { method: 'POST', body }));
      const [zero, one, gone] = answers as [Response, Response, Response];
      assert.deepEqual([zero.headers.get('x-instance'), one.headers.get('x-instance'), gone.status], ['zero', 'one', 502]);
      assert.equal(zero.headers.get('x-host'), new URL(proxy.url).host, 'the Host header reaches the instance unchanged');
      assert.deepEqual(zero.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
      assert.equal((await zero.text()).length, body.length);
      assert.equal((await one.text()).length, body.length);
      await gone.arrayBuffer();
      assert.deepEqual(proxy.log.map((r) => [r.target, r.path, r.status]), [[0, '/path?q=0', 200], [1, '/path?q=1', 200], [2, '/path?q=2', 502]]);
      assert.equal(proxy.next, 0);
    } finally {
      await proxy.close();
      for (const srv of servers) srv.close();
    }
  });
});

clusterSuite('sqlite');
