"""Trains small SentencePiece models that exercise what the ALBERT fixtures do not (BPE, byte
fallback, WORD and CHAR models, whitespace options, several user-defined symbols) and records
what the SentencePiece C++ library (python `sentencepiece`) gives on a set of strings.

Writes packages/tokenizer/testdata/models/<name>.model and
packages/tokenizer/testdata/models/<name>.cases.json:
  [{text, ids, pieces, decoded, normalized, offsets: [[start, end], ...]}]   (offsets in UTF-16 units,
  converted from the library's byte offsets), plus {"decodes": [{ids, decoded}]}.

Also writes testdata/long-text.json: a ~360 KB text (a sentence repeated, then a suffix) through
the casefold fixture model, as a count, a SHA-256 of the ids and the last ids. Its running path
score passes 100000, where the C++ library re-bases scores to keep float32 precision; without
that, the suffix segments differently.

Also writes testdata/fixture-offsets.json: the same offsets for the committed ALBERT fixture
models (testdata/tokenizer and testdata/tokenizer/casefold).

    python3 packages/tokenizer/scripts/make_extra_models.py

The training corpus is the docstrings of a fixed list of CPython standard-library modules, so the
exact models depend on the Python version; the committed models and cases are the reference.
"""

import hashlib
import importlib
import inspect
import io
import json
import random
import sys
from pathlib import Path

import sentencepiece as spm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_reference import random_text  # noqa: E402

PACKAGE = Path(__file__).resolve().parent.parent
REPO = PACKAGE.parent.parent
OUT = PACKAGE / "testdata" / "models"

MODULES = ["argparse", "collections", "csv", "datetime", "decimal", "difflib", "email.message",
           "fractions", "functools", "gettext", "heapq", "inspect", "json", "logging", "pathlib",
           "pickle", "random", "re", "shutil", "statistics", "string", "textwrap", "typing",
           "unittest", "urllib.parse", "zipfile"]

ALBERT_SPECIALS = dict(pad_id=0, unk_id=1, bos_id=2, eos_id=3, pad_piece="<pad>", unk_piece="<unk>",
                       bos_piece="[CLS]", eos_piece="[SEP]")

MODELS = {
    # BPE with NFKC normalization, ALBERT's special pieces.
    "bpe_nfkc": dict(model_type="bpe", vocab_size=600, normalization_rule_name="nmt_nfkc",
                     user_defined_symbols=["[MASK]"], **ALBERT_SPECIALS),
    # Unigram with byte fallback (unknown characters become <0xNN> pieces), digits split.
    "unigram_byte_fallback": dict(model_type="unigram", vocab_size=700, byte_fallback=True,
                                  split_digits=True, normalization_rule_name="identity",
                                  user_defined_symbols=["[MASK]"], **ALBERT_SPECIALS),
    # BPE with byte fallback.
    "bpe_byte_fallback": dict(model_type="bpe", vocab_size=600, byte_fallback=True,
                              normalization_rule_name="identity",
                              user_defined_symbols=["[MASK]"], **ALBERT_SPECIALS),
    # Whitespace options: no dummy prefix, extra whitespace kept, whitespace as suffix, several
    # user-defined symbols (one a prefix of another, one a plain word).
    "unigram_ws_options": dict(model_type="unigram", vocab_size=500, add_dummy_prefix=False,
                               remove_extra_whitespaces=False, treat_whitespace_as_suffix=True,
                               normalization_rule_name="identity",
                               user_defined_symbols=["[MASK]", "[MASK]]", "<sep/>", "the"],
                               control_symbols=["<ctrl>"], **ALBERT_SPECIALS),
    "word": dict(model_type="word", vocab_size=300, normalization_rule_name="identity",
                 user_defined_symbols=["[MASK]"], **ALBERT_SPECIALS),
    "char": dict(model_type="char", normalization_rule_name="identity",
                 user_defined_symbols=["[MASK]"], vocab_size=120, **ALBERT_SPECIALS),
    # Not an ALBERT vocabulary: no [MASK] piece (AlbertTokenizer must refuse it).
    "word_no_mask": dict(model_type="word", vocab_size=100, normalization_rule_name="identity",
                         **ALBERT_SPECIALS),
}

FIXED_STRINGS = [
    "", " ", "   ", "a", "The quick brown fox jumps over the lazy dog.",
    "  leading and   inner   and trailing  ", "tabs\tand\nnewlines\r\n",
    "[MASK] is [MASK]] and <sep/> and <ctrl> and [CLS] [SEP] <pad> <unk>",
    "the other theme", "Numbers 1234567890 and 3.14159 and 1,000,000,",
    "東京 😀 👨‍👩‍👧 ünïcödé Ｆｕｌｌ ﬁle ①", "é vs e\u0301", "\x00\x01\x7f\u200b\ufeff",
    "▁ already escaped ▁▁", "<0x41> <0xZZ>", "x" * 50, "ab" * 30,
    "def function(argument=None):\n    return argument",
]


def corpus():
    lines = []
    for name in MODULES:
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module):
            doc = inspect.getdoc(obj)
            if doc:
                lines.extend(line.strip() for line in doc.splitlines() if line.strip())
    return lines


def utf16_offsets(text):
    """UTF-16 index for each UTF-8 byte offset of text (and its end)."""
    out = []
    units = 0
    for ch in text:
        n = len(ch.encode("utf-8"))
        out.extend([units] * n)
        units += 2 if ord(ch) > 0xFFFF else 1
    out.append(units)
    return out


def cases_for(sp, strings):
    cases = []
    for text in strings:
        ids = sp.encode(text)
        proto = sp.encode(text, return_type="proto")
        to16 = utf16_offsets(text)
        cases.append({
            "text": text,
            "ids": ids,
            "pieces": sp.encode(text, out_type=str),
            "decoded": sp.decode(ids),
            "normalized": sp.normalize(text),
            "offsets": [[to16[p.begin], to16[p.end]] for p in proto.pieces],
        })
    return cases


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    lines = corpus()
    rng = random.Random(20240101)
    strings = FIXED_STRINGS + [random_text(rng) for _ in range(120)]
    for name, options in MODELS.items():
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=model,
                                       num_threads=1, character_coverage=1.0,
                                       hard_vocab_limit=False, **options)
        (OUT / f"{name}.model").write_bytes(model.getvalue())
        sp = spm.SentencePieceProcessor(model_proto=model.getvalue())
        drng = random.Random(7)
        vocab = sp.get_piece_size()
        decodes = []
        for _ in range(40):
            ids = [drng.randrange(vocab) for _ in range(drng.randrange(0, 12))]
            decodes.append({"ids": ids, "decoded": sp.decode(ids)})
        info = {"generator": "packages/tokenizer/scripts/make_extra_models.py",
                "sentencepiece": spm.__version__, "python": sys.version.split()[0],
                "options": {k: v for k, v in options.items()}}
        (OUT / f"{name}.cases.json").write_text(json.dumps(
            {"info": info, "cases": cases_for(sp, strings), "decodes": decodes},
            ensure_ascii=False, indent=0) + "\n")
        print(f"{name}: {vocab} pieces, {len(model.getvalue())} bytes")

    long_text = {"model": "testdata/tokenizer/casefold/assets/tokenizer/vocabulary.spm",
                 "repeat": "the quick brown fox jumps over the lazy dog. ", "times": 8000,
                 "suffix": "so Albert Einstein and albert, albert. Albert"}
    sp = spm.SentencePieceProcessor(model_file=str(REPO / long_text["model"]))
    ids = sp.encode(long_text["repeat"] * long_text["times"] + long_text["suffix"])
    long_text.update({"count": len(ids),
                      "sha256": hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest(),
                      "tail": ids[-40:], "sentencepiece": spm.__version__,
                      "generator": "packages/tokenizer/scripts/make_extra_models.py"})
    (PACKAGE / "testdata" / "long-text.json").write_text(json.dumps(long_text, indent=1) + "\n")

    fixture_offsets = {}
    for rel in ["testdata/tokenizer", "testdata/tokenizer/casefold"]:
        sp = spm.SentencePieceProcessor(model_file=str(REPO / rel / "assets/tokenizer/vocabulary.spm"))
        texts = [c["text"] for c in json.loads((REPO / rel / "tokenizer_cases.json").read_text())]
        fixture_offsets[rel] = cases_for(sp, texts + strings)
    (PACKAGE / "testdata" / "fixture-offsets.json").write_text(
        json.dumps({"generator": "packages/tokenizer/scripts/make_extra_models.py",
                    "sentencepiece": spm.__version__, "models": fixture_offsets},
                   ensure_ascii=False, indent=0) + "\n")


if __name__ == "__main__":
    main()
