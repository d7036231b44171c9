// An environment in which Jupyter reads and writes its per-user folders under `home` instead of
// the user's own: for registering the kernel in checks and tests without touching the user's
// Jupyter.

/* global process */
import path from "node:path";

/** `process.env` with Jupyter's per-user folders (and HOME) inside `home`. */
export function isolatedJupyterEnv(home) {
  return {
    ...process.env,
    HOME: home,
    JUPYTER_DATA_DIR: path.join(home, "jupyter"),
    JUPYTER_CONFIG_DIR: path.join(home, "jupyter-config"),
    JUPYTER_PATH: "",
  };
}
