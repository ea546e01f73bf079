import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's chromium (scripts/install-interop-peers.sh installs it; .ci/run calls that script). */
export const CHROMIUM = process.env.SIMPUL_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser suite cannot run here, or null when it can. Use with describe.skipIf. */
export const browserMissing: string | null = existsSync(CHROMIUM)
  ? null
  : `${CHROMIUM} is not installed (run scripts/install-interop-peers.sh, or set SIMPUL_CHROMIUM)`;

export interface TestBrowser {
  browser: Browser;
  /** A fresh context (its own cookies): one per person in a flow. */
  context(opts?: BrowserContextOptions): Promise<BrowserContext>;
  /** A page in a fresh context. */
  page(opts?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Headless Chromium with a throwaway profile (Playwright's own temporary one) and nothing that reaches the network by itself
 * (no background updates, sync, QUIC): the only host it talks to is the daemon on 127.0.0.1.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // No --user-data-dir: Playwright refuses it in launch() and gives every launch a fresh temporary profile itself.
    ],
  });
  const contexts: BrowserContext[] = [];
  const context = async (opts: BrowserContextOptions = {}) => {
    const c = await browser.newContext({ locale: 'id-ID', ...opts });
    contexts.push(c);
    return c;
  };
  return {
    browser,
    context,
    page: async (opts) => (await context(opts)).newPage(),
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
    },
  };
}

/** Fills the login form and submits it like a person. */
export async function logIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/Nama pengguna|Username/).fill(username);
  await page.getByLabel(/Kata sandi|Password/).fill(password);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: /^(Masuk|Log in)$/ }).click()]);
}
