#!/usr/bin/env node
/**
 * `pnpm check:packs`: what `npm install @albert/<pkg>` would get, checked before publishing.
 *
 * For every public workspace package (packages/*), runs `pnpm pack` into a temporary folder
 * (pnpm rewrites `workspace:` ranges and adds the root LICENSE, as `pnpm publish` does) and
 * checks the tarball and its package.json:
 *   - the files: README.md, LICENSE, package.json; every `main`, `types`, `exports` and `bin`
 *     target; a `.d.ts` beside every `.js` in dist/; what each bin launcher imports;
 *     nothing from tests (`*.test.*`, `test-utils/`), sources, build info or node_modules;
 *   - the manifest: name, version, description, license Apache-2.0, repository (with this
 *     package's directory), engines.node, type module, exports, main, types, keywords, files,
 *     publishConfig.access public; no `workspace:` range and no dependency on a private
 *     workspace package left in it.
 * Then runs `changeset status` and checks that every pending changeset names a workspace
 * package and bumps no private one directly.
 *
 * Exits 1 with every problem listed; prints one line per package otherwise.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = (name) => path.join(ROOT, "node_modules", ".bin", name);
const problems = [];
const problem = (pkg, message) => problems.push(`${pkg}: ${message}`);

/** Every workspace package folder (pnpm-workspace.yaml's globs: one level, or a folder). */
function workspaceFolders() {
  const yaml = readFileSync(path.join(ROOT, "pnpm-workspace.yaml"), "utf8");
  const globs = [...yaml.matchAll(/^\s+-\s+["']?([^"'\s#]+)["']?\s*$/gm)].map((m) => m[1]);
  return globs
    .flatMap((glob) => {
      if (glob.endsWith("/*")) {
        const parent = path.join(ROOT, glob.slice(0, -2));
        return existsSync(parent) ? readdirSync(parent).map((name) => path.join(parent, name)) : [];
      }
      return [path.join(ROOT, glob)];
    })
    .filter((dir) => existsSync(path.join(dir, "package.json")));
}

const workspace = workspaceFolders().map((dir) => ({
  dir,
  manifest: JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")),
}));
const privateNames = new Set(
  workspace.filter((p) => p.manifest.private).map((p) => p.manifest.name),
);
const publicPackages = workspace.filter((p) => !p.manifest.private);

/** "./dist/index.js" → "dist/index.js". */
const rel = (target) => path.posix.normalize(target.replace(/^\.\//, ""));

/** Every file an `exports` map points at (conditions and subpaths, any depth). */
function exportTargets(exportsField) {
  if (typeof exportsField === "string") return [exportsField];
  if (exportsField === null || typeof exportsField !== "object") return [];
  return Object.values(exportsField).flatMap(exportTargets);
}

function checkManifest(name, manifest, folder) {
  const required = [
    "name",
    "version",
    "description",
    "license",
    "repository",
    "engines",
    "exports",
    "main",
    "types",
    "keywords",
    "files",
  ];
  for (const field of required)
    if (manifest[field] === undefined) problem(name, `package.json has no "${field}"`);
  if (manifest.license !== "Apache-2.0")
    problem(name, `license is ${JSON.stringify(manifest.license)}, expected "Apache-2.0"`);
  if (manifest.type !== "module")
    problem(name, `type is ${JSON.stringify(manifest.type)}, expected "module"`);
  if (typeof manifest.engines?.node !== "string") problem(name, "engines.node is missing");
  if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0)
    problem(name, "keywords are empty");
  if (manifest.publishConfig?.access !== "public")
    problem(name, 'publishConfig.access is not "public" (scoped packages are private by default)');
  const repo = manifest.repository;
  if (typeof repo?.url !== "string") problem(name, "repository.url is missing");
  const expectedDirectory = path.relative(ROOT, folder).split(path.sep).join("/");
  if (repo?.directory !== expectedDirectory)
    problem(
      name,
      `repository.directory is ${JSON.stringify(repo?.directory)}, expected "${expectedDirectory}"`,
    );
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith("workspace:"))
        problem(name, `packed ${field}.${dep} is still "${range}"`);
      if (privateNames.has(dep))
        problem(name, `${field} names the private package ${dep}, which is never published`);
    }
  }
}

function checkFiles(name, files, manifest) {
  const has = (file) => files.has(rel(file));
  for (const file of ["package.json", "README.md", "LICENSE"])
    if (!has(file)) problem(name, `${file} is not in the tarball`);
  const targets = [manifest.main, manifest.types, ...exportTargets(manifest.exports)].filter(
    Boolean,
  );
  for (const target of targets)
    if (!target.includes("*") && !has(target))
      problem(name, `${target} (main/types/exports) is not in the tarball`);
  const bins = typeof manifest.bin === "string" ? { [name]: manifest.bin } : (manifest.bin ?? {});
  for (const [command, target] of Object.entries(bins)) {
    if (!has(target)) problem(name, `bin ${command} → ${target} is not in the tarball`);
  }
  const js = [...files].filter((f) => f.startsWith("dist/") && f.endsWith(".js"));
  if (js.length === 0) problem(name, "dist/ has no .js files");
  for (const file of js) {
    if (!files.has(file.replace(/\.js$/, ".d.ts"))) problem(name, `${file} has no .d.ts beside it`);
  }
  for (const file of files) {
    if (/\.test\.|(^|\/)test-utils\//.test(file))
      problem(name, `test file ${file} is in the tarball`);
    if (file.startsWith("src/") || (file.endsWith(".ts") && !file.endsWith(".d.ts")))
      problem(name, `source file ${file} is in the tarball`);
    if (/\.tsbuildinfo$|(^|\/)node_modules\/|(^|\/)\.turbo\//.test(file))
      problem(name, `build leftover ${file} is in the tarball`);
  }
}

/** What a bin launcher imports (`import "../dist/main.js"`) must ship too. */
function checkLaunchers(name, files, manifest, unpacked) {
  const bins =
    typeof manifest.bin === "string" ? [manifest.bin] : Object.values(manifest.bin ?? {});
  for (const bin of bins) {
    const file = path.join(unpacked, rel(bin));
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    if (!text.startsWith("#!/usr/bin/env node"))
      problem(name, `${bin} does not start with #!/usr/bin/env node`);
    for (const [, spec] of text.matchAll(/import\s+(?:[^"']*from\s+)?["'](\.[^"']+)["']/g)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel(bin)), spec));
      if (!files.has(target)) problem(name, `${bin} imports ${spec}, which is not in the tarball`);
    }
  }
}

const work = mkdtempSync(path.join(tmpdir(), "albert-check-packs-"));
try {
  for (const { dir, manifest } of publicPackages) {
    const name = manifest.name;
    const dest = path.join(work, name.replace("/", "__"));
    const output = execFileSync(BIN("pnpm"), ["pack", "--pack-destination", dest], {
      cwd: dir,
      encoding: "utf8",
    });
    const tarball = readdirSync(dest).find((f) => f.endsWith(".tgz"));
    if (tarball === undefined) {
      problem(name, `pnpm pack wrote no tarball:\n${output}`);
      continue;
    }
    const archive = path.join(dest, tarball);
    const files = new Set(
      execFileSync("tar", ["-tzf", archive], { encoding: "utf8" })
        .split("\n")
        .filter(Boolean)
        .map((f) => f.replace(/^package\//, "")),
    );
    const unpacked = path.join(dest, "unpacked");
    execFileSync("mkdir", ["-p", unpacked]);
    execFileSync("tar", ["-xzf", archive, "-C", unpacked, "--strip-components=1"]);
    const packed = JSON.parse(readFileSync(path.join(unpacked, "package.json"), "utf8"));
    const before = problems.length;
    checkManifest(name, packed, dir);
    checkFiles(name, files, packed);
    checkLaunchers(name, files, packed, unpacked);
    const kb = (readFileSync(archive).length / 1024).toFixed(0);
    console.log(
      `${problems.length === before ? "ok  " : "FAIL"} ${tarball} (${files.size} files, ${kb} KB)`,
    );
  }

  // Changesets: every pending changeset must parse and name packages of this workspace.
  const statusFile = path.join(work, "changeset-status.json");
  try {
    execFileSync(BIN("changeset"), ["status", `--output=${statusFile}`], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: "pipe",
    });
    const status = JSON.parse(readFileSync(statusFile, "utf8"));
    const names = new Set(workspace.map((p) => p.manifest.name));
    for (const changeset of status.changesets) {
      for (const release of changeset.releases) {
        if (!names.has(release.name))
          problem(
            `.changeset/${changeset.id}.md`,
            `names ${release.name}, which is not in the workspace`,
          );
        if (privateNames.has(release.name))
          problem(`.changeset/${changeset.id}.md`, `bumps the private package ${release.name}`);
      }
      if (changeset.summary.trim() === "")
        problem(`.changeset/${changeset.id}.md`, "has no summary");
    }
    const bumps = status.releases.filter((r) => r.type !== "none" && !privateNames.has(r.name));
    console.log(
      `ok   changeset status: ${status.changesets.length} changesets; next: ${bumps.map((r) => `${r.name}@${r.newVersion}`).join(", ") || "nothing to release"}`,
    );
  } catch (error) {
    problem("changeset status", (error.stderr || error.stdout || error.message).toString().trim());
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`\n${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
console.log(`\nall ${publicPackages.length} public packages pack correctly`);
