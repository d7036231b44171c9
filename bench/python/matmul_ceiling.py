"""The machine's fp32 matmul ceiling: numpy (OpenBLAS) on the matrix products of one ALBERT
encoder layer at a given number of tokens.

    OPENBLAS_CORETYPE= python matmul_ceiling.py --tokens 1024 --hidden 768 --intermediate 3072

The harness runs this with OPENBLAS_CORETYPE removed from the environment: where it is set
(as on these machines), OpenBLAS runs a slower kernel and the ceiling would be understated.
Reports GFLOP/s per product (median and best of --runs) and the layer mix: 4 H x H
projections and the two feed-forward products, weighted by their FLOPs.
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import emit, unavailable  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--tokens", type=int, default=1024)
parser.add_argument("--hidden", type=int, default=768)
parser.add_argument("--intermediate", type=int, default=3072)
parser.add_argument("--warmups", type=int, default=3)
parser.add_argument("--runs", type=int, default=10)
args = parser.parse_args()

try:
    import numpy as np
except Exception as e:  # noqa: BLE001
    unavailable(f"numpy not importable: {e}")

rng = np.random.default_rng(0)
t, h, i = args.tokens, args.hidden, args.intermediate
# (name, m, k, n, how many per layer)
products = [
    ("projection [T,H]x[H,H]", t, h, h, 4),
    ("ffn in [T,H]x[H,I]", t, h, i, 1),
    ("ffn out [T,I]x[I,H]", t, i, h, 1),
]
rows = []
mix_flops = 0.0
mix_seconds = 0.0
for name, m, k, n, count in products:
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    out = np.empty((m, n), dtype=np.float32)
    times = []
    for r in range(args.warmups + args.runs):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        elapsed = time.perf_counter() - start
        if r >= args.warmups:
            times.append(elapsed)
    flops = 2.0 * m * k * n
    med = statistics.median(times)
    rows.append(
        {
            "name": name,
            "shape": [m, k, n],
            "medianGflops": flops / med / 1e9,
            "bestGflops": flops / min(times) / 1e9,
        }
    )
    mix_flops += count * flops
    mix_seconds += count * med

blas = None
try:
    config = np.show_config(mode="dicts")
    blas = config.get("Build Dependencies", {}).get("blas")
except Exception:  # noqa: BLE001 - informational only
    pass


def openblas_corename():
    """The kernel OpenBLAS picked (e.g. SkylakeX, Zen, Haswell), from numpy's bundled library."""
    import ctypes
    import glob

    libs_dir = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for lib in glob.glob(os.path.join(libs_dir, "*openblas*")):
        try:
            handle = ctypes.CDLL(lib)
        except OSError:
            continue
        for symbol in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename"):
            fn = getattr(handle, symbol, None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                return fn().decode()
    return None


emit(
    {
        "tokens": t,
        "products": rows,
        "layerMixGflops": mix_flops / mix_seconds / 1e9,
        "numpy": np.__version__,
        "blas": blas,
        "openblasCoretype": os.environ.get("OPENBLAS_CORETYPE"),
        "openblasCorename": openblas_corename(),
        "runs": args.runs,
        "warmups": args.warmups,
    }
)
