import { PresetError } from "../errors.js";
import { putMemoryFile } from "../platform/memory-files.js";
import path from "../platform/path.browser.js";
import { unsafeRelativePathReason } from "../safe-paths.js";

/** A file the user picked (`<input type="file">`, drag and drop): a `File`'s parts used here. */
export interface PickedFile {
  name: string;
  /** Set for files of a picked folder (`<input webkitdirectory>`): `folder/sub/file`. */
  webkitRelativePath?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Bytes of one file: a `Blob`/`File`, an `ArrayBuffer` or a typed array. */
export type PresetFileData = { arrayBuffer(): Promise<ArrayBuffer> } | ArrayBuffer | ArrayBufferView;

let made = 0;

async function bytesOf(data: PresetFileData): Promise<Uint8Array> {
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  return new Uint8Array(await data.arrayBuffer());
}

/** A picked file's path inside the preset: its path in the picked folder, without that folder. */
function relativeName(file: PickedFile, strip: boolean): string {
  const full = file.webkitRelativePath !== undefined && file.webkitRelativePath !== "" ? file.webkitRelativePath : file.name;
  return strip ? full.split("/").slice(1).join("/") : full;
}

/**
 * Makes a preset folder from files the user picked, or from bytes the page has: the folder
 * name it returns is a handle that `readPreset`, `AlbertBackbone.fromPreset`,
 * `AlbertTokenizer.fromPreset` and the tasks' `fromPreset` read, as a folder on disk in Node.
 * Files keep their names (`config.json`, `model.safetensors`, `assets/tokenizer/vocabulary.spm`);
 * the files of a picked folder (`<input type="file" webkitdirectory>`) keep their paths inside it.
 *
 * @example
 * input.onchange = async () => {
 *   const dir = await presetFromFiles(input.files);
 *   const backbone = await AlbertBackbone.fromPreset(dir);
 * };
 * await presetFromFiles({ "config.json": configBlob, "model.safetensors": weightsBuffer });
 */
export async function presetFromFiles(
  files: Iterable<PickedFile> | ArrayLike<PickedFile> | Record<string, PresetFileData>,
): Promise<string> {
  let entries: Array<[string, PresetFileData]>;
  if (typeof (files as Iterable<PickedFile>)[Symbol.iterator] === "function" || "length" in files) {
    const picked = Array.from(files as ArrayLike<PickedFile>);
    // A picked folder: every path starts with the folder's name, which the preset does not.
    const strip = picked.length > 0 && picked.every((f) => (f.webkitRelativePath ?? "").includes("/"));
    entries = picked.map((f) => [relativeName(f, strip), f]);
  } else {
    entries = Object.entries(files as Record<string, PresetFileData>);
  }
  if (entries.length === 0) {
    throw new PresetError("missing_file", "presetFromFiles: no files given; a preset needs at least config.json");
  }
  const dir = path.join("/albert/files", String(++made));
  for (const [name, data] of entries) {
    const reason = unsafeRelativePathReason(name);
    if (reason !== undefined) {
      throw new PresetError("unsafe_path", `presetFromFiles: the file name ${JSON.stringify(name)} is refused because ${reason}`);
    }
    putMemoryFile(path.join(dir, name), await bytesOf(data));
  }
  return dir;
}
