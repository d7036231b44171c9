import type { Command } from "commander";
import type { Io } from "../io/streams.js";

export function doctorCommand(program: Command, io: Io): Command {
  return program
    .command("doctor")
    .summary("report backends, native TensorFlow provisioning and the cache")
    .description(
      "Reports every TF.js backend (available or not, and why), which one auto picks, the native packages " +
        "and how albert-provision set them up, the preset cache and the settings in effect. Changes nothing.",
    )
    .option("--json", "print JSON", false)
    .action(async (options: { json: boolean }) => {
      // Loaded on use, so `--help` and usage errors stay instant.
      const { runDoctor } = await import("../doctor/doctor-report.js");
      await runDoctor(options, io);
    });
}
