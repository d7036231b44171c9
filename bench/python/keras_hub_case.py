"""KerasHub's AlbertBackbone: one forward-pass case, or the preset load time, in a fresh
process. Runs only where ``import keras_hub`` works (KerasHub is not on the offline pip
index; point the harness at such an interpreter with ``--python``).

    python keras_hub_case.py --mode forward --backend tensorflow --preset DIR --batch 8 --seq 128 \
        --warmups 3 --runs 10 [--parity-dir HF_DIR]
    python keras_hub_case.py --mode load --backend tensorflow --preset DIR
    python keras_hub_case.py --mode forward ... --dtype bfloat16   (a KerasHub dtype policy)

forward: ``backbone.predict_on_batch`` (Keras' compiled predict function: tf.function on
TensorFlow, jax.jit on JAX), whose numpy outputs include the host copy.
load: the imports, then ``AlbertBackbone.from_preset(DIR)`` timed twice in the process.
"""

import argparse
import os
import sys
import time

_start = time.perf_counter()
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import (  # noqa: E402
    emit,
    import_keras_hub,
    keras_hub_versions,
    memory_figures,
    peak_rss_mb,
    rss_mb,
    time_calls,
    token_ids,
)

parser = argparse.ArgumentParser()
parser.add_argument("--mode", choices=["forward", "load"], required=True)
parser.add_argument("--backend", choices=["tensorflow", "jax", "torch"], default="tensorflow")
parser.add_argument("--preset", required=True)
parser.add_argument("--batch", type=int, default=1)
parser.add_argument("--seq", type=int, default=128)
parser.add_argument("--warmups", type=int, default=3)
parser.add_argument("--runs", type=int, default=10)
parser.add_argument("--parity-dir", default=None)
parser.add_argument(
    "--dtype", default=None, choices=["float32", "bfloat16", "float16", "mixed_bfloat16", "mixed_float16"]
)
args = parser.parse_args()

keras, keras_hub, np = import_keras_hub(args.backend)
import_ms = (time.perf_counter() - _start) * 1000

start = time.perf_counter()
backbone = keras_hub.models.AlbertBackbone.from_preset(args.preset, dtype=args.dtype)
load_ms = (time.perf_counter() - start) * 1000
rss_after_load = rss_mb()
versions = keras_hub_versions(args.backend, keras, keras_hub)

if args.mode == "load":
    start = time.perf_counter()
    keras_hub.models.AlbertBackbone.from_preset(args.preset)
    second_ms = (time.perf_counter() - start) * 1000
    emit(
        {
            "implementation": f"keras_hub_{args.backend}",
            "importMs": import_ms,
            "loadMs": load_ms,
            "secondLoadMs": second_ms,
            "rssAfterLoadMB": rss_after_load,
            "peakRssMB": peak_rss_mb(),
            "versions": versions,
        }
    )
    sys.exit(0)

ids = np.array(token_ids(args.batch, args.seq), dtype="int32")
inputs = {
    "token_ids": ids,
    "segment_ids": np.zeros_like(ids),
    "padding_mask": np.ones_like(ids),
}
first_outputs = {}


def forward():
    out = backbone.predict_on_batch(inputs)
    if not first_outputs:
        first_outputs.update(out)
    return out


timing = time_calls(forward, args.warmups, args.runs)

parity = None
if args.parity_dir:
    import json

    with open(os.path.join(args.parity_dir, "manifest.json"), encoding="utf-8") as f:
        ref = json.load(f)["parity"]
    if ref["seq"] == args.seq:
        hidden = first_outputs["sequence_output"].shape[-1]
        rows = min(ref["batch"], args.batch)
        seq_ref = np.fromfile(os.path.join(args.parity_dir, "parity", "sequence_output.f32"), dtype="<f4")
        pooled_ref = np.fromfile(os.path.join(args.parity_dir, "parity", "pooled_output.f32"), dtype="<f4")
        # 16-bit policies return bfloat16/float16 arrays: widened exactly.
        seq_ours = np.asarray(first_outputs["sequence_output"]).astype(np.float32)[:rows].reshape(-1)
        pooled_ours = np.asarray(first_outputs["pooled_output"]).astype(np.float32)[:rows].reshape(-1)
        parity = {
            "against": "hf_torch",
            "batch": rows,
            "seq": ref["seq"],
            "sequenceMaxAbsDiff": float(np.max(np.abs(seq_ours - seq_ref[: rows * ref["seq"] * hidden]))),
            "pooledMaxAbsDiff": float(np.max(np.abs(pooled_ours - pooled_ref[: rows * hidden]))),
        }

emit(
    {
        "implementation": f"keras_hub_{args.backend}",
        "dtype": backbone.dtype_policy.name,
        "batch": args.batch,
        "seq": args.seq,
        **timing,
        "importMs": import_ms,
        "loadMs": load_ms,
        "rssAfterLoadMB": rss_after_load,
        **memory_figures(),
        **({"parity": parity} if parity else {}),
        "versions": versions,
    }
)
