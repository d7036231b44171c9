"""Writes testdata/keras/tiny_sharded: testdata/keras/tiny saved by KerasHub as sharded weights.

KerasHub's `save_to_preset(dir, max_shard_size=GB)` switches to Keras 3's sharded layout
(`model.weights.json` + `model_NNNNN.weights.h5`) when the weights exceed `max_shard_size`.
The tiny backbone has 14 KB of weights, so a 3200-byte limit (just above the largest variable) gives several shards, one layer's
variables sometimes split over two of them. The weights are tiny's, unchanged, so the
sharded preset must read to exactly tiny's WeightMap.

Run with Keras 3 (TensorFlow backend) and KerasHub importable, from the repository root:

    KERAS_BACKEND=tensorflow python packages/presets/scripts/make_sharded_fixture.py

Regenerating gives the same weights; `metadata.json`'s `date_saved` changes.
"""

import json
import os
import shutil
import sys

import keras_hub

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SOURCE = os.path.join(ROOT, "testdata", "keras", "tiny")
TARGET = os.path.join(ROOT, "testdata", "keras", "tiny_sharded")
MAX_SHARD_GB = 3200 / 1024**3


def main():
    backbone = keras_hub.models.AlbertBackbone.from_preset(SOURCE)
    if os.path.exists(TARGET):
        shutil.rmtree(TARGET)
    backbone.save_to_preset(TARGET, max_shard_size=MAX_SHARD_GB)
    with open(os.path.join(TARGET, "model.weights.json")) as f:
        index = json.load(f)
    shards = sorted({n for v in index["weight_map"].values() for n in (v if isinstance(v, list) else [v])})
    print(f"wrote {TARGET}: {len(shards)} shards, {len(index['weight_map'])} groups", file=sys.stderr)


if __name__ == "__main__":
    main()
