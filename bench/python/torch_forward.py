"""HF transformers AlbertModel on PyTorch: one forward-pass case in a fresh process.

    python torch_forward.py --dir HF_DIR --batch 8 --seq 128 --warmups 3 --runs 10 [--attn sdpa]
        [--dtype bfloat16|float16|mixed_bfloat16|mixed_float16]

Loads HF_DIR (config.json + model.safetensors) with from_pretrained, fp32 (with --dtype
bfloat16/float16: weights and compute in that dtype; mixed_*: float32 weights under
``torch.autocast("cpu", dtype)``, the closest torch has to Keras' mixed policies), and times
``model(...)`` under ``torch.inference_mode()`` with an all-ones attention mask. Reports the
import and load times, the first call, the median of the timed runs and the peak RSS.
"""

import argparse
import contextlib
import os
import sys
import time

_start = time.perf_counter()
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import emit, memory_figures, rss_mb, time_calls, token_ids, unavailable  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--dir", required=True)
parser.add_argument("--batch", type=int, required=True)
parser.add_argument("--seq", type=int, required=True)
parser.add_argument("--warmups", type=int, default=3)
parser.add_argument("--runs", type=int, default=10)
parser.add_argument("--attn", default="sdpa", choices=["sdpa", "eager"])
parser.add_argument(
    "--dtype", default="float32", choices=["float32", "bfloat16", "float16", "mixed_bfloat16", "mixed_float16"]
)
args = parser.parse_args()

try:
    import torch
    import transformers
    from transformers import AlbertModel
except Exception as e:  # noqa: BLE001
    unavailable(f"torch/transformers not importable: {e}")
import_ms = (time.perf_counter() - _start) * 1000

start = time.perf_counter()
compute = getattr(torch, args.dtype.removeprefix("mixed_"))
mixed = args.dtype.startswith("mixed_")
model = AlbertModel.from_pretrained(
    args.dir, attn_implementation=args.attn, dtype=torch.float32 if mixed else compute
).eval()
load_ms = (time.perf_counter() - start) * 1000
rss_after_load = rss_mb()

ids = torch.tensor(token_ids(args.batch, args.seq), dtype=torch.long)
mask = torch.ones_like(ids)
segments = torch.zeros_like(ids)


def forward():
    with torch.inference_mode(), torch.autocast("cpu", dtype=compute) if mixed else contextlib.nullcontext():
        out = model(input_ids=ids, attention_mask=mask, token_type_ids=segments)
    return out.last_hidden_state, out.pooler_output


timing = time_calls(forward, args.warmups, args.runs)
emit(
    {
        "implementation": f"hf_torch_{args.attn}",
        "dtype": args.dtype,
        "batch": args.batch,
        "seq": args.seq,
        **timing,
        "importMs": import_ms,
        "loadMs": load_ms,
        "rssAfterLoadMB": rss_after_load,
        **memory_figures(),
        "threads": f"torch.get_num_threads={torch.get_num_threads()}, interop={torch.get_num_interop_threads()}",
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
    }
)
