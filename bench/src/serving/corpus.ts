import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** Where the bulk benchmark's text comes from: English nobody here wrote, on every Debian system. */
export interface CorpusSource {
  description: string;
  files: number;
  sentences: string[];
}

const LICENSES = "/usr/share/common-licenses";
const DOCS = "/usr/share/doc";

/** Splits prose into sentences: at `.`, `!` or `?` followed by space and a capital, quote or bracket. */
export function splitSentences(text: string): string[] {
  return text
    .replace(/\s+/g, " ")
    .split(/(?<=[.!?])\s+(?=["'(A-Z])/)
    .map((s) => s.trim())
    .filter((s) => s.length >= 20 && /[a-z]/.test(s));
}

/**
 * The licence texts Debian ships in /usr/share/common-licenses (GPL, LGPL, Apache-2.0, MPL,
 * GFDL, Artistic, ...) and, after them, the packages' /usr/share/doc/PKG/copyright files, split
 * into sentences, each kept once, in file-name order, up to `limit`.
 */
export function debianCorpus(limit: number): CorpusSource {
  const files = [
    ...(existsSync(LICENSES) ? readdirSync(LICENSES).sort().map((name) => path.join(LICENSES, name)) : []),
    ...(existsSync(DOCS) ? readdirSync(DOCS).sort().map((name) => path.join(DOCS, name, "copyright")) : []),
  ].filter((file) => existsSync(file) && statSync(file).isFile());
  const seen = new Set<string>();
  const sentences: string[] = [];
  let used = 0;
  for (const file of files) {
    if (sentences.length >= limit) break;
    used++;
    for (const sentence of splitSentences(readFileSync(file, "utf8"))) {
      if (seen.has(sentence)) continue;
      seen.add(sentence);
      sentences.push(sentence);
      if (sentences.length >= limit) break;
    }
  }
  return {
    description: `${sentences.length} distinct sentences from Debian's licence texts (${LICENSES}) and packages' copyright files (${DOCS}/*/copyright), ${used} files`,
    files: used,
    sentences,
  };
}
