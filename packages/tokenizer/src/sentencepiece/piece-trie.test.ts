import { describe, expect, it } from "vitest";
import { PieceTrie } from "./piece-trie.js";

const encode = (s: string) => new TextEncoder().encode(s);

describe("PieceTrie", () => {
  const words = ["a", "ab", "abc", "b", "▁the", "▁", "東京", "😀", "\u0000x"];
  const trie = PieceTrie.build(
    words,
    words.map((_, i) => i),
  );

  it("looks up whole keys and nothing else", () => {
    words.forEach((w, i) => expect(trie.lookup(encode(w))).toBe(i));
    for (const w of ["", "abcd", "c", "▁th", "東"]) expect(trie.lookup(encode(w))).toBe(-1);
  });

  it("finds the longest key that prefixes the input", () => {
    expect(trie.longestPrefix(encode("abcd"), 0, 4)).toBe(2);
    expect(trie.matchLength).toBe(3);
    expect(trie.longestPrefix(encode("abx"), 0, 3)).toBe(1);
    expect(trie.longestPrefix(encode("xyz"), 0, 3)).toBe(-1);
  });

  it("holds many random keys", () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const keys = new Set<string>();
    // Mixed UTF-8 lengths, including characters whose UTF-16 order differs from byte order.
    const alphabet = [
      0x61, 0x62, 0x63, 0xe9, 0x4e00, 0x4e01, 0xe000, 0xfffd, 0x1f600, 0x1f601, 0x10000,
    ];
    while (keys.size < 5000) {
      let k = "";
      const n = 1 + rand(8);
      for (let i = 0; i < n; i++) k += String.fromCodePoint(alphabet[rand(alphabet.length)]!);
      keys.add(k);
    }
    const list = [...keys];
    const big = PieceTrie.build(
      list,
      list.map((_, i) => i),
    );
    list.forEach((k, i) => expect(big.lookup(encode(k))).toBe(i));
    expect(big.lookup(encode("zzz"))).toBe(-1);
  });
});
