import { readFileSync, writeFileSync } from "node:fs";

/**
 * Writes a copy of a safetensors file holding only the tensors `keep` accepts (bytes unchanged,
 * offsets renumbered): a checkpoint with a tensor missing, for tests of the loaders' errors.
 */
export function copySafetensors(from: string, to: string, keep: (name: string) => boolean): void {
  const bytes = readFileSync(from);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString("utf8")) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const body = bytes.subarray(8 + headerLength);
  const out: Record<string, unknown> = {};
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      out[name] = entry;
      continue;
    }
    if (!keep(name)) continue;
    const data = body.subarray(entry.data_offsets[0], entry.data_offsets[1]);
    out[name] = { ...entry, data_offsets: [offset, offset + data.length] };
    parts.push(data);
    offset += data.length;
  }
  let json = JSON.stringify(out);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  writeFileSync(to, Buffer.concat([length, Buffer.from(json), ...parts]));
}
