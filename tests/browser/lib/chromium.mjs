// Debian's Chromium (CHROMIUM_PATH overrides /usr/bin/chromium), headless, driven by
// playwright-core, with the phone-sized context the demo's browser tests use.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches it; resolves { browser, context } (close both when done). */
export async function launchPhone() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
  // A phone-sized viewport: the demo must read well there.
  const context = await browser.newContext({ viewport: { width: 420, height: 860 }, deviceScaleFactor: 1, locale: 'zh-CN' });
  context.setDefaultTimeout(15_000);
  return { browser, context };
}
