import { NormalizedString } from "./normalized-string.js";
import type { HfNormalizer } from "./normalizers.js";
import { splitEach, type Split } from "./pre-tokenizers.js";
import { codePoints, fromCodePoints, isWhitespace, isWordCharacter } from "./unicode.js";

/** A token of tokenizer.json's `added_tokens` (special tokens such as `[MASK]` among them). */
export interface AddedToken {
  content: string;
  /** Only matched where it is not inside a word. */
  singleWord: boolean;
  /** Takes the whitespace on its left / right with it. */
  lstrip: boolean;
  rstrip: boolean;
  /** Matched in normalized text (true) or in the raw text (false). */
  normalized: boolean;
  /** Dropped by `decode(ids, { skipSpecialTokens: true })`. */
  special: boolean;
}

/** A trie over code points for leftmost-longest matching. */
interface TrieNode {
  next: Map<number, TrieNode>;
  id: number;
}

function newNode(): TrieNode {
  return { next: new Map(), id: -1 };
}

/**
 * `tokenizers`' `AddedVocabulary`: the added tokens with their ids, and the matching that cuts
 * them out of the text before normalization (tokens with `normalized: false`) and after it
 * (`normalized: true`), leftmost-longest, with `single_word`, `lstrip` and `rstrip` applied.
 */
export class AddedVocabulary {
  /** content -> id */
  readonly idOf = new Map<string, number>();
  /** id -> token */
  readonly tokenOf = new Map<number, AddedToken>();
  readonly specialContents = new Set<string>();
  /** id -> the token's content after normalization, where that differs. */
  private readonly normalizedContent = new Map<number, string>();
  private rawTrie: TrieNode | undefined;
  private normalizedTrie: TrieNode | undefined;

  /**
   * `add_tokens`: a token already in the model's vocabulary (or added before) keeps that id, a
   * new one gets the next free id. Returns how many were added.
   */
  add(
    tokens: readonly AddedToken[],
    modelIdOf: (token: string) => number | undefined,
    modelSize: number,
    normalizer: HfNormalizer | undefined,
  ): number {
    let added = 0;
    let maxId = -1;
    for (const id of this.tokenOf.keys()) maxId = Math.max(maxId, id);
    let nextId =
      maxId < 0 ? modelSize : maxId >= modelSize || modelSize === 0 ? maxId + 1 : modelSize;
    for (const token of tokens) {
      if (token.content.length === 0) continue;
      const existing = this.idOf.get(token.content);
      if (existing !== undefined && sameToken(this.tokenOf.get(existing), token)) continue;
      let id = existing ?? modelIdOf(token.content);
      if (id === undefined) id = nextId++;
      if (token.normalized && normalizer !== undefined) {
        const n = NormalizedString.fromCodePoints(codePoints(token.content));
        normalizer.normalize(n);
        const normed = fromCodePoints(n.chars);
        if (normed !== token.content) this.normalizedContent.set(id, normed);
      }
      this.idOf.set(token.content, id);
      if (token.special) this.specialContents.add(token.content);
      this.tokenOf.set(id, { ...token });
      added++;
    }
    this.refreshTries();
    return added;
  }

  /** The text of added token `id` (its normalized form for normalized tokens), as `tokenizers`' `simple_id_to_token`. */
  contentOf(id: number): string | undefined {
    const token = this.tokenOf.get(id);
    if (token === undefined) return undefined;
    return this.normalizedContent.get(id) ?? token.content;
  }

  isSpecial(content: string): boolean {
    return this.specialContents.has(content);
  }

  private refreshTries(): void {
    let raw: TrieNode | undefined;
    let normalized: TrieNode | undefined;
    for (const [id, token] of this.tokenOf) {
      const pattern = token.normalized
        ? (this.normalizedContent.get(id) ?? token.content)
        : token.content;
      const root = token.normalized ? (normalized ??= newNode()) : (raw ??= newNode());
      let node = root;
      for (const cp of codePoints(pattern)) {
        let child = node.next.get(cp);
        if (child === undefined) node.next.set(cp, (child = newNode()));
        node = child;
      }
      node.id = id;
    }
    this.rawTrie = raw;
    this.normalizedTrie = normalized;
  }

  /** `extract_and_normalize`: raw matches, normalization of the rest, normalized matches. */
  extractAndNormalize(
    text: readonly number[],
    normalizer: HfNormalizer | undefined,
    splitSpecialTokens: boolean,
  ): Split[] {
    let splits: Split[] = [{ normalized: NormalizedString.fromCodePoints(text) }];
    splits = splitEach(splits, (n) => this.splitOnMatches(n, this.rawTrie, splitSpecialTokens));
    return splitEach(splits, (n) => {
      normalizer?.normalize(n);
      return this.splitOnMatches(n, this.normalizedTrie, splitSpecialTokens);
    });
  }

  private splitOnMatches(
    normalized: NormalizedString,
    trie: TrieNode | undefined,
    splitSpecialTokens: boolean,
  ): Split[] {
    return this.findMatches(normalized.chars, trie, splitSpecialTokens).map(([id, start, end]) => {
      const slice = normalized.slice(start, end);
      if (id < 0) return { normalized: slice };
      const value = fromCodePoints(slice.chars);
      return { normalized: slice, tokens: [{ id, value, start: 0, end: slice.length }] };
    });
  }

  /** `find_matches`: `[id or -1, start, end)` pieces covering `text`. */
  private findMatches(
    text: readonly number[],
    trie: TrieNode | undefined,
    splitSpecialTokens: boolean,
  ): Array<[number, number, number]> {
    const n = text.length;
    if (n === 0) return [[-1, 0, 0]];
    if (trie === undefined) return [[-1, 0, n]];
    const out: Array<[number, number, number]> = [];
    let startOffset = 0;
    let searchFrom = 0;
    while (searchFrom < n) {
      // The leftmost position where some token starts, with its longest token.
      let matchStart = -1;
      let matchEnd = -1;
      let matchId = -1;
      for (let i = searchFrom; i < n && matchStart < 0; i++) {
        let node: TrieNode | undefined = trie;
        for (let j = i; j < n; j++) {
          node = node.next.get(text[j]!);
          if (node === undefined) break;
          if (node.id >= 0) {
            matchStart = i;
            matchEnd = j + 1;
            matchId = node.id;
          }
        }
      }
      if (matchStart < 0) break;
      searchFrom = matchEnd;
      const token = this.tokenOf.get(matchId)!;
      if (splitSpecialTokens && this.specialContents.has(token.content)) continue;
      let start = matchStart;
      let stop = matchEnd;
      if (token.singleWord) {
        const startSpace = start === 0 || !isWordCharacter(text[start - 1]!);
        const stopSpace = stop === n || !isWordCharacter(text[stop]!);
        if (!startSpace || !stopSpace) continue;
      }
      if (token.lstrip) {
        let s = start;
        while (s > 0 && isWhitespace(text[s - 1]!)) s--;
        start = Math.max(s, startOffset);
      }
      if (token.rstrip) {
        while (stop < n && isWhitespace(text[stop]!)) stop++;
      }
      if (startOffset < start) out.push([-1, startOffset, start]);
      out.push([matchId, start, stop]);
      // The search goes on after the match itself, not after what rstrip took.
      startOffset = stop;
    }
    if (startOffset !== n) out.push([-1, startOffset, n]);
    return out;
  }
}

function sameToken(a: AddedToken | undefined, b: AddedToken): boolean {
  return (
    a !== undefined &&
    a.content === b.content &&
    a.singleWord === b.singleWord &&
    a.lstrip === b.lstrip &&
    a.rstrip === b.rstrip &&
    a.normalized === b.normalized &&
    a.special === b.special
  );
}
