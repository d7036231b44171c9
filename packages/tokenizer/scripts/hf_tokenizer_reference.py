"""Reference side of the HF tokenizer.json check (see compare-hf-tokenizer.mjs).

Writes, as JSON, what HF's own code gives for random unicode-heavy texts, pairs, truncation
with stride and overflow, padding, batches and decoding, on several tokenizer setups:

- transformers 5 `AutoTokenizer.from_pretrained(dir)` on the committed fixture directories
  (testdata/tasks/hf/<head>: tokenizer.json + tokenizer_config.json) and on variants of them:
  `cased` (re-saved by transformers with do_lower_case=False, keep_accents=True) and
  `v4_config` (the fixture's tokenizer.json with a transformers-v4 style tokenizer_config.json:
  [MASK] with lstrip, clean_up_tokenization_spaces, added normalized / single_word / rstrip
  tokens, one beyond the vocabulary);
- the `tokenizers` library alone (`Tokenizer.from_str`) on the fixture's tokenizer.json and on
  a variant with other normalizers and added tokens (`raw_variant`). Run next to tokenizers
  0.22 (which has no transformers 5), these setups get an `@0.22.2` suffix and check
  `earlyTruncationExit: false` (0.22 tokenizes all of a truncated text); merge that run into
  the main one with --include.

Variant files that share the fixture's vocabulary and charsmap are stored without them (the
script checks they are equal); the reader copies them back from the fixture's tokenizer.json.

    pip install --retries 0 transformers tokenizers sentencepiece        # venv A
    pip install --retries 0 "tokenizers==0.22.2" sentencepiece             # venv B
    # the committed golden file the tests check:
    B/python3 hf_tokenizer_reference.py --count 25 --seed 8 --out /tmp/hf-0.22.json
    A/python3 hf_tokenizer_reference.py --count 25 --seed 7 --include /tmp/hf-0.22.json \
        --out ../testdata/hf-tokenizer-cases.json
    # a large fuzz run (what compare-hf-tokenizer.mjs does):
    python3 hf_tokenizer_reference.py --count 3000 --seed 1 --out /tmp/hf-cases.json
    # an extra tokenizer.json generated from a SentencePiece model (e.g. the 30k fixture):
    python3 hf_tokenizer_reference.py --count 2000 --spm path/to/vocabulary.spm --out /tmp/x.json
"""

import argparse
import copy
import json
import random
import sys
import tempfile
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

import tokenizers  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

try:  # Without transformers (e.g. next to an older tokenizers), only the raw setups run.
    import transformers
    from transformers import AlbertTokenizer, AutoTokenizer

    transformers.logging.set_verbosity_error()
except ImportError:
    transformers = None

TOKENIZERS_VERSION = tuple(int(x) for x in tokenizers.__version__.split(".")[:3])
# tokenizers 0.23.1 started to stop tokenizing at max_length when truncating.
EARLY_EXIT = TOKENIZERS_VERSION >= (0, 23, 1)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_reference import random_code_point, random_text  # noqa: E402  (the SentencePiece fuzz's corpus)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent.parent
FIXTURES = REPO / "testdata" / "tasks" / "hf"
HEADS = ["masked_lm", "token_classification"]

EXTRA_TEXTS = [
    "",
    " ",
    "the license [MASK] applies.",
    "license [MASK] applies",
    "[MASK][MASK] x[MASK]y [CLS]text[SEP] <pad> <unk>",
    "``quoted'' and ``more``''",
    "Héllo Wörld! Ça va? naïve café résumé Straße İstanbul",
    "  leading and   trailing   ",
    "東京は日本の首都です。 中文 한국어",
    "emoji 👍🏽 👨‍👩‍👧‍👦 🇯🇵 ❤️",
    "\u0001control\u0002 chars\u007f\ttab\nnewline\r\nwin",
    "ｆｕｌｌｗｉｄｔｈ ＜pad＞ ①②③ ﬁﬂ ½",
    "Hello World hello world HELLO WORLD",
    "wordhello world helloworld",
    "Ａ\u0301 ｅ\u0301\u0323 a\u0301 \r\n \u1100\u1161\u11a8 \U0001F1EF\U0001F1F5 ﾊﾟ ｶﾞ",
]

# Pieces that meet the Precompiled normalizer's grapheme rule: a cluster shorter than 6 UTF-8
# bytes is replaced by the rule of its shortest matching prefix.
QUIRKS = ["Ａ", "ｅ", "①", "ﬁ", "½", "ﾊ", "ｶ", "\u3000", "\t", "\r", "\n", "\r\n", "\u0301",
          "\u0323", "\u0308", "\u0327", "\u20e3", "\ufe0f", "\u200d", "\u1100", "\u1161",
          "\u11a8", "\U0001F1EF", "\U0001F1F5", "\U0001F44D", "\U0001F3FD", "ﾞ", "ﾟ", "e", "a",
          "\u0e01", "\u0e31", "\u0915", "\u094d", "\u0937", "\u0000", "\u00ad", "\u2581",
          "[MASK]", "<pad>", " ", "  ", "``", "''", "Σ", "İ", "ǅ", "ß"]


def quirk_text(rng):
    return "".join(rng.choice(QUIRKS) for _ in range(rng.randrange(0, 16)))


def code_point_soup(rng):
    """Any assigned code points, with spaces."""
    return "".join(random_code_point(rng) if rng.random() < 0.8 else " " for _ in range(rng.randrange(1, 24)))


def chunks_of(encoding):
    """[main, *overflowing] of a tokenizers Encoding, as plain fields."""
    out = []
    for e in [encoding] + list(encoding.overflowing):
        out.append({
            "ids": e.ids,
            "tokens": e.tokens,
            "offsets": [list(o) for o in e.offsets],
            "typeIds": e.type_ids,
            "attentionMask": e.attention_mask,
            "specialTokensMask": e.special_tokens_mask,
            "sequenceIds": e.sequence_ids,
            "wordIds": e.word_ids,
        })
    return out


def hf_call(tok, inputs, options, batch):
    """transformers' tokenizer(...) with our option names; the encodings it returns."""
    kwargs = {
        "add_special_tokens": options.get("addSpecialTokens", True),
        "return_overflowing_tokens": options.get("returnOverflowingTokens", False),
        "stride": options.get("stride", 0),
    }
    for ours, theirs in [("truncation", "truncation"), ("maxLength", "max_length"),
                         ("padding", "padding"), ("padToMultipleOf", "pad_to_multiple_of"),
                         ("paddingSide", "padding_side")]:
        if ours in options:
            kwargs[theirs] = options[ours]
    old_side = tok.truncation_side
    if "truncationSide" in options:
        tok.truncation_side = options["truncationSide"]
    try:
        if batch:
            # A list mixing texts and (text, pair) tuples goes to the backend as one batch.
            batch_inputs = [i if isinstance(i, str) else tuple(i) for i in inputs]
            result = tok._encode_plus(batch_inputs, **_plus_kwargs(tok, kwargs))
        else:
            text, pair = inputs
            result = tok(text, pair, **kwargs)
    finally:
        tok.truncation_side = old_side
    encodings = result.encodings
    # Group the flat list back per input: main + its overflowing.
    grouped = []
    i = 0
    while i < len(encodings):
        e = encodings[i]
        n = 1 + (len(e.overflowing) if kwargs["return_overflowing_tokens"] else 0)
        group = chunks_of(e)[:n]
        grouped.append(group)
        i += n
    return grouped


def _plus_kwargs(tok, kwargs):
    padding, truncation, max_length, extra = tok._get_padding_truncation_strategies(
        padding=kwargs.get("padding", False), truncation=kwargs.get("truncation"),
        max_length=kwargs.get("max_length"), pad_to_multiple_of=kwargs.get("pad_to_multiple_of"))
    return {
        "add_special_tokens": kwargs["add_special_tokens"], "padding_strategy": padding,
        "truncation_strategy": truncation, "max_length": max_length, "stride": kwargs["stride"],
        "pad_to_multiple_of": kwargs.get("pad_to_multiple_of"), "padding_side": kwargs.get("padding_side"),
        "return_overflowing_tokens": kwargs["return_overflowing_tokens"],
    }


_raw_tokenizers = {}


def raw_call(tok_json, inputs, options, batch):
    """The tokenizers library alone: enable_truncation / encode(_batch)."""
    tok = _raw_tokenizers.get(tok_json)
    if tok is None:
        tok = _raw_tokenizers[tok_json] = Tokenizer.from_str(tok_json)
    tok.no_padding()
    if "maxLength" in options:
        tok.enable_truncation(options["maxLength"], stride=options.get("stride", 0),
                              strategy=options.get("truncation", "longest_first"),
                              direction=options.get("truncationSide", "right"))
    else:
        tok.no_truncation()
    add = options.get("addSpecialTokens", True)
    if batch:
        encs = tok.encode_batch([i if isinstance(i, str) else tuple(i) for i in inputs], add_special_tokens=add)
    else:
        text, pair = inputs
        encs = [tok.encode(text, pair, add_special_tokens=add)]
    return [chunks_of(e) for e in encs]


def raw_options(options):
    """Options for the tokenizers library alone: no padding (no pad token without a config)."""
    for key in ("padding", "padToMultipleOf", "paddingSide"):
        options.pop(key, None)
    options["returnOverflowingTokens"] = True
    if not EARLY_EXIT:
        options["earlyTruncationExit"] = False


def random_options(rng, added, pair):
    o = {}
    kind = rng.random()
    if kind < 0.45:
        return o
    o["returnOverflowingTokens"] = rng.random() < 0.8
    strategies = ["longest_first", "only_first"] + (["only_second"] if pair else [])
    o["truncation"] = rng.choice(strategies)
    o["maxLength"] = rng.randrange(added + 1, added + 40)
    o["stride"] = rng.choice([0, 0, 1, 2, 3, 5, 8, 16])
    if rng.random() < 0.3:
        o["truncationSide"] = "left"
    if rng.random() < 0.1:
        o["addSpecialTokens"] = False
    r = rng.random()
    if r < 0.3:
        o["padding"] = "max_length"
    elif r < 0.5:
        o["padding"] = "longest"
    if "padding" in o and rng.random() < 0.2:
        o["padToMultipleOf"] = rng.choice([1, 2, 8])
        if o["padding"] == "max_length" or rng.random() < 0.5:
            o["maxLength"] += (-o["maxLength"]) % o["padToMultipleOf"]
    if "padding" in o and rng.random() < 0.2:
        o["paddingSide"] = "left"
    return o


def long_text(rng):
    return " ".join(random_text(rng) for _ in range(rng.randrange(2, 6)))


def make_cases(rng, setup, count):
    cases = []
    loader, tok = setup["loader"], setup["tok"]
    def some_text():
        r = rng.random()
        if r < 0.45:
            return random_text(rng)
        if r < 0.6:
            return quirk_text(rng)
        if r < 0.7:
            return code_point_soup(rng)
        return long_text(rng)

    texts = EXTRA_TEXTS + [some_text() for _ in range(count)]
    for text in texts:
        pair = None
        if rng.random() < 0.4:
            pair = random_text(rng) if rng.random() < 0.6 else long_text(rng)
            if loader == "tokenizers" and pair == "":
                pair = "x"
        added = 5 if pair is not None else 3
        options = random_options(rng, added, pair is not None)
        if loader == "tokenizers":
            raw_options(options)
        case = {"setup": setup["name"], "kind": "encode", "text": text, "options": options}
        if pair is not None:
            case["textPair"] = pair
        try:
            call = hf_call if loader == "transformers" else raw_call
            result = call(setup["tok"], (text, pair), options, False)
            case["expected"] = result[0]
        except Exception as error:  # noqa: BLE001 (a Rust panic is not an Exception subclass)
            case["error"] = f"{type(error).__name__}: {error}"
        except BaseException as error:  # pyo3 PanicException
            case["error"] = f"{type(error).__name__}: {error}"
        cases.append(case)

        if rng.random() < 0.15:
            inputs = [random_text(rng) if rng.random() < 0.6 else [random_text(rng) or "y", random_text(rng) or "z"]
                      for _ in range(rng.randrange(2, 5))]
            options = random_options(rng, 5, False)
            if loader == "tokenizers":
                raw_options(options)
            case = {"setup": setup["name"], "kind": "batch", "inputs": inputs, "options": options}
            try:
                call = hf_call if loader == "transformers" else raw_call
                case["expected"] = call(setup["tok"], inputs, options, True)
            except BaseException as error:  # noqa: BLE001
                case["error"] = f"{type(error).__name__}: {error}"
            cases.append(case)

        if loader == "transformers" and rng.random() < 0.3:
            ids = tok(text)["input_ids"]
            size = len(tok)
            if rng.random() < 0.5:
                ids = [rng.randrange(size) for _ in range(rng.randrange(0, 12))]
            skip = rng.random() < 0.5
            tokens = tok.convert_ids_to_tokens(ids)
            cases.append({
                "setup": setup["name"], "kind": "decode", "ids": ids, "skipSpecialTokens": skip,
                "expected": tok.decode(ids, skip_special_tokens=skip),
                "tokens": tokens, "tokensString": tok.convert_tokens_to_string(tokens),
            })
    return cases


def strip_shared(tok_json, base_json):
    """tok_json without the vocabulary and charsmap when they equal base_json's."""
    out = copy.deepcopy(tok_json)
    assert out["model"]["vocab"] == base_json["model"]["vocab"], "vocabulary differs from the fixture's"
    out["model"]["vocab"] = None
    base_map = precompiled(base_json["normalizer"])
    for n in walk_normalizers(out["normalizer"]):
        if n.get("type") == "Precompiled":
            assert n["precompiled_charsmap"] == base_map, "charsmap differs from the fixture's"
            n["precompiled_charsmap"] = None
    return out


def walk_normalizers(n):
    if n is None:
        return []
    if n.get("type") == "Sequence":
        return [x for m in n["normalizers"] for x in walk_normalizers(m)]
    return [n]


def precompiled(n):
    for m in walk_normalizers(n):
        if m.get("type") == "Precompiled":
            return m["precompiled_charsmap"]
    return None


def v4_config(base_config):
    config = dict(base_config)
    flags = {"single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
    decoder = {str(i): {"content": c, **flags} for i, c in enumerate(["<pad>", "<unk>", "[CLS]", "[SEP]"])}
    decoder["4"] = {"content": "[MASK]", **flags, "lstrip": True}
    decoder["1000"] = {"content": "<new>", **flags, "rstrip": True}
    decoder["1001"] = {"content": "Hello World", **flags, "normalized": True, "special": False}
    decoder["1002"] = {"content": "hello", **flags, "single_word": True, "special": False}
    config["added_tokens_decoder"] = decoder
    config["clean_up_tokenization_spaces"] = True
    config["mask_token"] = {"__type": "AddedToken", "content": "[MASK]", **flags, "lstrip": True}
    config.pop("extra_special_tokens", None)
    return config


def raw_variant(base_json):
    """The fixture's tokenizer.json with other normalizers and more added tokens (as JSON, so
    that the vocabulary keeps its exact text)."""
    variant = copy.deepcopy(base_json)
    variant["normalizer"] = {"type": "Sequence", "normalizers": [
        {"type": "Replace", "pattern": {"String": "``"}, "content": '"'},
        {"type": "Strip", "strip_left": True, "strip_right": False},
        {"type": "NFD"},
        {"type": "Precompiled", "precompiled_charsmap": precompiled(base_json["normalizer"])},
        {"type": "Nmt"},
    ]}
    flags = {"single_word": False, "lstrip": False, "rstrip": False, "normalized": True, "special": False}
    variant["added_tokens"] = base_json["added_tokens"] + [
        {"id": 1000, "content": "Hello World", **flags},
        {"id": 1001, "content": "hello", **flags, "single_word": True},
        {"id": 1002, "content": "<new>", **flags, "lstrip": True, "rstrip": True, "normalized": False,
         "special": True},
    ]
    return variant


def rust_scores(tok_json):
    """The scores the Rust model holds after parsing tok_json (its own JSON parser)."""
    held = json.loads(Tokenizer.from_str(tok_json).to_str())
    return [score for _, score in held["model"]["vocab"]]


def transformers_setups(setups, defs, base_dir, base_json, base_config, workdir):
    for head in HEADS:
        d = FIXTURES / head
        setups.append({"name": head, "loader": "transformers", "tok": AutoTokenizer.from_pretrained(d)})
        defs[head] = {"tokenizerJson": f"testdata/tasks/hf/{head}/tokenizer.json",
                      "tokenizerConfig": f"testdata/tasks/hf/{head}/tokenizer_config.json"}

    cased_dir = workdir / "cased"
    AlbertTokenizer.from_pretrained(base_dir, do_lower_case=False, keep_accents=True).save_pretrained(cased_dir)
    cased_json = json.loads((cased_dir / "tokenizer.json").read_text())
    cased_config = json.loads((cased_dir / "tokenizer_config.json").read_text())
    setups.append({"name": "cased", "loader": "transformers", "tok": AutoTokenizer.from_pretrained(cased_dir)})
    defs["cased"] = {"base": "masked_lm", "tokenizerJsonPatch": strip_shared(cased_json, base_json),
                     "tokenizerConfig": cased_config}

    v4_dir = workdir / "v4_config"
    v4_dir.mkdir()
    (v4_dir / "tokenizer.json").write_text(json.dumps(base_json))
    config = v4_config(base_config)
    (v4_dir / "tokenizer_config.json").write_text(json.dumps(config))
    setups.append({"name": "v4_config", "loader": "transformers", "tok": AutoTokenizer.from_pretrained(v4_dir)})
    defs["v4_config"] = {"base": "masked_lm", "tokenizerJsonPatch": strip_shared(base_json, base_json),
                         "tokenizerConfig": config}


def build_setups(args, workdir):
    setups = []
    base_dir = FIXTURES / "masked_lm"
    base_json = json.loads((base_dir / "tokenizer.json").read_text())
    base_config = json.loads((base_dir / "tokenizer_config.json").read_text())
    defs = {}
    if transformers is not None:
        transformers_setups(setups, defs, base_dir, base_json, base_config, workdir)
    tag = "" if EARLY_EXIT else f"@{tokenizers.__version__}"
    setups.append({"name": f"raw_masked_lm{tag}", "loader": "tokenizers", "tok": json.dumps(base_json)})
    defs[f"raw_masked_lm{tag}"] = {"tokenizerJson": "testdata/tasks/hf/masked_lm/tokenizer.json",
                                   "rustScores": rust_scores(json.dumps(base_json))}
    variant = raw_variant(base_json)
    setups.append({"name": f"raw_variant{tag}", "loader": "tokenizers", "tok": json.dumps(variant)})
    defs[f"raw_variant{tag}"] = {"base": f"raw_masked_lm{tag}", "tokenizerJsonPatch": strip_shared(variant, base_json)}

    if args.spm and transformers is not None:
        spm_dir = workdir / "spm"
        spm_dir.mkdir()
        (spm_dir / "spiece.model").write_bytes(Path(args.spm).read_bytes())
        AlbertTokenizer.from_pretrained(spm_dir).save_pretrained(workdir / "spm_saved")
        saved = workdir / "spm_saved"
        text = (saved / "tokenizer.json").read_text()
        setups.append({"name": "spm", "loader": "transformers", "tok": AutoTokenizer.from_pretrained(saved)})
        defs["spm"] = {"tokenizerJsonText": text,
                       "tokenizerConfig": json.loads((saved / "tokenizer_config.json").read_text())}
        setups.append({"name": "spm_raw", "loader": "tokenizers", "tok": text})
        defs["spm_raw"] = {"tokenizerJsonText": text, "rustScores": rust_scores(text)}
    if args.only:
        setups = [s for s in setups if s["name"] in args.only.split(",")]
    return setups, defs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=60, help="random texts per setup")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--spm", help="also a tokenizer.json made by transformers from this SentencePiece model")
    parser.add_argument("--only", help="comma-separated setup names")
    parser.add_argument("--include", help="a file this script wrote (e.g. with an older tokenizers) to merge in")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        setups, defs = build_setups(args, Path(tmp))
        cases = []
        for setup in setups:
            cases += make_cases(rng, setup, args.count)
    out = {
        "generator": "packages/tokenizer/scripts/hf_tokenizer_reference.py",
        "seed": args.seed,
        "transformers": transformers.__version__ if transformers is not None else None,
        "tokenizers": tokenizers.__version__,
        "setups": defs,
        "cases": cases,
    }
    if args.include:
        other = json.loads(Path(args.include).read_text())
        out["setups"].update(other["setups"])
        out["cases"] += other["cases"]
        out["included"] = {"tokenizers": other["tokenizers"], "seed": other["seed"]}
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False))
    print(f"wrote {len(cases)} cases to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
