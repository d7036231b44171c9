// Which tokenizer a source preset has, and copying a KerasHub one. Writing KerasHub's tokenizer
// files is @albert/tokenizer's `saveToPreset`.
import { copyFileSync, cpSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Which tokenizer a preset folder has. */
export type TokenizerSource = { kind: "keras" } | { kind: "transformers" } | { kind: "none" };

export function findTokenizer(dir: string): TokenizerSource {
  const tokenizerJson = path.join(dir, "tokenizer.json");
  if (existsSync(tokenizerJson)) {
    try {
      const json = JSON.parse(readFileSync(tokenizerJson, "utf8")) as { class_name?: unknown };
      if (typeof json.class_name === "string") return { kind: "keras" };
    } catch {
      // An HF fast-tokenizer file or something else: not KerasHub's layer config.
    }
  }
  const spiece = path.join(dir, "spiece.model");
  if (existsSync(spiece)) return { kind: "transformers" };
  return { kind: "none" };
}

/** Copies a KerasHub preset's tokenizer files (the layer configs and their assets). */
export function copyKerasTokenizer(src: string, dest: string): string[] {
  const copied: string[] = [];
  for (const file of ["tokenizer.json", "preprocessor.json"]) {
    if (existsSync(path.join(src, file))) {
      copyFileSync(path.join(src, file), path.join(dest, file));
      copied.push(file);
    }
  }
  if (existsSync(path.join(src, "assets"))) {
    cpSync(path.join(src, "assets"), path.join(dest, "assets"), { recursive: true });
    copied.push("assets/");
  }
  return copied;
}
