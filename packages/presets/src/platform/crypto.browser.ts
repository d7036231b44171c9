// Random bytes for file markers in browser bundles: Web Crypto, with Buffer's toString("hex").

export function randomBytes(size: number): Uint8Array & { toString(encoding: "hex"): string } {
  const bytes = new Uint8Array(size);
  (globalThis as unknown as { crypto: { getRandomValues(a: Uint8Array): Uint8Array } }).crypto.getRandomValues(bytes);
  const hex = () => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return Object.assign(bytes, { toString: hex });
}
