/**
 * A read-only darts-clone double-array trie, the structure inside a SentencePiece model's
 * `precompiled_charsmap`. Each unit is a little-endian uint32:
 * bit 31 marks a leaf (its low 31 bits are the value), bits 0-7 are the label, bit 8 says
 * "a leaf hangs below this unit", and bits 10-31 hold the offset to the children (shifted left
 * by 8 more when bit 9 is set). A child with label `c` of the node at `p` sits at
 * `p ^ offset(unit[p]) ^ c`.
 */
export class DartsDoubleArray {
  private readonly units: Uint32Array;

  /** Value of the last match found by `longestPrefix`. */
  matchValue = 0;

  constructor(units: Uint32Array) {
    this.units = units;
  }

  get size(): number {
    return this.units.length;
  }

  /**
   * The length of the longest key that is a prefix of `key[start..end)`, or 0 when none is;
   * its value is left in `matchValue`. This is `commonPrefixSearch` keeping the last result.
   */
  longestPrefix(key: Uint8Array, start: number, end: number): number {
    const units = this.units;
    const size = units.length;
    let node = offsetOf(units[0]!);
    let longest = 0;
    for (let i = start; i < end; i++) {
      const label = key[i]!;
      node ^= label;
      if (node >= size) return longest;
      const unit = units[node]!;
      // A leaf unit has bit 31 set, so it never equals a byte label.
      if ((unit & 0x800000ff) >>> 0 !== label) return longest;
      node ^= offsetOf(unit);
      if ((unit >>> 8) & 1) {
        if (node >= size) return longest;
        longest = i + 1 - start;
        this.matchValue = units[node]! & 0x7fffffff;
      }
    }
    return longest;
  }

  /** Whether some key starts with `key[start..end)` (the path exists in the trie). */
  hasPrefix(key: Uint8Array, start: number, end: number): boolean {
    const units = this.units;
    const size = units.length;
    let node = offsetOf(units[0]!);
    for (let i = start; i < end; i++) {
      const label = key[i]!;
      node ^= label;
      if (node >= size) return false;
      const unit = units[node]!;
      if ((unit & 0x800000ff) >>> 0 !== label) return false;
      node ^= offsetOf(unit);
    }
    return true;
  }
}

function offsetOf(unit: number): number {
  return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
}
