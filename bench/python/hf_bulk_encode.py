"""HF transformers AlbertModel on PyTorch: mean-pooled sentence vectors for a file of sentences.

    python hf_bulk_encode.py --sentences FILE --vocabulary SPM --batch 32 --max-length 128

An albert-base-sized AlbertModel (random weights: speed does not depend on them) and an
AlbertTokenizer on the same SentencePiece model; batches in file order, each tokenized with
``padding=True, truncation=True, max_length``, run under ``torch.inference_mode()`` and
mean-pooled over the attention mask, as sentence-transformers does. Reports the time of the
whole pass (after one warm-up batch), tokenization included.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import emit, unavailable  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--sentences", required=True)
parser.add_argument("--vocabulary", required=True)
parser.add_argument("--batch", type=int, default=32)
parser.add_argument("--max-length", type=int, default=128)
args = parser.parse_args()

try:
    import torch
    import transformers
    from transformers import AlbertConfig, AlbertModel, AlbertTokenizer
except ImportError as error:
    unavailable(f"cannot import torch/transformers: {error}")

with open(args.sentences, encoding="utf-8") as f:
    sentences = [line.rstrip("\n") for line in f if line.strip()]

config = AlbertConfig(
    vocab_size=30000, embedding_size=128, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
    intermediate_size=3072, hidden_act="gelu_new", max_position_embeddings=512, type_vocab_size=2,
)
torch.manual_seed(0)
model = AlbertModel(config).eval()
tokenizer = AlbertTokenizer(vocab_file=args.vocabulary, do_lower_case=False)


def encode(batch):
    inputs = tokenizer(batch, padding=True, truncation=True, max_length=args.max_length, return_tensors="pt")
    out = model(**inputs).last_hidden_state
    mask = inputs["attention_mask"].unsqueeze(-1).to(out.dtype)
    return (out * mask).sum(1) / mask.sum(1).clamp(min=1)


with torch.inference_mode():
    encode(sentences[: args.batch])
    start = time.perf_counter()
    for i in range(0, len(sentences), args.batch):
        encode(sentences[i : i + args.batch])
    seconds = time.perf_counter() - start

emit({
    "seconds": seconds,
    "sentencesPerSecond": len(sentences) / seconds,
    "torch": torch.__version__,
    "transformers": transformers.__version__,
    "threads": torch.get_num_threads(),
})
