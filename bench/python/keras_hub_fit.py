"""KerasHub's AlbertTextClassifier: one fine-tuning case (``fit``) in a fresh process. Runs only
where ``import keras_hub`` works (see keras_hub_case.py).

    python keras_hub_fit.py --backend tensorflow --preset DIR --batch 8 --seq 128 --warmups 3 --runs 10

A 2-class classifier on ``AlbertBackbone.from_preset(DIR)`` (no preprocessor), compiled with
KerasHub's defaults (``AlbertTextClassifier.compile()``: Adam(1e-5), sparse categorical
cross-entropy from logits, sparse categorical accuracy; Keras resolves ``jit_compile="auto"``),
runs one ``fit`` epoch of ``warmups + runs`` batches of the forward cases' ids, labels
alternating 0 and 1, ``shuffle=False``. Each step's time runs from the end of the previous step
(or the start of training) to the end of its own, as a callback sees it. Mirrors
src/workers/tfjs-fit.ts.
"""

import argparse
import os
import statistics
import sys
import time

_start = time.perf_counter()
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import emit, import_keras_hub, keras_hub_versions, memory_figures, rss_mb, token_ids  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--backend", choices=["tensorflow", "jax", "torch"], default="tensorflow")
parser.add_argument("--preset", required=True)
parser.add_argument("--batch", type=int, default=8)
parser.add_argument("--seq", type=int, default=128)
parser.add_argument("--warmups", type=int, default=3)
parser.add_argument("--runs", type=int, default=10)
args = parser.parse_args()

keras, keras_hub, np = import_keras_hub(args.backend)
import_ms = (time.perf_counter() - _start) * 1000

start = time.perf_counter()
backbone = keras_hub.models.AlbertBackbone.from_preset(args.preset)
classifier = keras_hub.models.AlbertTextClassifier(backbone=backbone, num_classes=2, preprocessor=None)
load_ms = (time.perf_counter() - start) * 1000
rss_after_load = rss_mb()
versions = keras_hub_versions(args.backend, keras, keras_hub)

steps = args.warmups + args.runs
ids = np.array(token_ids(args.batch * steps, args.seq, backbone.vocabulary_size), dtype="int32")
x = {"token_ids": ids, "segment_ids": np.zeros_like(ids), "padding_mask": np.ones_like(ids)}
y = np.arange(len(ids)) % 2


class StepClock(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.start = 0.0
        self.ends = []
        self.losses = []

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.ends.append(time.perf_counter())
        self.losses.append(float(logs["loss"]))


def step_timing(start, ends, warmups, batch):
    """Mirrors stepTiming() in src/workers/step-timing.ts (milliseconds)."""
    times = [(end - (ends[i - 1] if i > 0 else start)) * 1000 for i, end in enumerate(ends)]
    timed = times[warmups:]
    median = statistics.median(timed)
    return {
        "firstStepMs": times[0],
        "warmups": warmups,
        "runs": len(timed),
        "stepTimesMs": timed,
        "medianStepMs": median,
        "minStepMs": min(timed),
        "samplesPerSecond": batch / (median / 1000),
    }


clock = StepClock()
classifier.fit(x, y, batch_size=args.batch, epochs=1, shuffle=False, verbose=0, callbacks=[clock])

emit(
    {
        "implementation": f"keras_hub_{args.backend}",
        "batch": args.batch,
        "seq": args.seq,
        **step_timing(clock.start, clock.ends, args.warmups, args.batch),
        "optimizer": f"{type(classifier.optimizer).__name__}({float(classifier.optimizer.learning_rate):g})",
        "jitCompile": bool(classifier.jit_compile),
        "firstLoss": clock.losses[0],
        "lastLoss": clock.losses[-1],
        "importMs": import_ms,
        "loadMs": load_ms,
        "rssAfterLoadMB": rss_after_load,
        **memory_figures(),
        "versions": versions,
    }
)
