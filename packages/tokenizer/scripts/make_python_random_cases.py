"""Records what CPython's `random` module draws after `random.seed(seed)`, so that the tests of
src/masking/python-random.ts compare against the reference and not against themselves.

Writes packages/tokenizer/testdata/python-random.json:
  {"python": version, "cases": [{seed, draws: [{op, args, value}]}]}
with, per seed, an interleaved sequence of random(), randint(a, b) and shuffle(list(range(n)))
calls (the three calls KerasHub's MaskedLMMaskGenerator._call_python makes).

    python3 packages/tokenizer/scripts/make_python_random_cases.py
"""

import json
import pathlib
import random
import sys

SEEDS = [0, 1, 1234, 1235, -7, 2**32 - 1, 2**32 + 5, 2**53 - 1]
OUT = pathlib.Path(__file__).resolve().parent.parent / "testdata" / "python-random.json"


def draws_for(seed):
    rng = random.Random(seed)
    draws = []
    for step in range(40):
        kind = step % 4
        if kind in (0, 1):
            draws.append({"op": "random", "args": [], "value": rng.random()})
        elif kind == 2:
            high = [1, 999, 30_000, 2**31, 2**32 - 2][step % 5]
            draws.append({"op": "randint", "args": [0, high], "value": rng.randint(0, high)})
        else:
            items = list(range(step % 13))
            rng.shuffle(items)
            draws.append({"op": "shuffle", "args": [len(items)], "value": items})
    return draws


def main():
    cases = [{"seed": seed, "draws": draws_for(seed)} for seed in SEEDS]
    text = json.dumps({"python": sys.version.split()[0], "cases": cases})
    OUT.write_text(text + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
