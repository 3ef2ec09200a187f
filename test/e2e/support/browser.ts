/**
 * The studio's browser tests drive Debian's Chromium through playwright-core (no browser downloads
 * here). Where no Chromium is installed they do not pretend: `npm test` prints that they were not
 * run, and .ci/run installs Chromium so they always run there.
 */
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`\n*** Browser tests NOT RUN: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH) ***\n`);

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const STUDIO = join(ROOT, 'studio');
export const SHOTS = join(ROOT, 'test/e2e/screenshots');

function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return t;
}

/** Builds the studio when studio/dist is missing or older than its sources, so tests see the code under test. */
export async function ensureStudioBuilt(): Promise<void> {
  const index = join(STUDIO, 'dist/index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(newest(join(STUDIO, 'src')), statSync(join(STUDIO, 'index.html')).mtimeMs)) return;
  await build({ configFile: join(STUDIO, 'vite.config.ts'), logLevel: 'warn' });
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Counts the clicks a task takes (typing and keys are not counted), as the targets say. */
export async function countClicks(page: Page): Promise<() => Promise<number>> {
  // Runs in the page (a string, since this project's types have no DOM): trusted pointer clicks only.
  await page.evaluate(`(() => {
    window.__clicks = 0;
    if (!window.__counting) {
      window.__counting = true;
      document.addEventListener('click', (e) => { if (e.isTrusted && e.detail > 0) window.__clicks++; }, true);
    }
  })()`);
  return async () => Number(await page.evaluate('window.__clicks'));
}
