/* global process, console */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedJupyterEnv } from "./jupyter-home.mjs";

const SCRIPTS = path.dirname(fileURLToPath(import.meta.url));
const NOTEBOOKS_DIR = path.dirname(SCRIPTS);
const INSTALL = path.join(SCRIPTS, "install-kernel.mjs");
const TSLAB = path.join(NOTEBOOKS_DIR, "node_modules", ".bin", "tslab");
const IS_WINDOWS = process.platform === "win32";
const SYSTEM_PYTHON = process.env.PYTHON ?? (IS_WINDOWS ? "python" : "python3");
/** `pnpm notebooks` makes this venv; its requirements include Jupyter and IPython. */
const NOTEBOOKS_PYTHON = path.join(
  NOTEBOOKS_DIR,
  ".venv",
  IS_WINDOWS ? "Scripts/python.exe" : "bin/python",
);

const tmp = mkdtempSync(path.join(tmpdir(), "albert-kernel-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the wrapper with Jupyter's user folders inside `tmp`, never the user's own. */
function install(args, home) {
  mkdirSync(home, { recursive: true });
  const result = spawnSync(process.execPath, [INSTALL, ...args], {
    encoding: "utf8",
    env: isolatedJupyterEnv(home),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function hasJupyter(python) {
  if (!existsSync(python)) return false;
  return spawnSync(python, ["-c", "import jupyter_client, IPython"]).status === 0;
}

describe("pnpm notebooks:kernel", () => {
  it("fails with a message, writing nothing, for a Python without Jupyter", () => {
    // A bare venv: a working Python with nothing installed in it.
    const venv = path.join(tmp, "bare-venv");
    const made = spawnSync(SYSTEM_PYTHON, ["-m", "venv", "--without-pip", venv]);
    expect(made.status, String(made.stderr)).toBe(0);
    const python = path.join(venv, IS_WINDOWS ? "Scripts/python.exe" : "bin/python");
    const home = path.join(tmp, "home-bare");
    const r = install(["--python", python], home);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `notebooks:kernel: ${python} has no Jupyter: jupyter_client is not importable`,
    );
    expect(r.stderr).toContain(`${python} -m pip install jupyterlab`);
    expect(existsSync(path.join(home, "jupyter", "kernels"))).toBe(false);
  });

  it("fails with a message for a Python that does not run", () => {
    const r = install(["--python", path.join(tmp, "no-such-python")], path.join(tmp, "home-none"));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^notebooks:kernel: cannot run .*no-such-python \(.*ENOENT\): name the Python your Jupyter runs in with --python/,
    );
  });

  it("refuses unknown arguments", () => {
    const r = install(["--prefix", "/tmp"], path.join(tmp, "home-args"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('unknown argument "--prefix"');
  });

  it.skipIf(!hasJupyter(NOTEBOOKS_PYTHON))(
    "registers this checkout's tslab with a Python that has Jupyter (notebooks/.venv, made by `pnpm notebooks`)",
    () => {
      const home = path.join(tmp, "home-jupyter");
      const r = install(["--python", NOTEBOOKS_PYTHON], home);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const spec = JSON.parse(
        readFileSync(path.join(home, "jupyter", "kernels", "tslab", "kernel.json"), "utf8"),
      );
      expect(spec).toMatchObject({
        argv: [TSLAB, "kernel", "--config-path", "{connection_file}"],
        display_name: "TypeScript",
      });
      expect(r.stdout).toContain('Registered the "tslab" kernel (shown as "TypeScript")');
    },
  );
  if (!hasJupyter(NOTEBOOKS_PYTHON)) {
    console.warn(
      `skipped the successful registration: ${NOTEBOOKS_PYTHON} has no Jupyter (run \`pnpm notebooks\` to make it)`,
    );
  }
});
