// Builds the pages once before the Chromium tests, as `pnpm build` does.
import { buildPages } from "./bundle/build-pages.js";

export async function setup(): Promise<void> {
  await buildPages();
}
