"""Helpers shared by the peer scripts of @albert/bench (imported by each, standard library only).

Every script prints exactly one result line, ``BENCH_RESULT <json>``, last on stdout; the
harness (src/child-process.ts) reads that line and ignores the rest. A script that finds its
library missing prints ``{"unavailable": "<why>"}`` and exits 0.
"""

import json
import os
import platform
import resource
import statistics
import sys
import time

VOCABULARY_SIZE = 30000


def token_id(b, s, vocabulary_size=VOCABULARY_SIZE):
    """The input every implementation runs: valid ids, a deterministic pattern.

    Mirrors tokenId() in src/cases.ts; change both together.
    """
    return (2 + 997 * b + 131 * s) % vocabulary_size


def token_ids(batch, seq, vocabulary_size=VOCABULARY_SIZE):
    return [[token_id(b, s, vocabulary_size) for s in range(seq)] for b in range(batch)]


def peak_rss_mb():
    """Peak resident set of this process (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_mb(field):
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def rss_mb():
    return _status_mb("VmRSS")


def memory_figures():
    """A forward case's memory: the peak RSS, and the private (anonymous) resident memory now,
    i.e. RSS without file-backed library pages (Linux)."""
    return {"peakRssMB": peak_rss_mb(), "anonRssMB": _status_mb("RssAnon")}


def time_calls(fn, warmups, runs):
    """Times ``fn`` ``warmups + runs`` times; the first call is reported separately."""
    times = []
    for _ in range(warmups + runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    timed = times[warmups:]
    return {
        "firstCallMs": times[0],
        "warmups": warmups,
        "runs": runs,
        "timesMs": timed,
        "medianMs": statistics.median(timed),
        "minMs": min(timed),
    }


def emit(result):
    result.setdefault("python", platform.python_version())
    result.setdefault("pid", os.getpid())
    sys.stdout.write("BENCH_RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()


def unavailable(reason):
    emit({"unavailable": reason})
    sys.exit(0)


def import_keras_hub(backend):
    """Imports Keras on ``backend``, KerasHub and numpy; a case without them reports itself
    unavailable. Returns ``(keras, keras_hub, numpy)``."""
    os.environ["KERAS_BACKEND"] = backend
    import importlib.util

    if importlib.util.find_spec("keras_hub") is None:
        unavailable("keras_hub is not installed in this Python (it is not on the offline pip index)")
    try:
        import keras
        import keras_hub
        import numpy
    except Exception as e:  # noqa: BLE001
        unavailable(f"keras_hub not importable on the {backend} backend: {type(e).__name__}: {e}")
    return keras, keras_hub, numpy


def keras_hub_versions(backend, keras, keras_hub):
    """Keras', KerasHub's and the backend's versions, for the result."""
    versions = {"keras": keras.__version__, "keras_hub": keras_hub.__version__}
    if backend == "tensorflow":
        import tensorflow

        versions["tensorflow"] = tensorflow.__version__
    elif backend == "jax":
        import jax

        versions["jax"] = jax.__version__
    return versions
