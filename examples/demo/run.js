import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startApp } from './app.js';
import { startSpa } from './spa.js';

/**
 * `npm run demo`: the provider on its development configuration (http://localhost:3000) and two
 * applications signed in through it — http://localhost:8080 (server-side: back- and front-channel
 * logout) and http://localhost:8081 (single-page: check_session monitoring, front-channel).
 */
const ISSUER = 'http://localhost:3000';
const signoff = fileURLToPath(new URL('../../packages/server/bin/signoff.js', import.meta.url));
const provider = spawn(process.execPath, [signoff, 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });

const waitFor = async (url) => {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
};

await waitFor(`${ISSUER}/healthz`);
const servers = [
  await startApp({ issuer: ISSUER, port: 8080, clientId: 'demo-app', clientSecret: 'demo-app-secret-for-development-only' }),
  await startSpa({ issuer: ISSUER, port: 8081, clientId: 'demo-spa' }),
];
console.log(`
  Demo running. Sign in as demo / demo-battery-staple-horse.
    1. http://localhost:8080  the server-side app: Sign in
    2. http://localhost:8081  the single-page app: Sign in (no password: single sign-on)
    3. Sign out in either one and watch both pages: back-channel, front-channel and
       check_session each report what they saw.  Ctrl-C stops everything.
`);
const stop = () => {
  for (const s of servers) s.close();
  provider.kill('SIGTERM');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
