/**
 * KerasHub's `tokenizer.json` text (`json.dumps(indent=4)`) with the casing record that
 * @albert/tokenizer's `saveToPreset` adds after KerasHub's keys: what it must write, byte for
 * byte, for a tokenizer KerasHub saved as `kerasTokenizerJson`.
 */
export function withCasingRecord(kerasTokenizerJson: string, lowercase: boolean): string {
  if (!kerasTokenizerJson.endsWith("\n}")) {
    throw new Error("expected json.dumps(indent=4) output, which ends in a newline and '}'");
  }
  return `${kerasTokenizerJson.slice(0, -2)},\n    "albert_ts": {\n        "lowercase": ${lowercase}\n    }\n}`;
}
