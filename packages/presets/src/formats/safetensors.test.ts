import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { testdataPath } from "@albert/test-utils";
import { PresetError } from "../errors.js";
import { f32Bytes, makeSafetensors, tempDir } from "../test-utils/helpers.js";
import { readSafetensorsHeader, readSafetensorsTensor } from "./safetensors.js";

function write(bytes: Uint8Array): string {
  const file = path.join(tempDir(), "model.safetensors");
  writeFileSync(file, bytes);
  return file;
}

function expectCorrupt(file: string, pattern: RegExp): void {
  let error: unknown;
  try {
    readSafetensorsHeader(file);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PresetError);
  expect((error as PresetError).code).toBe("corrupt_weights");
  expect((error as PresetError).message).toMatch(pattern);
  expect((error as PresetError).message).toContain(file);
}

describe("readSafetensorsHeader", () => {
  test("reads the committed HF fixture", () => {
    const header = readSafetensorsHeader(testdataPath("hf", "tiny", "model.safetensors"));
    expect(header.tensors.size).toBe(25);
    expect(header.metadata).toEqual({ format: "pt" });
    expect(header.tensors.get("embeddings.word_embeddings.weight")).toMatchObject({
      dtype: "F32",
      shape: [97, 8],
    });
  });

  test("reads F32, F16 and BF16 tensors widened to float32", () => {
    const f16 = new Uint16Array([0x3c00, 0xc000, 0x3555]); // 1, -2, 0.333251953125
    const bf16 = new Uint16Array([0x3f80, 0xc040]); // 1, -3
    const file = write(
      makeSafetensors(
        [
          { name: "a", dtype: "F32", shape: [2], bytes: f32Bytes([1.5, -2.25]) },
          { name: "b", dtype: "F16", shape: [3], bytes: new Uint8Array(f16.buffer) },
          { name: "c", dtype: "BF16", shape: [1, 2], bytes: new Uint8Array(bf16.buffer) },
        ],
        { metadata: { format: "pt" } },
      ),
    );
    const header = readSafetensorsHeader(file);
    const read = (n: string) => Array.from(readSafetensorsTensor(header, header.tensors.get(n)!));
    expect(read("a")).toEqual([1.5, -2.25]);
    expect(read("b")).toEqual([1, -2, 0.333251953125]);
    expect(read("c")).toEqual([1, -3]);
  });

  test("accepts an empty file with an empty header and zero-size tensors", () => {
    expect(readSafetensorsHeader(write(makeSafetensors([]))).tensors.size).toBe(0);
    const file = write(
      makeSafetensors([
        { name: "empty", dtype: "F32", shape: [0, 4], bytes: new Uint8Array(0) },
        { name: "x", dtype: "F32", shape: [1], bytes: f32Bytes([7]) },
      ]),
    );
    expect(readSafetensorsHeader(file).tensors.size).toBe(2);
  });

  test("refuses files shorter than the length prefix", () => {
    expectCorrupt(write(new Uint8Array(5)), /fewer than the 8-byte header length/);
  });

  test("refuses a header length larger than the file", () => {
    const bytes = makeSafetensors([{ name: "a", dtype: "F32", shape: [1], bytes: f32Bytes([1]) }]);
    bytes.writeBigUInt64LE(BigInt(bytes.length + 10), 0);
    expectCorrupt(write(bytes), /header length \d+ is larger than the file/);
  });

  test("refuses an absurd header length before allocating it", () => {
    const bytes = Buffer.alloc(16);
    bytes.writeBigUInt64LE(2n ** 62n, 0);
    expectCorrupt(write(bytes), /exceeds the format's limit/);
  });

  test("refuses a header that is not a UTF-8 JSON object", () => {
    const notJson = Buffer.concat([Buffer.alloc(8), Buffer.from("not json")]);
    notJson.writeBigUInt64LE(8n, 0);
    expectCorrupt(write(notJson), /not UTF-8 JSON/);
    const array = Buffer.concat([Buffer.alloc(8), Buffer.from("[1, 2]  ")]);
    array.writeBigUInt64LE(8n, 0);
    expectCorrupt(write(array), /not a JSON object/);
    const badUtf8 = Buffer.concat([Buffer.alloc(8), Buffer.from([0x7b, 0xff, 0x7d])]);
    badUtf8.writeBigUInt64LE(3n, 0);
    expectCorrupt(write(badUtf8), /not UTF-8 JSON/);
  });

  test("refuses unknown dtypes and invalid shapes or offsets", () => {
    const one = { name: "a", dtype: "F32", shape: [1], bytes: f32Bytes([1]) };
    expectCorrupt(
      write(
        makeSafetensors([one], {
          header: { a: { dtype: "F31", shape: [1], data_offsets: [0, 4] } },
        }),
      ),
      /unknown dtype/,
    );
    expectCorrupt(
      write(
        makeSafetensors([one], {
          header: { a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } },
        }),
      ),
      /invalid shape/,
    );
    expectCorrupt(
      write(
        makeSafetensors([one], {
          header: { a: { dtype: "F32", shape: [1.5], data_offsets: [0, 4] } },
        }),
      ),
      /invalid shape/,
    );
    expectCorrupt(
      write(
        makeSafetensors([one], {
          header: { a: { dtype: "F32", shape: [1], data_offsets: [4, 0] } },
        }),
      ),
      /invalid data_offsets/,
    );
    expectCorrupt(
      write(
        makeSafetensors([one], {
          header: { a: { dtype: "F32", shape: [2], data_offsets: [0, 4] } },
        }),
      ),
      /needs 8 bytes/,
    );
    expectCorrupt(
      write(makeSafetensors([one], { header: { __metadata__: { n: 1 } } })),
      /__metadata__/,
    );
  });

  test("refuses absurd shapes whose byte size overflows", () => {
    const huge = { dtype: "F32", shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] };
    expectCorrupt(write(makeSafetensors([], { header: { a: huge } })), /absurd shape/);
  });

  test("refuses overlapping tensors, gaps and trailing bytes", () => {
    const a = { name: "a", dtype: "F32", shape: [2], bytes: f32Bytes([1, 2]) };
    const b = { name: "b", dtype: "F32", shape: [2], bytes: f32Bytes([3, 4]) };
    expectCorrupt(
      write(
        makeSafetensors([a, b], {
          header: { b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } },
        }),
      ),
      /starts at byte 4 of the data, expected 8/,
    );
    expectCorrupt(
      write(
        makeSafetensors([a, b], {
          header: { b: { dtype: "F32", shape: [1], data_offsets: [12, 16] } },
        }),
      ),
      /starts at byte 12/,
    );
    expectCorrupt(
      write(makeSafetensors([a, b], { trailing: 4 })),
      /cover \d+ bytes but the file has/,
    );
    const truncated = makeSafetensors([a, b]).subarray(0, -2);
    expectCorrupt(write(truncated), /cover \d+ bytes but the file has/);
  });

  test("reading an unsupported dtype names the tensor and the allowed dtypes", () => {
    const file = write(
      makeSafetensors([{ name: "ids", dtype: "I64", shape: [1], bytes: new Uint8Array(8) }]),
    );
    const header = readSafetensorsHeader(file);
    expect(() => readSafetensorsTensor(header, header.tensors.get("ids")!)).toThrow(
      /ids is I64; allowed: F32, F16, BF16/,
    );
  });

  test("a missing file is a missing_file error", () => {
    expect(() => readSafetensorsHeader(path.join(tempDir(), "nope.safetensors"))).toThrow(
      expect.objectContaining({ code: "missing_file" }),
    );
  });
});
