"""Checks a preset written by @albert/presets' writePreset against KerasHub.

    KERAS_BACKEND=tensorflow python packages/presets/scripts/check_written_preset.py WRITTEN REFERENCE

WRITTEN is a folder written by `writePreset`, REFERENCE a KerasHub-written preset with the
same config and weights (e.g. testdata/keras/tiny). The script compares:
1. `config.json` byte for byte, and `metadata.json`'s keys;
2. `model.weights.h5`: the same groups, datasets (shape, dtype, layout), attributes
   (names and values) and file-level attributes, read with h5py;
3. loading with KerasHub: `AlbertBackbone.from_preset(WRITTEN)` must succeed, and give
   the same weights and outputs as `from_preset(REFERENCE)` when the weights are the same.
Exits non-zero on any difference.
"""

import json
import os
import sys

import h5py
import numpy as np


def h5_items(path):
    items = {}
    with h5py.File(path, "r") as f:
        items["/"] = ("file", dict(f.attrs), f.libver)

        def visit(name, obj):
            attrs = {k: obj.attrs[k] for k in obj.attrs}
            if isinstance(obj, h5py.Dataset):
                layout = obj.id.get_create_plist().get_layout()
                items[name] = ("dataset", obj.shape, str(obj.dtype), obj.chunks, obj.compression, layout, attrs)
            else:
                items[name] = ("group", attrs)

        f.visititems(visit)
    return items


def main(written, reference):
    failures = []
    with open(os.path.join(written, "config.json"), "rb") as a, open(os.path.join(reference, "config.json"), "rb") as b:
        if a.read() != b.read():
            failures.append("config.json differs byte for byte")
    with open(os.path.join(written, "metadata.json")) as a, open(os.path.join(reference, "metadata.json")) as b:
        ma, mb = json.load(a), json.load(b)
        if list(ma) != list(mb):
            failures.append(f"metadata.json keys {list(ma)} != {list(mb)}")
        for key in ("parameter_count", "tasks"):
            if ma.get(key) != mb.get(key):
                failures.append(f"metadata.json {key}: {ma.get(key)} != {mb.get(key)}")

    wa = h5_items(os.path.join(written, "model.weights.h5"))
    wb = h5_items(os.path.join(reference, "model.weights.h5"))
    if sorted(wa) != sorted(wb):
        failures.append(f"h5 entries differ: only written {sorted(set(wa) - set(wb))}, only reference {sorted(set(wb) - set(wa))}")
    for name in sorted(set(wa) & set(wb)):
        a, b = wa[name], wb[name]
        if a[0] != b[0]:
            failures.append(f"{name}: {a[0]} vs {b[0]}")
        elif a[0] == "dataset" and a[1:6] != b[1:6]:
            failures.append(f"{name}: dataset {a[1:6]} vs {b[1:6]}")
        elif a[0] == "group" and a[1] != b[1]:
            # Keras' automatic names of the attention's softmax/dropout count up per session.
            auto = set(a[1].get("name", "").split("_")[0:1]) | set(b[1].get("name", "").split("_")[0:1])
            if not auto <= {"softmax", "dropout"}:
                failures.append(f"{name}: attrs {a[1]} vs {b[1]}")
        elif a[0] == "file" and (a[1] != b[1] or a[2] != b[2]):
            failures.append(f"file-level: attrs/libver {a[1:]} vs {b[1:]}")

    import keras_hub

    loaded = keras_hub.models.AlbertBackbone.from_preset(written)
    ref = keras_hub.models.AlbertBackbone.from_preset(reference)
    same_weights = all(np.array_equal(x.numpy(), y.numpy()) for x, y in zip(loaded.weights, ref.weights))
    print(f"KerasHub loaded {written}: {loaded.count_params()} params; weights identical to reference: {same_weights}")
    if same_weights:
        inputs = {
            "token_ids": np.array([[2, 5, 7, 3, 0]]),
            "segment_ids": np.array([[0, 0, 0, 0, 0]]),
            "padding_mask": np.array([[1, 1, 1, 1, 0]]),
        }
        diff = np.max(np.abs(loaded(inputs)["sequence_output"] - ref(inputs)["sequence_output"]))
        print(f"max |sequence_output difference| = {diff}")
        if diff != 0:
            failures.append(f"outputs differ by {diff}")

    for f in failures:
        print("DIFFERENCE:", f)
    print("OK" if not failures else f"{len(failures)} difference(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
