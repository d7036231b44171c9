"""Reference side of the tokenizer fuzz check (see fuzz-vs-sentencepiece.mjs).

Generates random, unicode-heavy strings and writes, as JSON on stdout, what the SentencePiece
C++ library (python `sentencepiece`) gives for each: ids, pieces, decoded text, piece offsets
(UTF-16, from the library's byte offsets), and the decoding
of random id sequences. With --uncased it also records HF transformers v4's AlbertTokenizer
pieces and ids (`_tokenize` + `_convert_token_to_id`, the uncased ALBERT preprocessing), when
transformers can be imported.

    python3 fuzz_reference.py --model vocabulary.spm --count 3000 --seed 1 [--uncased] > out.json
"""

import argparse
import json
import random
import sys
import unicodedata

import sentencepiece as spm

WHITESPACE = [" ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0",
              "\u1680", "\u2000", "\u2003", "\u200a", "\u200b", "\u2028", "\u2029", "\u202f",
              "\u205f", "\u3000", "\ufeff", "   \t  "]
NFKC_SENSITIVE = list("ＡＢＣａｂｃ０１２９，．！？（）ﬁﬂﬀﬃ①②⑩⑴⒈㍻㌀℃℉½¼²³¹⁴Ⅻⅷ™℡㈱ｶﾞﾊﾟｱ"
                      "ﷺﷻﾟ゛゜ᴬᵃ𝐀𝐚𝟎𝟗ℌℍ℮µ΅΄ſẛǅǄĳŉ…‥′″‴⁗")
COMBINING = [chr(c) for c in range(0x300, 0x370)] + ["\u0483", "\u0591", "\u05b0", "\u0610",
                                                     "\u064b", "\u0670", "\u093c", "\u094d",
                                                     "\u0e31", "\u0e48", "\u1ab0", "\u1dc0",
                                                     "\u20d0", "\u20e3", "\ufe0f", "\ufe20"]
ACCENTED = list("àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßẞŒœĳİıŁłŠšŽžĞğŞş")
SCRIPTS = list("東京是日本的首都中文文本日本語のテキストとカタカナひらがな한국어텍스트가각"
               "ΑΒΓΔΣσςαβγδάέήίόύώΐΰЁЖЗИКЛМНабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
               "עבריתשלוםالعربيةمرحباहिन्दीनमस्तेภาษาไทยსაქართველოՀայերենአማርኛ")
EMOJI = ["😀", "🎉", "👍", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇯🇵", "🇺🇸", "❤️", "✨", "🙂", "🚀", "🤖",
         "©", "®", "™", "⁇", "�", "\U0001F9D1\u200d\U0001F4BB", "#️⃣", "1️⃣"]
CONTROL = [chr(c) for c in list(range(0x00, 0x09)) + list(range(0x0e, 0x1c)) + [0x7f]] + [
    "\u200c", "\u200d", "\u200e", "\u200f", "\u00ad", "\u2060", "\u061c", "\u034f", "\ufff9"]
SPECIAL = ["[MASK]", "[CLS]", "[SEP]", "<pad>", "<unk>", "<s>", "</s>", "▁", "▁▁", "\u2581a",
           "<0x41>", "⁇", " ⁇ "]
DIGITS = ["1,000", "1,000,", "2,500,000,", "9,", "0,", "３，", "٣,", "①,", "²,", "3.14", "2024-01-15",
          "42", "1999,", "10,000 ", "7,a", "x9,", "𝟗,", "١٢٣,"]
QUOTES = ["``", "''", "`", "'", '"', "``quoted''", "“", "”", "‘", "’", "«", "»", "„"]
WORDS = ["the", "The", "quick", "brown", "fox", "ALBERT", "license", "Licence", "general",
         "public", "program", "software", "Hello", "world", "naïve", "café", "résumé", "Straße",
         "ΟΔΥΣΣΕΥΣ", "Σίσυφος", "İstanbul", "DŽungla", "ǅemal", "ﬁnancial", "ｗｉｄｅ",
         "co\u0308operate", "e\u0301", "a\u0300\u0301\u0302", "x" * 40, "supercalifragilistic"]

POOLS = [
    (WHITESPACE, 3), (NFKC_SENSITIVE, 3), (COMBINING, 2), (ACCENTED, 3), (SCRIPTS, 3),
    (EMOJI, 2), (CONTROL, 1), (SPECIAL, 1), (DIGITS, 2), (QUOTES, 1), (WORDS, 6),
    (list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?-_()[]{}<>/\\@#$%^&*+=|~"), 5),
]


def random_code_point(rng):
    """Any assigned, non-surrogate code point (assigned in this Python's Unicode version)."""
    while True:
        plane = rng.random()
        if plane < 0.6:
            cp = rng.randrange(0x80, 0x10000)
        elif plane < 0.9:
            cp = rng.randrange(0x10000, 0x20000)
        else:
            cp = rng.randrange(0x20000, 0x110000)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        if unicodedata.category(chr(cp)) == "Cn":
            continue
        return chr(cp)


def random_text(rng):
    parts = []
    n = rng.choice([0, 1, 1, 2, 3, 5, 8, 13, 21, 40])
    weights = [w for _, w in POOLS] + [2]
    for _ in range(n):
        k = rng.choices(range(len(POOLS) + 1), weights=weights)[0]
        if k == len(POOLS):
            parts.append(random_code_point(rng))
        else:
            parts.append(rng.choice(POOLS[k][0]))
        if rng.random() < 0.3:
            parts.append(" ")
    return "".join(parts)


def utf16_offsets(text):
    """UTF-16 index for each UTF-8 byte offset of text (and its end)."""
    out = []
    units = 0
    for ch in text:
        out.extend([units] * len(ch.encode("utf-8")))
        units += 2 if ord(ch) > 0xFFFF else 1
    out.append(units)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--uncased", action="store_true")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    sp = spm.SentencePieceProcessor(model_file=args.model)
    hf = None
    if args.uncased:
        try:
            from transformers import AlbertTokenizer  # transformers 4.x, slow tokenizer

            hf = AlbertTokenizer(args.model)  # do_lower_case, remove_space, keep_accents=False
        except Exception as error:  # noqa: BLE001
            print(f"transformers unavailable, no uncased reference: {error}", file=sys.stderr)

    texts = [random_text(rng) for _ in range(args.count)]
    # A few long texts: their path scores pass the C++ library's re-basing threshold.
    texts += [" ".join(random_text(rng) for _ in range(1200)) for _ in range(max(1, args.count // 1000))]
    cases = []
    for text in texts:
        ids = sp.encode(text)
        case = {
            "text": text,
            "ids": ids,
            "pieces": sp.encode(text, out_type=str),
            "decoded": sp.decode(ids),
        }
        to16 = utf16_offsets(text)
        proto = sp.encode(text, return_type="proto")
        case["offsets"] = [[to16[p.begin], to16[p.end]] for p in proto.pieces]
        if hf is not None:
            pieces = hf._tokenize(text)
            case["uncased_pieces"] = pieces
            case["uncased_ids"] = [hf._convert_token_to_id(p) for p in pieces]
        cases.append(case)

    vocab = sp.get_piece_size()
    decodes = []
    for _ in range(max(1, args.count // 10)):
        ids = [rng.randrange(vocab) if rng.random() < 0.8 else rng.randrange(min(vocab, 300))
               for _ in range(rng.randrange(0, 20))]
        decodes.append({"ids": ids, "decoded": sp.decode(ids)})

    json.dump({"model": args.model, "seed": args.seed, "sentencepiece": spm.__version__,
               "unicode": unicodedata.unidata_version, "cases": cases, "decodes": decodes},
              sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
