/**
 * Thread control for native TensorFlow: TF reads TF_NUM_INTRAOP_THREADS and
 * TF_NUM_INTEROP_THREADS once, when tfjs-node creates its eager context on load.
 */
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { BackendError, diagnoseBackends, initBackend, threadsFromEnvironment } from "./index.js";

const dist = pathToFileURL(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/index.js"),
).href;

describe("threadsFromEnvironment", () => {
  const cpus = availableParallelism();

  it("reads the variables the way TensorFlow does, else one thread per CPU", () => {
    expect(threadsFromEnvironment({})).toMatchObject({ intraOp: cpus, interOp: cpus });
    expect(threadsFromEnvironment({}).note).toMatch(
      /TensorFlow's default: one per CPU this process may use/,
    );
    expect(
      threadsFromEnvironment({ TF_NUM_INTRAOP_THREADS: "3", TF_NUM_INTEROP_THREADS: " 2 " }),
    ).toEqual({
      intraOp: 3,
      interOp: 2,
      note: "TF_NUM_INTRAOP_THREADS=3",
    });
    // Not an integer, or 0: TensorFlow falls back to its default.
    expect(threadsFromEnvironment({ TF_NUM_INTRAOP_THREADS: "four" }).intraOp).toBe(cpus);
    expect(threadsFromEnvironment({ TF_NUM_INTRAOP_THREADS: "0" }).intraOp).toBe(cpus);
  });
});

describe("initBackend native threads", () => {
  it("refuses counts that are not positive integers", async () => {
    for (const threads of [0, -1, 1.5, Number.NaN]) {
      const error = await initBackend("tensorflow", { threads }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendError);
      expect(error).toMatchObject({
        code: "invalid_option",
        message: `threads must be a positive integer, got ${threads}`,
      });
    }
  });

  it("sets the counts before the library loads and reports them", async () => {
    const info = await initBackend("tensorflow", { threads: 1, interOpThreads: 1 });
    expect(info).toMatchObject({
      name: "tensorflow",
      threads: 1,
      threadsNote: "TF_NUM_INTRAOP_THREADS=1",
    });
    expect(process.env["TF_NUM_INTRAOP_THREADS"]).toBe("1");
    expect(process.env["TF_NUM_INTEROP_THREADS"]).toBe("1");
    expect(diagnoseBackends().backends.find((b) => b.name === "tensorflow")).toMatchObject({
      threads: 1,
    });
  });

  it("says it is too late once the library has loaded, and accepts the counts in effect", async () => {
    const error = await initBackend("tensorflow", { threads: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: "too_late" });
    expect((error as Error).message).toMatch(
      /already loaded in this process, so its thread pools are fixed: cannot apply threads: 2 \(it runs with 1\)\. Pass the counts to the first initBackend call/,
    );
    await expect(initBackend("auto", { threads: 1 })).resolves.toMatchObject({
      name: "tensorflow",
      threads: 1,
    });
  });
});

describe("the thread pool TensorFlow really creates", () => {
  /** In a fresh process: threads that appear while the native library loads. */
  function threadsCreatedOnLoad(threads: number): { created: number; reported: number } {
    const script = `
      import { readdirSync } from "node:fs";
      const { initBackend } = await import(${JSON.stringify(dist)});
      const count = () => readdirSync("/proc/self/task").length;
      const before = count();
      const info = await initBackend("tensorflow", { threads: ${threads} });
      process.stdout.write(JSON.stringify({ created: count() - before, reported: info.threads }));
    `;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as { created: number; reported: number };
  }

  it.runIf(process.platform === "linux")(
    "grows by one thread per extra intra-op thread asked for",
    () => {
      const one = threadsCreatedOnLoad(1);
      const four = threadsCreatedOnLoad(4);
      console.log(
        `threads created on load: ${one.created} with threads: 1, ${four.created} with threads: 4`,
      );
      expect([one.reported, four.reported]).toEqual([1, 4]);
      expect(four.created - one.created).toBe(3);
    },
  );
});
