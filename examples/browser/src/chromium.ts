import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

/**
 * The system's Chromium (Debian's `chromium` package; `.ci/run` installs it), or
 * `CHROMIUM_PATH`. Playwright's own browser downloads do not work offline, so it always drives
 * this binary. `undefined` when there is none.
 */
export function findChromium(): string | undefined {
  const candidates = [process.env["CHROMIUM_PATH"], "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  try {
    candidates.push(execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim());
  } catch {
    // not on PATH
  }
  return candidates.find((c): c is string => c !== undefined && c !== "" && existsSync(c));
}

/**
 * Flags for headless Chromium on a machine without a GPU or network: WebGL2 on SwiftShader
 * (the silent fallback is deprecated, so it is asked for), WebGPU on its SwiftShader adapter,
 * no sandbox (CI runs as root), and none of the background requests a closed network refuses.
 */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--enable-unsafe-swiftshader",
  "--use-angle=swiftshader",
  "--enable-unsafe-webgpu",
  "--enable-features=Vulkan",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** A new page whose console errors and uncaught exceptions are collected. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.goto(url);
  return { page, errors };
}
