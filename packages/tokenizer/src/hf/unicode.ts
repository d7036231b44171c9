// The character properties HF `tokenizers` uses, each from the source `tokenizers` takes it
// from: Unicode 9.0 tables for (K)NFD and marks (its normalization crate), Rust's
// `char::is_whitespace` and `char::to_lowercase`, and the `regex` crate's \w and \s.
import { inRanges, rangeIndex } from "../uncased/python-unicode.js";
import {
  COMBINING_CLASS_RUNS,
  MARK_RANGES,
  NFD_DECOMPOSABLE_RANGES,
  NFKD_DECOMPOSABLE_RANGES,
} from "./unicode-9-tables.js";

/** A list of `(character, change)` pairs as `tokenizers`' `NormalizedString::transform` takes
 * them: change 0 replaces the next input character, 1 inserts one, -n replaces the next input
 * character and removes the n after it. */
export class Transformation {
  readonly chars: number[] = [];
  readonly changes: number[] = [];

  push(char: number, change: number): void {
    this.chars.push(char);
    this.changes.push(change);
  }

  get length(): number {
    return this.chars.length;
  }
}

/** The canonical combining class of `cp` in Unicode 9.0 (0 for starters and later characters). */
export function combiningClass(cp: number): number {
  if (cp < 0x300) return 0;
  const run = rangeIndex(COMBINING_CLASS_RUNS, cp, 3);
  return run < 0 ? 0 : COMBINING_CLASS_RUNS[3 * run + 2]!;
}

/** General_Category=Mark in Unicode 9.0 (what StripAccents removes). */
export function isMark(cp: number): boolean {
  return cp >= 0x300 && inRanges(MARK_RANGES, cp);
}

const decompositionCache = [new Map<number, number[]>(), new Map<number, number[]>()];

/** The full decomposition of one character, in canonical order (itself if it has none). */
function decomposition(cp: number, compatible: boolean): number[] | undefined {
  if (cp < 0xa0) return undefined;
  if (!inRanges(compatible ? NFKD_DECOMPOSABLE_RANGES : NFD_DECOMPOSABLE_RANGES, cp)) {
    return undefined;
  }
  const cache = decompositionCache[compatible ? 1 : 0]!;
  let out = cache.get(cp);
  if (out === undefined) {
    // Decompositions of assigned characters never change between Unicode versions, so the
    // engine's (newer) data gives Unicode 9.0's for every character these ranges list.
    const text = String.fromCodePoint(cp).normalize(compatible ? "NFKD" : "NFD");
    out = Array.from(text, (c) => c.codePointAt(0)!);
    cache.set(cp, out);
  }
  return out;
}

/**
 * NFKD (or NFD) of `cps` as `tokenizers` computes it with `unicode-normalization-alignments`:
 * each character's decomposition (its first character replacing it, the others inserted), then
 * every run of non-starters sorted stably by combining class, the change flags moving with
 * their characters.
 */
export function decompose(cps: readonly number[], compatible: boolean): Transformation {
  const out = new Transformation();
  const classes: number[] = [];
  let pending = 0; // start of the run that is not yet in canonical order
  const sortPending = () => {
    const n = out.length - pending;
    if (n > 1) {
      const order = Array.from({ length: n }, (_, k) => pending + k);
      order.sort((a, b) => classes[a]! - classes[b]! || a - b);
      const chars = order.map((k) => out.chars[k]!);
      const changes = order.map((k) => out.changes[k]!);
      const sorted = order.map((k) => classes[k]!);
      for (let k = 0; k < n; k++) {
        out.chars[pending + k] = chars[k]!;
        out.changes[pending + k] = changes[k]!;
        classes[pending + k] = sorted[k]!;
      }
    }
    pending = out.length;
  };
  const emit = (cp: number, change: number) => {
    const cls = combiningClass(cp);
    if (cls === 0) sortPending();
    out.push(cp, change);
    classes.push(cls);
  };
  for (const cp of cps) {
    const parts = decomposition(cp, compatible);
    if (parts === undefined) emit(cp, 0);
    else for (let k = 0; k < parts.length; k++) emit(parts[k]!, k === 0 ? 0 : 1);
  }
  sortPending();
  return out;
}

const lowercaseCache = new Map<number, number[]>();

/** Rust's `char::to_lowercase`: one or more characters (İ gives i + U+0307). */
export function lowercaseOf(cp: number): number[] {
  if (cp < 0x80) return [cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp];
  let out = lowercaseCache.get(cp);
  if (out === undefined) {
    // One character alone: no context, so no final-sigma rule, as in Rust.
    out = Array.from(String.fromCodePoint(cp).toLowerCase(), (c) => c.codePointAt(0)!);
    lowercaseCache.set(cp, out);
  }
  return out;
}

/** Rust's `char::is_whitespace` (the White_Space property). */
export function isWhitespace(cp: number): boolean {
  if (cp < 0x80) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
  return (
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

const WORD_CHARACTER = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;

/** The `regex` crate's Unicode `\w`. */
export function isWordCharacter(cp: number): boolean {
  if (cp < 0x80) {
    return (
      (cp >= 0x30 && cp <= 0x39) ||
      (cp >= 0x41 && cp <= 0x5a) ||
      (cp >= 0x61 && cp <= 0x7a) ||
      cp === 0x5f
    );
  }
  return WORD_CHARACTER.test(String.fromCodePoint(cp));
}

/** Code points of a string; a lone surrogate becomes U+FFFD, as UTF-8 encoding makes it. */
export function codePoints(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out.push(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
        i++;
        continue;
      }
    }
    out.push(c >= 0xd800 && c <= 0xdfff ? 0xfffd : c);
  }
  return out;
}

/** The string of code points `cps[start..end)`. */
export function fromCodePoints(cps: readonly number[], start = 0, end = cps.length): string {
  let out = "";
  for (let i = start; i < end; i += 4096) {
    out += String.fromCodePoint(...cps.slice(i, Math.min(end, i + 4096)));
  }
  return out;
}

/**
 * Writes the UTF-8 bytes of `cps[start..end)` into `out` (grown when too small); returns the
 * buffer used and the byte count.
 */
export function utf8Bytes(
  cps: readonly number[],
  start: number,
  end: number,
  out: Uint8Array,
): [Uint8Array, number] {
  if (out.length < (end - start) * 4) out = new Uint8Array((end - start) * 4);
  let n = 0;
  for (let i = start; i < end; i++) {
    const cp = cps[i]!;
    if (cp < 0x80) out[n++] = cp;
    else if (cp < 0x800) {
      out[n++] = 0xc0 | (cp >> 6);
      out[n++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      out[n++] = 0xe0 | (cp >> 12);
      out[n++] = 0x80 | ((cp >> 6) & 0x3f);
      out[n++] = 0x80 | (cp & 0x3f);
    } else {
      out[n++] = 0xf0 | (cp >> 18);
      out[n++] = 0x80 | ((cp >> 12) & 0x3f);
      out[n++] = 0x80 | ((cp >> 6) & 0x3f);
      out[n++] = 0x80 | (cp & 0x3f);
    }
  }
  return [out, n];
}

/** UTF-8 length of one code point. */
export function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}
