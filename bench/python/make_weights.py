"""Writes the weights every implementation in the benchmark runs: a randomly initialized HF
transformers AlbertModel saved as safetensors, the same model exported to ONNX, and torch's
outputs on one input (the parity reference for the other implementations).

    python make_weights.py --out DIR --spec '{"vocabularySize": 30000, ...}' [--seed 0]

DIR receives config.json + model.safetensors (HF layout, loadable by
AlbertBackbone.fromPreset), model.onnx (TorchScript exporter, opset 17, dynamic batch and
sequence axes), parity/{sequence_output,pooled_output}.f32 (little-endian float32) and
manifest.json.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import emit, token_ids, unavailable  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--out", required=True)
parser.add_argument("--spec", required=True, help="the model spec (src/cases.ts) as JSON")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--parity-batch", type=int, default=1)
parser.add_argument("--parity-seq", type=int, default=128)
args = parser.parse_args()
spec = json.loads(args.spec)

try:
    import numpy as np
    import torch
    import transformers
    from transformers import AlbertConfig, AlbertModel
except Exception as e:  # noqa: BLE001 - any import failure means "not available"
    unavailable(f"torch/transformers not importable: {e}")

os.makedirs(os.path.join(args.out, "parity"), exist_ok=True)
torch.manual_seed(args.seed)

# albert-base-v2's settings (gelu_new = the tanh GELU KerasHub uses), sized by the spec.
config = AlbertConfig(
    vocab_size=spec["vocabularySize"],
    embedding_size=spec["embeddingDim"],
    hidden_size=spec["hiddenDim"],
    num_hidden_layers=spec["numLayers"],
    num_hidden_groups=spec["numGroups"],
    num_attention_heads=spec["numHeads"],
    intermediate_size=spec["intermediateDim"],
    inner_group_num=spec["numInnerRepetitions"],
    hidden_act="gelu_new",
    hidden_dropout_prob=0.0,
    attention_probs_dropout_prob=0.0,
    max_position_embeddings=spec["maxSequenceLength"],
    type_vocab_size=spec["numSegments"],
    initializer_range=0.02,
    layer_norm_eps=1e-12,
    pad_token_id=0,
    bos_token_id=2,
    eos_token_id=3,
)
model = AlbertModel(config).eval()
model.save_pretrained(args.out, safe_serialization=True)

# Parity reference: torch's outputs on the benchmark's input pattern.
batch, seq = args.parity_batch, min(args.parity_seq, spec["maxSequenceLength"])
ids = torch.tensor(token_ids(batch, seq), dtype=torch.long)
mask = torch.ones_like(ids)
segments = torch.zeros_like(ids)
with torch.inference_mode():
    out = model(input_ids=ids, attention_mask=mask, token_type_ids=segments)
out.last_hidden_state.numpy().astype("<f4").tofile(os.path.join(args.out, "parity", "sequence_output.f32"))
out.pooler_output.numpy().astype("<f4").tofile(os.path.join(args.out, "parity", "pooled_output.f32"))


class Wrapped(torch.nn.Module):
    """Tuple outputs with stable names for the exporter."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, input_ids, attention_mask, token_type_ids):
        o = self.inner(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            return_dict=False,
        )
        return o[0], o[1]


onnx_path = os.path.join(args.out, "model.onnx")
onnx_error = None
export_ms = None
try:
    # The exported graph uses plain (eager) attention ops; weights are the same tensors.
    eager = AlbertModel.from_pretrained(args.out, attn_implementation="eager").eval()
    start = time.perf_counter()
    axes = {0: "batch", 1: "sequence"}
    torch.onnx.export(
        Wrapped(eager),
        (ids, mask, segments),
        onnx_path,
        dynamo=False,
        opset_version=17,
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["last_hidden_state", "pooler_output"],
        dynamic_axes={
            "input_ids": axes,
            "attention_mask": axes,
            "token_type_ids": axes,
            "last_hidden_state": axes,
            "pooler_output": {0: "batch"},
        },
    )
    export_ms = (time.perf_counter() - start) * 1000
except Exception as e:  # noqa: BLE001 - reported, the ONNX peer is then unavailable
    onnx_error = f"{type(e).__name__}: {e}"
    if os.path.exists(onnx_path):
        os.remove(onnx_path)

manifest = {
    "seed": args.seed,
    "spec": spec,
    "parity": {"batch": batch, "seq": seq},
    "onnx": None if onnx_error else {"file": "model.onnx", "opset": 17, "exporter": "torchscript", "exportMs": export_ms},
    "onnxError": onnx_error,
    "versions": {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "numpy": np.__version__,
    },
}
with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as f:
    json.dump(manifest, f, indent=2)
emit(manifest)
