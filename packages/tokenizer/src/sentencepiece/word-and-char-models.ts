import {
  EMPTY_SEGMENTATION,
  SegmentationBuilder,
  type Segmentation,
  type SegmentationModel,
} from "./segmentation.js";
import { UTF8_CHAR_LENGTH } from "./utf8.js";
import type { Vocabulary } from "./vocabulary.js";

function isSpaceSymbolAt(bytes: Uint8Array, pos: number, length: number): boolean {
  return length === 3 && bytes[pos] === 0xe2 && bytes[pos + 1] === 0x96 && bytes[pos + 2] === 0x81;
}

/**
 * SentencePiece's WORD model: a new piece starts at the beginning and at every U+2581; each
 * word is looked up whole (unknown words get the unknown id).
 */
export class WordModel implements SegmentationModel {
  constructor(private readonly vocab: Vocabulary) {}

  encode(normalized: Uint8Array): Segmentation {
    const size = normalized.length;
    if (size === 0) return EMPTY_SEGMENTATION;
    const out = new SegmentationBuilder();
    let wordStart = 0;
    for (let pos = 0; pos < size;) {
      const mblen = Math.min(UTF8_CHAR_LENGTH[normalized[pos]! >>> 4]!, size - pos);
      if (pos > 0 && isSpaceSymbolAt(normalized, pos, mblen)) {
        out.push(pos, this.vocab.bytesToId(normalized, wordStart, pos));
        wordStart = pos;
      }
      pos += mblen;
    }
    out.push(size, this.vocab.bytesToId(normalized, wordStart, size));
    return out.finish();
  }
}

/** SentencePiece's CHAR model: one piece per character (user-defined symbols as wholes). */
export class CharModel implements SegmentationModel {
  constructor(private readonly vocab: Vocabulary) {}

  encode(normalized: Uint8Array): Segmentation {
    const size = normalized.length;
    if (size === 0) return EMPTY_SEGMENTATION;
    const out = new SegmentationBuilder(size);
    const userDefined = this.vocab.userDefinedTrie;
    for (let pos = 0; pos < size;) {
      let mblen: number;
      if (userDefined !== undefined && userDefined.longestPrefix(normalized, pos, size) >= 0) {
        mblen = userDefined.matchLength;
      } else {
        mblen = Math.min(UTF8_CHAR_LENGTH[normalized[pos]! >>> 4]!, size - pos);
      }
      out.push(pos + mblen, this.vocab.bytesToId(normalized, pos, pos + mblen));
      pos += mblen;
    }
    return out.finish();
  }
}
