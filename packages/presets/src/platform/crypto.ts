// Random bytes for file markers: Node's. Browser bundles swap in crypto.browser.ts (Web Crypto).
export { randomBytes } from "node:crypto";
