import type { Command } from "commander";
import { writeText, type Io } from "../io/streams.js";
import { addPresetSourceOptions, type PresetSourceOptions } from "../preset-options.js";
import type { Reporter } from "../reporter.js";

export interface ConvertOptions extends PresetSourceOptions {
  force: boolean;
  verify: boolean;
  json: boolean;
}

export function convertCommand(program: Command, io: Io, reporter: Reporter): Command {
  const command = program
    .command("convert")
    .summary("convert an HF transformers checkpoint to a KerasHub preset")
    .description(
      "Converts SRC (an HF transformers ALBERT checkpoint: a folder or hf://org/name; a KerasHub preset works " +
        "too) into a KerasHub preset folder DEST: config.json, model.weights.h5 and metadata.json, loadable by " +
        "Python KerasHub's from_preset and by this package. An HF spiece.model becomes " +
        "assets/tokenizer/vocabulary.spm with KerasHub's tokenizer.json and preprocessor.json (sequence length " +
        "512, or the model's maximum if smaller); its casing (HF's do_lower_case) is recorded in tokenizer.json, so " +
        "the preset lowercases as the source did. The result is read back and compared with the source.",
    )
    .argument("<src>", "HF checkpoint folder or hf://org/name[@rev] (or any preset handle)")
    .argument("<dest>", "the KerasHub preset folder to write")
    .option("--force", "write into DEST even if it is not empty", false)
    .option("--no-verify", "skip reading the result back")
    .option("--json", "print a JSON report", false);
  addPresetSourceOptions(command);
  command.addHelpText(
    "after",
    "\nExamples:\n  $ albert convert hf://albert/albert-base-v2 ./albert_base_en_uncased\n  $ albert convert ./hf_checkpoint ./keras_preset --force",
  );
  return command.action(async (source: string, dest: string, options: ConvertOptions) => {
    // Loaded on use, so `--help` and usage errors stay instant.
    const { convertPreset, formatConvertReport } = await import("../convert/convert-preset.js");
    const report = await convertPreset(source, dest, options, io.cwd, reporter);
    await writeText(
      io.stdout,
      options.json ? `${JSON.stringify(report, null, 2)}\n` : formatConvertReport(report, dest),
    );
  });
}
