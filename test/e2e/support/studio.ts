/** A server with the built studio and a browser page signed in to it, for the browser tests. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN, startAppServer, type AppServer } from '../../support/app-server.ts';
import { ensureStudioBuilt, launch, SHOTS } from './browser.ts';

export type Studio = { server: AppServer; browser: Browser; stop(): Promise<void> };

export async function startStudio(options: Parameters<typeof startAppServer>[0] = {}): Promise<Studio> {
  await ensureStudioBuilt();
  const server = await startAppServer(options);
  const browser = await launch();
  return { server, browser, async stop() { await browser.close(); await server.stop(); } };
}

/** A new browser context (its own cookies) signed in through the sign-in screen. */
export async function signedInPage(studio: Studio, who: { email: string; password: string } = ADMIN, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; context: BrowserContext }> {
  const context = await studio.browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
  await page.goto(`${studio.server.base}/`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('banner').waitFor();
  return { page, context };
}

/** Saves a screenshot of what a person would see, under test/e2e/screenshots/ (kept for the README). */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

const counted: [task: string, clicks: number][] = [];
/** Records a task's click count and prints it with the target (three or fewer). */
export function reportClicks(task: string, clicks: number): void {
  counted.push([task, clicks]);
  console.log(`[clicks] ${task}: ${clicks} (target <= 3: ${clicks <= 3 ? 'met' : 'NOT met'})`);
}
