"""How guessable a production `JWT_SECRET_KEY` is: patterns, placeholder words, encodings.

Imports nothing of the project, so that the settings can use it before anything is set up.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import pairwise

MIN_PRODUCTION_SECRET_BYTES = 32
# The floor of `estimated_entropy_bits` for a production key. A random 32-character hex key
# (128 bits) estimates at 85 bits or more in millions of draws; a key of few symbols, a run
# or a phrase of placeholder words falls far below.
MIN_PRODUCTION_SECRET_BITS = 64

# What placeholder keys are made of ("your-super-secret-jwt-key-change-me"), taken out of a key
# before its entropy is estimated. Three letters or more, so a random key seldom loses any.
_PLACEHOLDER_WORDS = (
    "secret", "change", "your", "key", "jwt", "token", "sign", "signing", "password", "passwd",
    "pass", "production", "prod", "development", "dev", "staging", "test", "example", "sample",
    "dummy", "placeholder", "default", "replace", "here", "please", "super", "very", "long",
    "random", "string", "value", "insecure", "unsafe", "not", "for", "use", "the", "this",
    "that", "and", "with", "api", "apidock", "dock", "app", "server", "auth", "access", "admin",
    "root", "hmac", "hash", "hs256", "hs384", "hs512", "enough", "letmein", "welcome",
    "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwerty", "asdf", "zxcv",
)  # fmt: skip
_PLACEHOLDER = re.compile("|".join(sorted(_PLACEHOLDER_WORDS, key=len, reverse=True)))
# one character for one, so that positions in the folded text are positions in the key
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_LEET = str.maketrans("0134578@$", "oieastbas")  # the letters they stand in for: "s3cr3t"
# A part said again is left out of the estimate from this length on. Random keys seldom
# hold one (a 32-digit hex key repeats four digits about once in 160, and loses less than
# its margin over `MIN_PRODUCTION_SECRET_BITS`); "iloveyou" four times and a "!" always do.
_REPEAT_LENGTH = 4
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_TO_STANDARD_BASE64 = str.maketrans("-_", "+/")
# The length from which the estimate tells a decoded text from random printable characters
# (24 of them estimate at 80 bits and more); the hex of 16 bytes decodes to fewer.
_ESTIMATE_TELLS_FROM = 24


def _shannon_bits(symbols: Iterable[object]) -> float:
    """The Shannon entropy of the symbols' frequencies times their number."""
    counts = Counter(symbols)
    total = sum(counts.values())
    return -sum(count * math.log2(count / total) for count in counts.values())


def estimated_entropy_bits(text: str) -> float:
    """A generous estimate of the randomness in `text`, in bits.

    The Shannon entropy of its characters, or of the steps between neighbours when that is
    lower: "abcd…", "1234…" and "AbCd…" use many characters but one or two steps.
    """
    codes = [ord(character) for character in text]
    steps = [after - before for before, after in pairwise(codes)]
    return min(_shannon_bits(codes), _shannon_bits(steps))


def _repeats_a_pattern(text: str) -> bool:
    """True when `text` is a pattern of at most half its length, said again (and again)."""
    return any(text[period:] == text[:-period] for period in range(1, len(text) // 2 + 1))


def _without_repeats(text: str) -> str:
    """`text` without the parts (of `_REPEAT_LENGTH` or more) that say again what came before.

    What the pattern test misses: a word said again with a character added ("iloveyou" four
    times and "!"), or a random part repeated and then cut, keep their characters' frequencies
    but carry no more randomness than their first time.
    """
    kept: list[str] = []
    start = 0
    while start < len(text):
        part = text[start : start + _REPEAT_LENGTH]
        # an earlier start, overlapping this one or not (as "abcabca" repeats "abc")
        earlier = text.find(part, 0, start + _REPEAT_LENGTH - 1)
        if len(part) < _REPEAT_LENGTH or earlier == -1:
            kept.append(text[start])
            start += 1
            continue
        length = _REPEAT_LENGTH
        while start + length < len(text) and text[earlier + length] == text[start + length]:
            length += 1
        start += length
    return "".join(kept)


def _decoded_texts(text: str) -> list[str]:
    """The texts that `text` is the hex or base64 (either alphabet, padded or not) of.

    Only texts of printable ASCII (after NFKC): random bytes almost never decode to one (16
    random bytes once in seven million), so a key that does is that text in disguise, no
    more random than it: `base64("password" * 4)` looks random.
    """
    encoded: list[bytes] = []
    if _HEX.fullmatch(text):
        encoded.append(bytes.fromhex(text))
    if _BASE64.fullmatch(text):
        padded = text.rstrip("=").translate(_TO_STANDARD_BASE64)
        with contextlib.suppress(binascii.Error):
            encoded.append(base64.b64decode(padded + "=" * (-len(padded) % 4), validate=True))
    texts = []
    for raw in encoded:
        try:
            decoded = raw.decode()
        except UnicodeDecodeError:
            continue
        folded = unicodedata.normalize("NFKC", decoded)
        if folded.isascii() and folded.isprintable():
            texts.append(decoded)
    return texts


def _readings(text: str, decodings: int = 3) -> Iterator[str]:
    """`text`, its NFKC form (a fullwidth "secret" is "secret"), and the texts it encodes.

    Texts encoded again are decoded again, `decodings` deep: NFKC may lengthen a decoded
    text ("ⅷ" is "viii"), so the depth, not the length, bounds the recursion.
    """
    yield text
    folded = unicodedata.normalize("NFKC", text)
    if folded != text:
        yield folded
    if decodings:
        for decoded in _decoded_texts(folded):
            yield from _readings(decoded, decodings - 1)


def _without_placeholder_words(text: str) -> str:
    lowered = text.translate(_ASCII_LOWER)
    hidden = [False] * len(text)
    for folded in (lowered, lowered.translate(_LEET)):
        for word in _PLACEHOLDER.finditer(folded):
            hidden[word.start() : word.end()] = [True] * len(word[0])
    return "".join(character for character, hide in zip(text, hidden, strict=True) if not hide)


def _predictability(text: str, *, short: bool = False) -> str | None:
    """What makes `text` predictable, or None when its estimate reaches the floor.

    `short`: a decoded text too short for the estimate alone to tell it from random bytes
    (16 characters estimate at 64 bits at most), judged only by what taking out placeholder
    words and repeated parts takes away: more than half of its estimate. (A random text may
    hold a word such as "key", which costs it a quarter.)
    """
    if _repeats_a_pattern(text):
        return "one short pattern repeated"
    without_words = _without_placeholder_words(text)
    bits = estimated_entropy_bits(_without_repeats(without_words))
    if bits >= MIN_PRODUCTION_SECRET_BITS:
        return None
    raw = estimated_entropy_bits(text)
    if raw < MIN_PRODUCTION_SECRET_BITS:
        if not short:
            return f"about {bits:.0f} bits of randomness, {MIN_PRODUCTION_SECRET_BITS} needed"
        if bits >= raw / 2:
            return None
    if estimated_entropy_bits(without_words) < min(raw, MIN_PRODUCTION_SECRET_BITS):
        return "made of placeholder words such as 'secret', 'key' or 'change me'"
    return "parts of it said again"


def weak_secret_reason(secret: str) -> str | None:
    """Why `secret` may not sign tokens in production, or None when it may.

    Surrounding whitespace is no randomness, so it is not counted; the key is judged as it is
    written, in its NFKC form, and as the text it is the hex or base64 of, when it is one.
    """
    key = secret.strip()
    if len(key.encode()) < MIN_PRODUCTION_SECRET_BYTES:
        return f"must be set to at least {MIN_PRODUCTION_SECRET_BYTES} random bytes in production"
    for depth, reading in enumerate(_readings(key)):
        short = depth > 0 and len(reading) < _ESTIMATE_TELLS_FROM
        reason = _predictability(reading, short=short)
        if reason is not None:
            said = reason if depth == 0 else f"the text it encodes or spells: {reason}"
            return f"too predictable for production ({said})"
    return None
