import type { Browser, Page } from "playwright-core";
import { describe } from "vitest";
import { findChromium, launchChromium, openPage } from "./chromium.js";
import { SITE_DIR, TESTDATA_DIR } from "./bundle/paths.js";
import { startStaticServer, type StaticServer } from "./bundle/static-server.js";

export const CHROMIUM = findChromium();

/**
 * `describe` where Chromium is installed; elsewhere the suite is skipped and says so (CI
 * installs Debian's chromium before this step: see .ci/run).
 */
export const describeInChromium = describe.skipIf(CHROMIUM === undefined);
if (CHROMIUM === undefined) {
  console.warn("examples/browser: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH): browser tests skipped");
}

export interface OpenedPage {
  page: Page;
  /** The page's console errors and uncaught exceptions so far, without the 404s of a preset's
   * optional files (tokenizer.json beside a KerasHub preset, ...), which Chromium logs too. */
  errors(): string[];
}

export interface BrowserSession {
  server: StaticServer;
  browser: Browser;
  open(pathname: string): Promise<OpenedPage>;
  close(): Promise<void>;
}

/** The built site (and testdata/ under /testdata/) on 127.0.0.1, and a headless Chromium. */
export async function startSession(options: { crossOriginIsolated?: boolean } = {}): Promise<BrowserSession> {
  const server = await startStaticServer({
    roots: { "/": SITE_DIR, "/testdata/": TESTDATA_DIR },
    ...options,
  });
  const browser = await launchChromium(CHROMIUM!);
  return {
    server,
    browser,
    async open(pathname) {
      const { page, errors } = await openPage(browser, `${server.origin}${pathname}`);
      return { page, errors: () => errors.filter((e) => !/status of 404/.test(e)) };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** The test harness page, ready: the packages on `window.albert`. */
export async function harnessPage(session: BrowserSession): Promise<OpenedPage> {
  const opened = await session.open("/harness.html");
  await opened.page.waitForFunction(() => document.body.dataset["ready"] === "true");
  return opened;
}
