"""Writes testdata/keras/tiny_from_hf: testdata/hf/tiny_pretraining converted by KerasHub.

KerasHub's own HF converter (`keras_hub/src/utils/transformers/convert_albert.py`) loads the
transformers checkpoint and `save_to_preset` writes it as a KerasHub preset. Its weights are
the reference for @albert/presets' HF reader: converting testdata/hf/tiny (no prefix) and
testdata/hf/tiny_pretraining (`albert.` prefix, with heads) must give exactly these values.
(testdata/keras/tiny has the same dimensions but different random weights.)

Run with Keras 3 (TensorFlow backend), safetensors and KerasHub importable, from the
repository root:

    KERAS_BACKEND=tensorflow python packages/presets/scripts/make_hf_converted_fixture.py

Regenerating gives the same weights; `metadata.json`'s `date_saved` changes.
"""

import os
import shutil
import sys

import keras_hub

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SOURCE = os.path.join(ROOT, "testdata", "hf", "tiny_pretraining")
TARGET = os.path.join(ROOT, "testdata", "keras", "tiny_from_hf")


def main():
    backbone = keras_hub.models.AlbertBackbone.from_preset(SOURCE)
    if os.path.exists(TARGET):
        shutil.rmtree(TARGET)
    backbone.save_to_preset(TARGET)
    print(f"wrote {TARGET} ({backbone.count_params()} parameters)", file=sys.stderr)


if __name__ == "__main__":
    main()
