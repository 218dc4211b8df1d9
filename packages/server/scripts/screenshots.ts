/**
 * `npm run screenshots` (after `npm run build`): photographs every page a person can see, in
 * English and German, at desktop (1280×800) and phone (390×844) widths, into docs/screenshots/
 * at the repository root as NAME.LANG.SIZE.png (e.g. sign-in.en.desktop.png).
 *
 * It starts the provider in this process on 127.0.0.1 with a temporary SQLite store (deleted
 * afterwards) and drives Debian's headless Chromium (/usr/bin/chromium) through the same walk as
 * the a11y test (test/helpers/pages-tour.ts). Deterministic where it can be: the provider's
 * clock stands still (a minute forward at each sign-in, the same steps every run), the error page's request id is fixed (X-Request-Id), the text caret and
 * animations are hidden, the user agent is a fixed Chrome (desktop) or Chrome on Android (phone); the test users and clients are fixed names.
 *
 * Usage: node dist/scripts/screenshots.js [OUTPUT_DIR]
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { StepClock, TOUR_PAGES, launchBrowser, newContext, openDevicesPage, startTour, walkPages } from '../test/helpers/pages-tour.js';

const LANGS = { en: 'en-GB', de: 'de-DE' } as const;
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
/** What the devices page names: a fixed browser per size, not the version of the Chromium that runs the script. */
const USER_AGENTS = {
  desktop: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  phone: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
} as const;
/** Every page shows the same time whenever the script runs. */
const FIXED_TIME = Date.UTC(2026, 0, 15, 9, 30, 0);

// dist/scripts/screenshots.js -> the repository root's docs/screenshots
const out = resolve(process.argv[2] ?? fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url)));
mkdirSync(out, { recursive: true });

const shoot = async (page: Page, file: string): Promise<void> => {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: join(out, file), fullPage: true, animations: 'disabled', caret: 'hide' });
  console.log(`  ${file}`);
};

const browser = await launchBrowser();
const written: string[] = [];
try {
  for (const [lang, locale] of Object.entries(LANGS)) {
    for (const [size, viewport] of Object.entries(SIZES)) {
      const userAgent = USER_AGENTS[size as keyof typeof USER_AGENTS];
      // A fresh provider each time: the devices page lists only this walk's sessions.
      const tour = await startTour({ clock: new StepClock(FIXED_TIME) });
      const headers = { 'x-request-id': 'example-request-id' };
      try {
        const context = await newContext(browser, { locale, viewport, headers, userAgent });
        try {
          await walkPages(tour, context, lang, async (name, page) => {
            const file = `${name}.${lang}.${size}.png`;
            await shoot(page, file);
            written.push(file);
          });
        } finally {
          await context.close();
        }
        const devices = await newContext(browser, { locale, viewport, headers, userAgent });
        try {
          const page = await openDevicesPage(tour, devices);
          if (page) {
            const file = `devices.${lang}.${size}.png`;
            await shoot(page, file);
            written.push(file);
          } else if (lang === 'en' && size === 'desktop') {
            console.log('  (no devices page yet: /account/sessions answers 404)');
          }
        } finally {
          await devices.close();
        }
      } finally {
        await tour.close();
      }
    }
  }
} finally {
  await browser.close();
}
console.log(`${written.length} screenshots of ${TOUR_PAGES.length + 1} pages in ${out}`);
