"""Executes one notebook with nbclient and writes the executed copy, even when a cell fails.

Usage: python execute_notebook.py NOTEBOOK OUTPUT --cwd DIR --kernel-dir DIR [--timeout S]

Run by run-notebooks.mjs inside the venv it creates. Exit status: 0 when every cell ran,
1 when a cell failed (its message is printed), 2 when the kernel could not be used.

tslab reports an exception thrown in a timer, or a promise rejected with no handler, only as
`UncaughtException: ...` / `UnhandledPromiseRejection: ...` text on stderr, sent to whichever
cell ran last. Text that arrives while no cell runs would be dropped by nbclient, and a timer
that fires after the last cell would go unseen. So this script keeps that late output and, after
the last cell, runs one more (unsaved) cell that waits briefly for pending timers. The late
output goes into the executed copy's metadata (`albert.lateOutputs`) for the runner to check.
"""

import argparse
import os
import sys

import nbformat
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async

SETTLE_SOURCE = "await new Promise<void>((resolve) => setTimeout(resolve, 500));"


class LateOutputClient(NotebookClient):
    """A NotebookClient that keeps stream output arriving outside the running cell."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.late_outputs = []

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        # nbclient 0.11's loop, plus the `else` branch.
        assert self.kc is not None
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    return
            elif msg["msg_type"] == "stream":
                content = msg["content"]
                self.late_outputs.append(
                    {"while_cell": cell_index, "name": content.get("name"), "text": content.get("text", "")}
                )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("notebook")
    parser.add_argument("output")
    parser.add_argument("--cwd", required=True, help="the kernel's working directory")
    parser.add_argument("--kernel-dir", required=True, help="the project's tslab kernel spec")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell")
    args = parser.parse_args()

    # The kernel must be the project's own spec (JUPYTER_PATH), never one the user installed.
    try:
        spec = KernelSpecManager().get_kernel_spec("tslab")
    except NoSuchKernel:
        print("kernel spec 'tslab' not found: is JUPYTER_PATH set?", file=sys.stderr)
        return 2
    if os.path.realpath(spec.resource_dir) != os.path.realpath(args.kernel_dir):
        print(
            f"kernel spec 'tslab' resolved to {spec.resource_dir}, expected {args.kernel_dir}",
            file=sys.stderr,
        )
        return 2

    notebook = nbformat.read(args.notebook, as_version=4)
    # The committed notebook holds the outputs of its last run: start from none.
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    settle = nbformat.v4.new_code_cell(SETTLE_SOURCE)
    notebook.cells.append(settle)
    client = LateOutputClient(
        notebook,
        timeout=args.timeout,
        kernel_name="tslab",
        record_timing=True,
        # Without this the kernel starts in the caller's folder and workspace imports fail.
        resources={"metadata": {"path": args.cwd}},
    )
    status = 0
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        print(str(error), file=sys.stderr)
        status = 1
    finally:
        notebook.cells.remove(settle)
        late = client.late_outputs + [
            {"while_cell": "after the last cell", "name": o.get("name"), "text": o.get("text", "")}
            for o in settle.get("outputs", [])
            if o.get("output_type") == "stream"
        ]
        notebook.metadata.setdefault("albert", {})["lateOutputs"] = late
        nbformat.write(notebook, args.output)
    return status


if __name__ == "__main__":
    sys.exit(main())
