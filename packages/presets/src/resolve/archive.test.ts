import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { makeTar, makeZip, type ArchiveEntry } from "@albert/test-utils";
import { tempDir } from "../test-utils/helpers.js";
import { extractArchive } from "./archive.js";

const entries: ArchiveEntry[] = [
  { name: "config.json", data: "{}" },
  { name: "assets/", type: "directory" },
  { name: "assets/tokenizer/vocabulary.spm", data: "spm" },
  { name: "task.weights.h5", data: "big" },
];

function archiveFile(bytes: Buffer, name = "bundle.archive"): string {
  const file = path.join(tempDir(), name);
  writeFileSync(file, bytes);
  return file;
}

describe.each([
  ["tar.gz", (e: ArchiveEntry[]) => makeTar(e)],
  ["tar", (e: ArchiveEntry[]) => makeTar(e, { gzip: false })],
  ["zip", (e: ArchiveEntry[]) => makeZip(e)],
])("extractArchive (%s)", (_kind, make) => {
  test("extracts the wanted entries, keeping folders", async () => {
    const dir = tempDir();
    const names: string[] = [];
    const got = await extractArchive(archiveFile(make(entries)), dir, (n) => {
      names.push(n);
      return n !== "task.weights.h5";
    });
    expect(got.sort()).toEqual(["assets/tokenizer/vocabulary.spm", "config.json"]);
    expect(names).toContain("task.weights.h5");
    expect(readFileSync(path.join(dir, "assets/tokenizer/vocabulary.spm"), "utf8")).toBe("spm");
    expect(existsSync(path.join(dir, "task.weights.h5"))).toBe(false);
  });

  test.each([
    [{ name: "../evil.json", data: "x" }, /'\.\.'/],
    [{ name: "a/../../evil.json", data: "x" }, /'\.\.'/],
    [{ name: "/etc/evil.json", data: "x" }, /absolute/],
    [{ name: "link", type: "symlink", linkTarget: "/etc/passwd" }, /symbolic|SymbolicLink/],
  ] as [ArchiveEntry, RegExp][])("refuses the whole archive for %j", async (bad, pattern) => {
    const dir = tempDir();
    const error = await extractArchive(archiveFile(make([...entries, bad])), dir, () => true).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "unsafe_path", message: expect.stringMatching(pattern) });
    expect(existsSync(path.join(dir, "..", "evil.json"))).toBe(false);
  });
});

test("hard links in tar archives are refused", async () => {
  const file = archiveFile(
    makeTar([...entries, { name: "hard", type: "hardlink", linkTarget: "config.json" }]),
  );
  await expect(extractArchive(file, tempDir(), () => true)).rejects.toMatchObject({
    code: "unsafe_path",
  });
});

test("something that is not an archive", async () => {
  const file = archiveFile(Buffer.from("<html>not an archive</html>"));
  await expect(extractArchive(file, tempDir(), () => true)).rejects.toMatchObject({
    code: "corrupt_weights",
    message: expect.stringMatching(/neither a tar\(\.gz\) nor a zip/),
  });
});

test("a truncated tar.gz", async () => {
  const bytes = makeTar(entries);
  const file = archiveFile(bytes.subarray(0, bytes.length - 20));
  await expect(extractArchive(file, tempDir(), () => true)).rejects.toMatchObject({
    code: "corrupt_weights",
  });
});

test("archives made from a folder ('./' entries) extract normally", async () => {
  const file = archiveFile(
    makeTar([
      { name: "./", type: "directory" },
      { name: "./config.json", data: "{}" },
      { name: "./assets/", type: "directory" },
    ]),
  );
  const dir = tempDir();
  expect(await extractArchive(file, dir, () => true)).toEqual(["config.json"]);
});
