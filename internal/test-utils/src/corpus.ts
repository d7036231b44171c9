import { writeFileSync } from "node:fs";

const WORDS = "the quick brown fox jumps over a lazy dog while lite bert models read sentences about search ranking and language".split(" ");

/** `count` made-up sentences of 1 to `maxWords` words, the same for a given seed (a small LCG):
 * a corpus for bulk-encoding and serving tests. */
export function sentences(count: number, seed = 1, maxWords = 14): string[] {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: count }, () => {
    const n = 1 + Math.floor(next() * maxWords);
    return Array.from({ length: n }, () => WORDS[Math.floor(next() * WORDS.length)]!).join(" ");
  });
}

/** Writes texts one per line. */
export function writeCorpus(file: string, texts: readonly string[]): void {
  writeFileSync(file, `${texts.join("\n")}\n`);
}
