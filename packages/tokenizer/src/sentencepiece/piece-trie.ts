/**
 * A byte trie over piece strings (their UTF-8 bytes), stored as a double array so that
 * following one byte costs two typed-array reads: the child of node `s` on byte `b` is
 * `t = base[s] + b`, valid when `check[t] === s + 1`. `value[t]` is the id of the piece that
 * ends at `t`, or -1. The root is node 0.
 */
export class PieceTrie {
  readonly base: Int32Array;
  readonly check: Int32Array;
  readonly value: Int32Array;

  /** Length of the last match of `longestPrefix`. */
  matchLength = 0;

  constructor(base: Int32Array, check: Int32Array, value: Int32Array) {
    this.base = base;
    this.check = check;
    this.value = value;
  }

  /** Builds the trie of `keys` (distinct, non-empty strings) with their `values` (>= 0). */
  static build(keys: readonly string[], values: readonly number[]): PieceTrie {
    return new PieceTrieBuilder(keys, values).build();
  }

  /** The child of `node` on `byte`, or -1. */
  child(node: number, byte: number): number {
    const next = this.base[node]! + byte;
    return this.check[next] === node + 1 ? next : -1;
  }

  /** Value of the longest key that is a prefix of `bytes[start..end)`, or -1. */
  longestPrefix(bytes: Uint8Array, start: number, end: number): number {
    const { base, check, value } = this;
    let node = 0;
    let found = -1;
    for (let i = start; i < end; i++) {
      const next = base[node]! + bytes[i]!;
      if (check[next] !== node + 1) break;
      node = next;
      const v = value[node]!;
      if (v >= 0) {
        found = v;
        this.matchLength = i + 1 - start;
      }
    }
    return found;
  }

  /** Value of exactly `bytes[start..end)`, or -1. */
  lookup(bytes: Uint8Array, start = 0, end = bytes.length): number {
    const { base, check, value } = this;
    let node = 0;
    for (let i = start; i < end; i++) {
      const next = base[node]! + bytes[i]!;
      if (check[next] !== node + 1) return -1;
      node = next;
    }
    return end > start ? value[node]! : -1;
  }
}

/** How far behind the highest used slot `findBase` looks for room. */
const SEARCH_WINDOW = 2048;

/**
 * Places the nodes of the trie breadth-first: for each node, the first base at which all of its
 * children's slots are free. Below a node, keys are partitioned by their next byte (insertion
 * sort for a few keys, counting sort for many), so no global sort is needed. Iterative, so
 * deep keys cannot overflow a stack.
 */
class PieceTrieBuilder {
  /** All keys' UTF-8 bytes, back to back. */
  private bytes: Uint8Array;
  private keyStart: Int32Array;
  private keyLength: Int32Array;
  private values: Int32Array;
  private base = new Int32Array(1024);
  private check = new Int32Array(1024 + 256);
  private value = new Int32Array(1024 + 256).fill(-1);
  private firstFree = 1;
  private highWater = 0;

  constructor(keys: readonly string[], values: readonly number[]) {
    const n = keys.length;
    let total = 0;
    for (const key of keys) total += key.length * 3;
    this.bytes = new Uint8Array(total);
    this.keyStart = new Int32Array(n);
    this.keyLength = new Int32Array(n);
    this.values = Int32Array.from(values);
    const encoder = new TextEncoder();
    let offset = 0;
    for (let k = 0; k < n; k++) {
      this.keyStart[k] = offset;
      const written = encoder.encodeInto(keys[k]!, this.bytes.subarray(offset)).written;
      this.keyLength[k] = written;
      offset += written;
    }
  }

  build(): PieceTrie {
    const { bytes, keyStart, keyLength } = this;
    const n = keyStart.length;
    // perm[from..to) are the keys below a node; they share their first `depth` bytes.
    const perm = new Int32Array(n);
    for (let k = 0; k < n; k++) perm[k] = k;
    const scratch = new Int32Array(n);
    const counts = new Int32Array(257);
    let nodes = 1;
    for (let k = 0; k < n; k++) nodes += keyLength[k]!;
    // Work items: (node, from, to, depth).
    const queue = new Int32Array(4 * nodes + 4);
    queue[2] = n;
    let queueEnd = 4;
    let maxUsed = 0;
    const labels = new Int32Array(256);
    const starts = new Int32Array(257);
    // Sort key `k` by its byte at `depth`; a key that ends at `depth` sorts first (-1).
    const byteAt = (k: number, depth: number) =>
      depth < keyLength[k]! ? bytes[keyStart[k]! + depth]! : -1;
    for (let q = 0; q < queueEnd; q += 4) {
      const node = queue[q]!;
      let from = queue[q + 1]!;
      const to = queue[q + 2]!;
      const depth = queue[q + 3]!;
      if (to - from <= 32) {
        for (let i = from + 1; i < to; i++) {
          const k = perm[i]!;
          const b = byteAt(k, depth);
          let j = i - 1;
          while (j >= from && byteAt(perm[j]!, depth) > b) {
            perm[j + 1] = perm[j]!;
            j--;
          }
          perm[j + 1] = k;
        }
      } else {
        // Bucket b + 1 holds byte b; bucket 0 the key that ends here.
        counts.fill(0);
        for (let i = from; i < to; i++) counts[byteAt(perm[i]!, depth) + 1]!++;
        let sum = 0;
        for (let b = 0; b < 257; b++) {
          const c = counts[b]!;
          counts[b] = sum;
          sum += c;
        }
        for (let i = from; i < to; i++) {
          const k = perm[i]!;
          const bucket = byteAt(k, depth) + 1;
          scratch[from + counts[bucket]!] = k;
          counts[bucket]!++;
        }
        perm.set(scratch.subarray(from, to), from);
      }
      if (from < to && keyLength[perm[from]!] === depth) {
        this.value[node] = this.values[perm[from]!]!;
        from++;
      }
      if (from >= to) continue;
      let count = 0;
      for (let i = from; i < to; i++) {
        const label = bytes[keyStart[perm[i]!]! + depth]!;
        if (count === 0 || labels[count - 1] !== label) {
          labels[count] = label;
          starts[count] = i;
          count++;
        }
      }
      starts[count] = to;
      const base = this.findBase(labels, count);
      this.base[node] = base;
      for (let c = 0; c < count; c++) {
        const slot = base + labels[c]!;
        this.check[slot] = node + 1;
        if (slot > maxUsed) maxUsed = slot;
        queue[queueEnd] = slot;
        queue[queueEnd + 1] = starts[c]!;
        queue[queueEnd + 2] = starts[c + 1]!;
        queue[queueEnd + 3] = depth + 1;
        queueEnd += 4;
      }
      if (maxUsed > this.highWater) this.highWater = maxUsed;
      while (this.check[this.firstFree] !== 0) this.firstFree++;
    }
    // Room for base + any byte past the last used slot, so lookups never read out of range.
    let highest = maxUsed;
    for (let i = 0; i <= maxUsed; i++) highest = Math.max(highest, this.base[i]!);
    const length = highest + 257;
    this.ensure(length);
    return new PieceTrie(
      this.base.slice(0, length),
      this.check.slice(0, length),
      this.value.slice(0, length),
    );
  }

  private findBase(labels: Int32Array, count: number): number {
    const first = labels[0]!;
    // Only search a window behind the highest used slot (darts-clone closes old blocks the
    // same way): a few holes stay empty, but placing every node takes bounded time.
    if (this.firstFree < this.highWater - SEARCH_WINDOW) {
      this.firstFree = this.highWater - SEARCH_WINDOW;
      while (this.check[this.firstFree] !== 0) this.firstFree++;
    }
    let slot = Math.max(this.firstFree, first + 1);
    for (;;) {
      this.ensure(slot + 256);
      const check = this.check;
      if (check[slot] === 0) {
        const candidate = slot - first;
        let free = true;
        for (let c = 1; c < count; c++) {
          if (check[candidate + labels[c]!] !== 0) {
            free = false;
            break;
          }
        }
        if (free) return candidate;
      }
      slot++;
    }
  }

  private ensure(size: number): void {
    if (size < this.base.length) return;
    let n = this.base.length;
    while (n <= size) n *= 2;
    const grow = (a: Int32Array, fill: number) => {
      const b = new Int32Array(n + 256).fill(fill);
      b.set(a);
      return b;
    };
    this.base = grow(this.base, 0);
    this.check = grow(this.check, 0);
    this.value = grow(this.value, -1);
  }
}
