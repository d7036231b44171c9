// UTF-8 helpers. SentencePiece works on UTF-8 bytes; JavaScript strings are UTF-16. Text is
// converted once with TextEncoder (lone surrogates become U+FFFD, as `TextEncoder` defines).

const encoder = new TextEncoder();
// ignoreBOM: keep a leading U+FEFF (the default would silently drop it).
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return decoder.decode(bytes.subarray(start, end));
}

/**
 * Byte length of the UTF-8 character that starts with `leadByte`, from its top four bits
 * (SentencePiece's `OneCharLen`: continuation bytes count as 1).
 */
export const UTF8_CHAR_LENGTH: Uint8Array = new Uint8Array([
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4,
]);

export function oneCharLength(leadByte: number): number {
  return UTF8_CHAR_LENGTH[leadByte >>> 4]!;
}

/** U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's escaped space. */
export const SPACE_SYMBOL = "\u2581";
export const SPACE_SYMBOL_BYTES: Uint8Array = new Uint8Array([0xe2, 0x96, 0x81]);

/**
 * Decodes one character like SentencePiece's `DecodeUTF8`: returns the byte length of a
 * well-formed character at `pos`, or 0 when the bytes there are malformed (then one byte is
 * consumed as U+FFFD). A well-formed U+FFFD counts as valid.
 */
export function validUtf8CharLength(bytes: Uint8Array, pos: number, end: number): number {
  const len = end - pos;
  const b0 = bytes[pos]!;
  if (b0 < 0x80) return 1;
  const isTrail = (b: number) => (b & 0xc0) === 0x80;
  if (len >= 2 && (b0 & 0xe0) === 0xc0) {
    const b1 = bytes[pos + 1]!;
    const cp = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
    if (isTrail(b1) && cp >= 0x80) return 2;
  } else if (len >= 3 && (b0 & 0xf0) === 0xe0) {
    const b1 = bytes[pos + 1]!;
    const b2 = bytes[pos + 2]!;
    const cp = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
    if (isTrail(b1) && isTrail(b2) && cp >= 0x800 && (cp < 0xd800 || cp >= 0xe000)) return 3;
  } else if (len >= 4 && (b0 & 0xf8) === 0xf0) {
    const b1 = bytes[pos + 1]!;
    const b2 = bytes[pos + 2]!;
    const b3 = bytes[pos + 3]!;
    const cp = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
    if (isTrail(b1) && isTrail(b2) && isTrail(b3) && cp >= 0x10000 && cp <= 0x10ffff) return 4;
  }
  return 0;
}

/**
 * For each UTF-8 byte offset of `text` (as `encodeUtf8` gives it, plus the end), the UTF-16
 * index of the character it belongs to. Offsets inside a character map to its start.
 */
export function utf8ToUtf16Offsets(text: string, utf8Length: number): Int32Array {
  const map = new Int32Array(utf8Length + 1);
  let byte = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let n: number;
    let units = 1;
    if (c < 0x80) n = 1;
    else if (c < 0x800) n = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n = 4;
        units = 2;
      } else n = 3;
    } else n = 3;
    for (let k = 0; k < n; k++) map[byte + k] = i;
    byte += n;
    i += units - 1;
  }
  map[utf8Length] = text.length;
  return map;
}
