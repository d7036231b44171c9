import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as h5wasm from "h5wasm/node";
import { afterAll } from "vitest";
import { maxAbsDiff, testdataPath } from "@albert/test-utils";
import { openH5, rawDatasetHalves } from "../formats/h5.js";
import type { WeightMap } from "../weights.js";

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test file. */
export function tempDir(prefix = "albert-presets-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A copy of a committed preset folder (testdata/<parts>) in a temporary folder. */
export function copyFixture(...parts: string[]): string {
  const dir = path.join(tempDir(), parts.at(-1)!);
  cpSync(testdataPath(...parts), dir, { recursive: true });
  return dir;
}

/** Largest difference between two weight maps with the same names and shapes. */
export function weightMapDiff(a: WeightMap, b: WeightMap): number {
  if (a.size !== b.size) throw new Error(`${a.size} weights vs ${b.size}`);
  let max = 0;
  for (const [name, tensor] of a) {
    const other = b.get(name);
    if (other === undefined) throw new Error(`missing ${name}`);
    if (tensor.shape.join() !== other.shape.join())
      throw new Error(`${name}: [${tensor.shape}] vs [${other.shape}]`);
    max = Math.max(max, maxAbsDiff(tensor.data, other.data));
  }
  return max;
}

/** Whether two weight maps hold bit-identical float32 data. */
export function weightMapsIdentical(a: WeightMap, b: WeightMap): boolean {
  if (a.size !== b.size) return false;
  for (const [name, tensor] of a) {
    const other = b.get(name);
    if (other === undefined || tensor.shape.join() !== other.shape.join()) return false;
    if (
      !Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength).equals(
        Buffer.from(other.data.buffer, other.data.byteOffset, other.data.byteLength),
      )
    )
      return false;
  }
  return true;
}

function pyShape(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/**
 * An h5 file's layout in the format of the fixtures' `weights-layout.txt`: every `vars`
 * group with its `name` attribute and number of variables, and every dataset with its shape
 * and dtype, sorted as h5py lists them.
 */
export async function h5LayoutText(file: string): Promise<string> {
  await h5wasm.ready;
  const f = new h5wasm.File(file, "r");
  try {
    const names = (f.paths() as string[]).map((p) => p.replace(/^\//, "")).sort();
    const lines: string[] = [];
    const groups = names.filter(
      (n) => (n === "vars" || n.endsWith("/vars")) && f.get(n) instanceof h5wasm.Group,
    );
    const entries: [string, string][] = [];
    for (const g of groups) {
      const group = f.get(g) as h5wasm.Group;
      const count = group.keys().length;
      entries.push([
        `${g}/`,
        `# group ${g}  (layer name: '${String(group.attrs["name"]?.value)}', ${count} vars)`,
      ]);
      for (const key of group.keys().sort()) {
        const d = f.get(`${g}/${key}`) as h5wasm.Dataset;
        const meta = d.metadata;
        const dtype =
          meta.type === 1
            ? `float${meta.size * 8}`
            : meta.type === 0
              ? `${meta.signed ? "int" : "uint"}${meta.size * 8}`
              : d.attrs["dtype"]?.value === "bfloat16"
              ? "|V2"
              : `type${meta.type}`;
        const attrs = d.attrs["dtype"]?.value === "bfloat16" ? "  attrs={'dtype': 'bfloat16'}" : "";
        entries.push([
          `${g}/${key}`,
          `${g}/${key}  shape=${pyShape(meta.shape ?? [])}  dtype=${dtype}${attrs}`,
        ]);
      }
    }
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [, line] of entries) lines.push(line);
    return lines.join("\n");
  } finally {
    f.close();
  }
}

/** One tensor for `makeSafetensors`: raw little-endian bytes of `dtype`. */
export interface RawTensor {
  name: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/**
 * A safetensors file's bytes: 8-byte little-endian header length, JSON header, data. Tensors
 * are laid out in the given order; `header` may override or add header entries (to build
 * invalid files).
 */
export function makeSafetensors(
  tensors: RawTensor[],
  options: {
    metadata?: Record<string, string>;
    header?: Record<string, unknown>;
    trailing?: number;
  } = {},
): Buffer {
  const header: Record<string, unknown> = {};
  if (options.metadata) header["__metadata__"] = options.metadata;
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = {
      dtype: t.dtype,
      shape: t.shape,
      data_offsets: [offset, offset + t.bytes.length],
    };
    offset += t.bytes.length;
  }
  Object.assign(header, options.header);
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([
    length,
    Buffer.from(json),
    ...tensors.map((t) => Buffer.from(t.bytes)),
    Buffer.alloc(options.trailing ?? 0),
  ]);
}

export function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

/** Every 2-byte dataset of an h5 file as its stored bit patterns, by path. */
export async function rawHalves(file: string): Promise<Map<string, Uint16Array>> {
  const h5 = await openH5(file);
  try {
    const out = new Map<string, Uint16Array>();
    for (const p of (h5.paths() as string[]).sort()) {
      const entry = h5.get(p);
      if (entry instanceof h5wasm.Dataset && entry.metadata.size === 2) out.set(p, rawDatasetHalves(entry));
    }
    return out;
  } finally {
    h5.close();
  }
}
