/**
 * Issue 13 §2, §3: every page a person can see passes axe-core (WCAG 2.0/2.1 A and AA rules) in
 * headless Chromium with no serious or critical violation, in English, German and French; says
 * its language in `<html lang>`; reflows at 360 CSS px without horizontal scrolling; and is not
 * clipped at 200% zoom.
 *
 * 200% zoom, honestly: browser zoom at 200% on a 1280×800 window lays the page out in a
 * 640×400 CSS-pixel viewport (each CSS pixel is two device pixels). The layout — media queries,
 * vw units, what fits on a line — is exactly that of a 640×400 viewport, so the page is resized
 * to 640×400 and checked there; the device pixel ratio only changes how sharply it is painted,
 * not what fits (`deviceScaleFactor` alone would not be zoom at all). CSS `zoom: 2` on <body>
 * was not used: it does not change the viewport media queries and vw units see.
 *
 * The walk (helpers/pages-tour.ts) runs in a browser whose Accept-Language is English, with
 * `ui_locales` on /authorize and /logout (OIDC Core §3.1.2.1): the requested language must hold
 * on every page of the interaction, those after a form post included. The devices page is
 * opened with the browser's Accept-Language in that language instead.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { isLocal } from './helpers/chromium.js';
import { freePort } from './helpers/provider.js';
import { RESET_PAGES, TOUR_PAGES, type Tour, authorizeUrl, launchBrowser, newContext, openDevicesPage, startTour, walkPages, walkResetPages } from './helpers/pages-tour.js';

const LANGS = ['en', 'de', 'fr'] as const;
const BROWSER_LOCALE = { en: 'en-GB', de: 'de-DE', fr: 'fr-FR' } as const;
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const DESKTOP = { width: 1280, height: 800 };

interface Findings {
  axe: string[];
  lang: string;
  reflow360: string[];
  zoom200: string[];
}

/** What does not fit a `width`-wide viewport: horizontal scrolling, and elements cut off (by the viewport or an overflow:hidden box). */
const overflowAt = async (page: Page, width: number, height: number): Promise<string[]> => {
  await page.setViewportSize({ width, height });
  const found = await page.evaluate(() => {
    const out: string[] = [];
    const root = document.documentElement;
    const inner = window.innerWidth;
    if (root.scrollWidth > root.clientWidth) out.push(`the page scrolls horizontally: scrollWidth ${root.scrollWidth} > ${root.clientWidth}`);
    const describe = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`;
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden' || (el as HTMLElement).hidden) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.right > inner + 1 || r.left < -1) out.push(`${describe(el)} reaches past the viewport (${Math.round(r.left)}..${Math.round(r.right)} of ${inner})`);
      if ((style.overflowX === 'hidden' || style.overflowX === 'clip') && el.scrollWidth > el.clientWidth + 1) out.push(`${describe(el)} clips its content (${el.scrollWidth} > ${el.clientWidth})`);
    }
    return out;
  });
  return found.slice(0, 10);
};

const inspect = async (page: Page): Promise<Findings> => {
  await page.setViewportSize(DESKTOP);
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const axe = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) on ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}: ${v.help} ${v.helpUrl}`);
  const lang = await page.evaluate(() => document.documentElement.getAttribute('lang') ?? '');
  const reflow360 = await overflowAt(page, 360, 800);
  const zoom200 = await overflowAt(page, 640, 400);
  await page.setViewportSize(DESKTOP);
  return { axe, lang, reflow360, zoom200 };
};

const checks = (name: string, lang: string, f: () => Findings | undefined): void => {
  for (const [title, fn] of Object.entries(collectChecks(name, lang, f))) it(title, fn);
};

describe('issue 13 §2, §3: every page in en, de and fr passes axe-core (WCAG 2.1 AA), says its language, reflows at 360 px and survives 200% zoom, in headless Chromium', () => {
  let tour: Tour;
  let browser: Browser;
  const requested: string[] = [];
  const found = new Map<string, Findings>();
  const walkErrors = new Map<string, unknown>();

  before(async () => {
    tour = await startTour();
    browser = await launchBrowser();
    // The three languages walk at once, each in browsers (contexts) of its own: the walks touch
    // only their own browsers' sessions, and most of a walk is waiting for pages.
    const walk = async (lang: (typeof LANGS)[number]): Promise<void> => {
      const context = await newContext(browser, { locale: 'en-GB' });
      context.on('request', (r) => requested.push(r.url()));
      try {
        await walkPages(tour, context, lang, async (name, page) => {
          found.set(`${name}/${lang}`, await inspect(page));
        });
      } catch (err) {
        walkErrors.set(lang, err);
      } finally {
        await context.close();
      }
      // The password-reset pages (issue 17 §4), in a context of their own.
      const reset = await newContext(browser, { locale: 'en-GB' });
      reset.on('request', (r) => requested.push(r.url()));
      try {
        await walkResetPages(tour, reset, lang, async (name, page) => {
          found.set(`${name}/${lang}`, await inspect(page));
        });
      } catch (err) {
        walkErrors.set(`reset/${lang}`, err);
      } finally {
        await reset.close();
      }
      const devices = await newContext(browser, { locale: BROWSER_LOCALE[lang] });
      devices.on('request', (r) => requested.push(r.url()));
      try {
        const page = await openDevicesPage(tour, devices);
        if (page) found.set(`devices/${lang}`, await inspect(page));
        else walkErrors.set(`devices/${lang}`, new Error('/account/sessions answers 404'));
      } catch (err) {
        walkErrors.set(`devices/${lang}`, err);
      } finally {
        await devices.close();
      }
    };
    await Promise.all(LANGS.map(walk));
  });

  after(async () => {
    await browser?.close();
    await tour?.close();
  });

  for (const lang of LANGS) {
    describe(`[${lang}]`, () => {
      it(`the walk reaches every page with ui_locales=${lang}: ${TOUR_PAGES.join(', ')}`, () => {
        const err = walkErrors.get(lang);
        if (err) throw err;
      });
      for (const name of TOUR_PAGES) checks(name, lang, () => found.get(`${name}/${lang}`));
      describe(`password-reset pages (issue 17 §4): ${RESET_PAGES.join(', ')}`, () => {
        it('are reached: forgot, the answer, the link, a refused password, done, a spent link', () => {
          const err = walkErrors.get(`reset/${lang}`);
          if (err) throw err;
        });
        for (const name of RESET_PAGES) checks(name, lang, () => found.get(`${name}/${lang}`));
      });
      describe(`devices page ISSUER/account/sessions, Accept-Language ${BROWSER_LOCALE[lang]}`, () => {
        it('is reached after signing in', () => {
          const err = walkErrors.get(`devices/${lang}`);
          if (err) throw err;
        });
        checks('devices', lang, () => found.get(`devices/${lang}`));
      });
    });
  }

  describe('issue 13 §2: the page language comes from ui_locales (OIDC Core §3.1.2.1), then Accept-Language, then English', () => {
    const signIn = async (locale: string, params: Record<string, string>) => {
      const context = await newContext(browser, { locale });
      context.on('request', (r) => requested.push(r.url()));
      try {
        const page = await context.newPage();
        await page.goto(authorizeUrl(tour, params));
        await page.locator('input[name="password"]').waitFor({ state: 'attached' });
        return {
          lang: await page.evaluate(() => document.documentElement.getAttribute('lang')),
          heading: ((await page.locator('h1').first().textContent()) ?? '').trim(),
          title: await page.title(),
        };
      } finally {
        await context.close();
      }
    };

    it('ui_locales=de with an English browser renders the sign-in page in German: lang="de" and a heading that is not the English one', async () => {
      const en = await signIn('en-GB', { ui_locales: 'en' });
      const de = await signIn('en-GB', { ui_locales: 'de' });
      assert.equal(de.lang, 'de');
      assert.notEqual(de.heading, en.heading, `the German heading is "${de.heading}", the English one "${en.heading}"`);
      assert.match(de.heading, /Anmeld|anmeld/, `a German heading (Anmelden): "${de.heading}"`);
    });

    it('ui_locales=fr with an English browser renders French: lang="fr" and a heading that is not the English one', async () => {
      const en = await signIn('en-GB', { ui_locales: 'en' });
      const fr = await signIn('en-GB', { ui_locales: 'fr' });
      assert.equal(fr.lang, 'fr');
      assert.notEqual(fr.heading, en.heading);
    });

    it('an unknown locale (ui_locales=xx) renders English, not an error', async () => {
      const en = await signIn('en-GB', { ui_locales: 'en' });
      const xx = await signIn('en-GB', { ui_locales: 'xx' });
      assert.equal(xx.lang, 'en');
      assert.equal(xx.heading, en.heading);
    });

    it('ui_locales is a preference list: "xx de" renders German', async () => {
      const de = await signIn('en-GB', { ui_locales: 'xx de' });
      assert.equal(de.lang, 'de');
    });

    it('without ui_locales, a German browser (Accept-Language de-DE) gets German; ui_locales=fr wins over it', async () => {
      assert.equal((await signIn('de-DE', {})).lang, 'de');
      assert.equal((await signIn('de-DE', { ui_locales: 'fr' })).lang, 'fr');
    });
  });

  it('the harness is not blind: axe-core reports serious or critical violations on a page built to have them (an unlabelled input, 1.3:1 text)', async () => {
    const context = await newContext(browser, { locale: 'en-GB' });
    try {
      const page = await context.newPage();
      await page.setContent('<!doctype html><html><head><title>Bad</title></head><body><main><p style="color:#ccc;background:#fff">faint</p><input type="text"></main></body></html>');
      const ids = (await new AxeBuilder({ page }).withTags(TAGS).analyze()).violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id)
        .sort();
      assert.deepEqual(ids, ['color-contrast', 'html-has-lang', 'label']);
    } finally {
      await context.close();
    }
  });

  it('the browser only talked to loopback', () => {
    assert.deepEqual(requested.filter((u) => !isLocal(u)), []);
  });
});

describe('issue 15 §1: the sign-in page with two upstream buttons passes the same checks, in en, de and fr', () => {
  let tour: Tour;
  let browser: Browser;
  const requested: string[] = [];
  const found = new Map<string, Findings>();
  const buttons = new Map<string, string[]>();
  const errors = new Map<string, unknown>();

  before(async () => {
    // Loopback issuers nobody listens on: the buttons are shown whether or not discovery succeeded.
    tour = await startTour({
      upstreams: [
        { id: 'entra', issuer: `http://127.0.0.1:${await freePort()}`, client_id: 'signoff', display_name: 'Contoso (Microsoft)' },
        { id: 'google', issuer: `http://localhost:${await freePort()}`, client_id: 'signoff', display_name: 'Fabrikam (Google)' },
      ],
    });
    browser = await launchBrowser();
    for (const lang of LANGS) {
      const context = await newContext(browser, { locale: 'en-GB' });
      context.on('request', (r) => requested.push(r.url()));
      try {
        const page = await context.newPage();
        await page.goto(authorizeUrl(tour, { ui_locales: lang }));
        await page.locator('button[name="upstream"]').first().waitFor({ state: 'attached' });
        buttons.set(lang, await page.locator('button[name="upstream"]').evaluateAll((els) => els.map((e) => `${(e as HTMLButtonElement).value}: ${(e.textContent ?? '').trim()}`)));
        found.set(lang, await inspect(page));
      } catch (err) {
        errors.set(lang, err);
      } finally {
        await context.close();
      }
    }
  });

  after(async () => {
    await browser?.close();
    await tour?.close();
  });

  for (const lang of LANGS) {
    describe(`[${lang}]`, () => {
      it('the sign-in page shows one button per upstream, labelled with its display name', () => {
        const err = errors.get(lang);
        if (err) throw err;
        const labels = buttons.get(lang) ?? [];
        assert.equal(labels.length, 2, labels.join('\n'));
        assert.match(labels[0] ?? '', /^entra: .*Contoso \(Microsoft\)/);
        assert.match(labels[1] ?? '', /^google: .*Fabrikam \(Google\)/);
      });
      checks('sign-in with upstreams', lang, () => found.get(lang));
    });
  }

  it('the German and English buttons differ (login.upstream is translated)', () => {
    assert.notEqual(buttons.get('de')?.[0], buttons.get('en')?.[0]);
  });

  it('the browser only talked to loopback', () => {
    assert.deepEqual(requested.filter((u) => !isLocal(u)), []);
  });
});

/** The checks of one page in one language, by test name. */
function collectChecks(name: string, lang: string, f: () => Findings | undefined): Record<string, () => void> {
  const get = (): Findings => {
    const found = f();
    assert.ok(found, `the ${name} page was not reached`);
    return found;
  };
  return {
    [`WCAG 2.1 AA (issue 13 §3): axe-core finds no serious or critical violation on ${name} [${lang}]`]: () => {
      const { axe } = get();
      assert.equal(axe.length, 0, `${axe.length} serious/critical violation(s) on ${name} [${lang}]:\n${axe.join('\n')}`);
    },
    [`issue 13 §2 / WCAG 3.1.1: ${name} [${lang}] has <html lang="${lang}">`]: () => assert.equal(get().lang, lang),
    [`WCAG 1.4.10 reflow (issue 13 §3): ${name} [${lang}] fits 360 CSS px without horizontal scrolling`]: () => {
      const { reflow360 } = get();
      assert.deepEqual(reflow360, [], reflow360.join('\n'));
    },
    [`WCAG 1.4.4 resize text (issue 13 §3): ${name} [${lang}] at 200% zoom (640×400 CSS px) is not clipped and does not scroll sideways`]: () => {
      const { zoom200 } = get();
      assert.deepEqual(zoom200, [], zoom200.join('\n'));
    },
  };
}
