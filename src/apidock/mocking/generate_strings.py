"""Strings for the mock: words, a `pattern`'s match, a format's value, within the lengths.

Decisions:
- A `pattern` is generated from Python's own parse of it (`re._parser`), walking the tree with
  a target length: every node knows its width, a sequence shares the target among its items,
  a repetition picks a count that can reach it. An unbounded repetition is bounded by that
  target, so nothing backtracks and nothing explodes; the result is then checked with
  jsonschema-rs's own pattern check (linear or bounded; a lookaround or backreference the walk
  can't honour just fails it), and a few seeded attempts are made before giving up.
- A pattern not anchored at an end is padded on that side when a `minLength` asks for more than
  the match gives (the keyword is a search, not a full match).
- A format wins over a pattern when both are there (its value is checked against the pattern);
  a value made from the pattern must then pass jsonschema-rs's check of the format.
- A plain string is one to three words, at most 20 characters unless `minLength` asks more; a
  property's name may hint at a plausible format (an `email`, a `url`) when no format is given.
- None means "can't": the caller turns it into GenerationLimit.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from functools import lru_cache
from random import Random
from typing import Any

import jsonschema_rs

from apidock.mocking.generate_formats import WORDS, format_holds, knows_format, make_format

from re import _parser  # type: ignore[attr-defined]  # isort: skip  # no stubs for re._parser

_ATTEMPTS = 8
_PLAIN_MAX = 20
_SPARE_REPEATS = 4  # how far past its minimum an unbounded repetition goes without a target
_INFINITE = float("inf")
# Characters tried for `.`, `[^…]`, `\W` and `\S`: plausible ones first.
_POOL = string.ascii_letters + string.digits + "-_.~ !#$%&*+,/:;=?@"
_CATEGORY_CHARS = {
    _parser.CATEGORY_DIGIT: string.digits,
    _parser.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    _parser.CATEGORY_SPACE: " ",
}
_REPEATS = (_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT)
_STARTS = ((_parser.AT, _parser.AT_BEGINNING), (_parser.AT, _parser.AT_BEGINNING_STRING))
_ENDS = ((_parser.AT, _parser.AT_END), (_parser.AT, _parser.AT_END_STRING))
_HINTS = (("email", "email"), ("url", "uri"), ("uri", "uri"), ("href", "uri"), ("uuid", "uuid"))


def _span(items: Any) -> tuple[int, float]:
    """The shortest and longest text a parsed (sub)pattern matches, ∞ when unbounded (the
    parser computes and caches it)."""
    low, high = items.getwidth()
    return low, (_INFINITE if high >= _parser.MAXREPEAT else high)


def _width(op: Any, av: Any) -> tuple[int, float]:
    """The shortest and longest text one node of a parsed pattern matches."""
    if op in (_parser.LITERAL, _parser.NOT_LITERAL, _parser.ANY, _parser.IN):
        return 1, 1
    if op is _parser.BRANCH:
        widths = [_span(item) for item in av[1]]
        return min(w[0] for w in widths), max(w[1] for w in widths)
    if op is _parser.SUBPATTERN:
        return _span(av[3])
    if op is _parser.ATOMIC_GROUP:
        return _span(av)
    if op in _REPEATS:
        low, high = _span(av[2])
        most = _INFINITE if av[1] >= _parser.MAXREPEAT else av[1]
        return av[0] * low, (0 if high == 0 or most == 0 else most * high)
    return (0, _INFINITE) if op in (_parser.GROUPREF, _parser.GROUPREF_EXISTS) else (0, 0)


class _PatternWriter:
    """One walk of a parsed pattern toward a target length."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.groups: dict[int, str] = {}

    def sequence(self, items: Any, target: int) -> str:
        widths = [_width(op, av) for op, av in items]
        shares = self._share(target, widths)
        return "".join(
            self.node(op, av, share) for (op, av), share in zip(items, shares, strict=True)
        )

    def _share(self, target: int, widths: Sequence[tuple[int, float]]) -> list[int]:
        shares = [low for low, _ in widths]
        spare = target - sum(shares)
        order = list(range(len(widths)))
        self.rng.shuffle(order)
        for greedy in (False, True):
            for index in order:
                if spare <= 0:
                    return shares
                room = widths[index][1] - shares[index]
                step = (
                    int(min(spare, room)) if greedy else self.rng.randint(0, int(min(spare, room)))
                )
                shares[index] += step
                spare -= step
        return shares

    def node(self, op: Any, av: Any, target: int) -> str:
        if op is _parser.LITERAL:
            return chr(av)
        if op is _parser.NOT_LITERAL:
            return self._pick([(_parser.LITERAL, av)], inside=False)
        if op is _parser.ANY:
            return self.rng.choice(string.ascii_letters)
        if op is _parser.IN:
            return self._in(av)
        if op is _parser.BRANCH:
            fitting = [p for p in av[1] if _span(p)[0] <= target <= _span(p)[1]]
            return self.sequence(self.rng.choice(fitting or av[1]), target)
        if op is _parser.SUBPATTERN:
            text = self.sequence(av[3], target)
            if av[0] is not None:
                self.groups[av[0]] = text
            return text
        if op is _parser.ATOMIC_GROUP:
            return self.sequence(av, target)
        if op in _REPEATS:
            return self._repeat(av[0], av[1], av[2], target)
        if op is _parser.GROUPREF:
            return self.groups.get(av, "")
        if op is _parser.GROUPREF_EXISTS:
            group, yes, no = av
            chosen = yes if group in self.groups else no
            return "" if chosen is None else self.sequence(chosen, target)
        return ""  # anchors and lookarounds match no text; the final check judges them

    def _repeat(self, least: int, most: int, item: Any, target: int) -> str:
        low, high = _span(item)
        top = least + max(_SPARE_REPEATS, target) if most >= _parser.MAXREPEAT else most
        count = least
        if target > 0 and high > 0:
            fewest = max(least, 1) if high == _INFINITE else max(least, -(-target // int(high)))
            largest = top if low == 0 else min(top, max(least, target // low))
            count = self.rng.randint(fewest, largest) if fewest <= largest else min(fewest, top)
        widths = [(low, high)] * count
        return "".join(self.sequence(item, share) for share in self._share(target, widths))

    def _in(self, members: Any) -> str:
        if members and members[0][0] is _parser.NEGATE:
            return self._pick(members[1:], inside=False)
        op, av = self.rng.choice(members)
        if op is _parser.LITERAL:
            return chr(av)
        if op is _parser.RANGE:
            return chr(self.rng.randint(av[0], min(av[1], max(av[0], 0x7E))))
        if op is _parser.CATEGORY and av in _CATEGORY_CHARS:
            return self.rng.choice(_CATEGORY_CHARS[av])
        return self._pick([(op, av)], inside=True)

    def _pick(self, members: Any, *, inside: bool) -> str:
        """A plausible character in the class `members` (`inside`) or out of it."""
        pool = list(_POOL)
        self.rng.shuffle(pool)
        for char in pool:
            if _in_class(char, members) == inside:
                return char
        return "\u00e9"


def _in_class(char: str, members: Any) -> bool:
    code = ord(char)
    for op, av in members:
        if op is _parser.LITERAL and av == code:
            return True
        if op is _parser.RANGE and av[0] <= code <= av[1]:
            return True
        if op is _parser.CATEGORY:
            positive = {
                _parser.CATEGORY_DIGIT: char.isdigit(),
                _parser.CATEGORY_NOT_DIGIT: not char.isdigit(),
                _parser.CATEGORY_WORD: char.isalnum() or char == "_",
                _parser.CATEGORY_NOT_WORD: not (char.isalnum() or char == "_"),
                _parser.CATEGORY_SPACE: char.isspace(),
                _parser.CATEGORY_NOT_SPACE: not char.isspace(),
            }
            if positive.get(av, False):
                return True
    return False


def _parse(pattern: str) -> Any:
    try:
        return _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None


@lru_cache(maxsize=512)
def _pattern_validator(pattern: str) -> jsonschema_rs.Validator | None:
    try:
        return jsonschema_rs.validator_for({"pattern": pattern}, offline=True)
    except (jsonschema_rs.ValidationError, ValueError):
        return None


def pattern_holds(pattern: str, text: str) -> bool:
    """Whether `pattern` finds a match in `text` as jsonschema-rs judges it: its engine is the
    one the mock's answers are checked with, and it never backtracks without a bound (Python's
    `re.search` of `(a|aa)*b` over a long text would run for ever)."""
    validator = _pattern_validator(pattern)
    try:
        return validator is not None and validator.is_valid(text)
    except (ValueError, UnicodeError):  # a lone surrogate can't cross into Rust
        return False


def pattern_string(
    pattern: str, rng: Random, min_length: int, max_length: int | None, limit: int
) -> str | None:
    """A string `pattern` finds a match in, within the lengths and at most `limit` long, or
    None."""
    tree = _parse(pattern)
    if tree is None:
        return None
    low, high = _span(tree)
    items = list(tree)
    starts_anchored = bool(items) and items[0] in _STARTS
    ends_anchored = bool(items) and items[-1] in _ENDS
    ceiling = min(high, limit if max_length is None else min(max_length, limit))
    if low > ceiling or min_length > limit:
        return None
    for _ in range(_ATTEMPTS):
        wanted = max(low, min_length)
        target = int(min(ceiling, wanted + rng.randint(0, _SPARE_REPEATS + 4)))
        text = _PatternWriter(rng).sequence(tree, max(low, target))
        missing = min_length - len(text)
        if missing > 0 and not ends_anchored:
            text += _plain_letters(rng, missing)
        elif missing > 0 and not starts_anchored:
            text = _plain_letters(rng, missing) + text
        if (
            len(text) <= limit
            and _fits(text, min_length, max_length)
            and pattern_holds(pattern, text)
        ):
            return text
    return None


def _plain_letters(rng: Random, count: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(count))


def _fits(value: str, min_length: int, max_length: int | None) -> bool:
    return len(value) >= min_length and (max_length is None or len(value) <= max_length)


def plain_text(rng: Random, min_length: int, max_length: int | None) -> str | None:
    """One to three words, cut or lengthened to fit the lengths."""
    upper = max(min_length, _PLAIN_MAX) if max_length is None else max_length
    if upper < min_length:
        return None
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
    while len(text) < min_length:
        text += " " + rng.choice(WORDS)
    text = text[: max(min_length, min(upper, len(text)))]
    if text.endswith(" "):
        text = text[:-1] + rng.choice(string.ascii_lowercase)
    return text


def _hinted_format(hint: str | None) -> str | None:
    if hint is None:
        return None
    lowered = hint.lower()
    return next((name for word, name in _HINTS if lowered.endswith(word)), None)


def make_string(
    rng: Random,
    *,
    min_length: int,
    max_length: int | None,
    patterns: Sequence[str],
    formats: Sequence[str],
    limit: int,
    hint: str | None = None,
) -> str | None:
    """A string valid for every one of `patterns` and `formats` within the lengths and at most
    `limit` long, or None."""

    def valid(text: str | None) -> bool:
        return (
            text is not None
            and len(text) <= limit
            and _fits(text, min_length, max_length)
            and all(pattern_holds(pattern, text) for pattern in patterns)
            and all(format_holds(name, text) for name in formats)
        )

    if not patterns and not formats and _hinted_format(hint) is None:
        return plain_text(rng, min_length, limit if max_length is None else min(limit, max_length))
    made = [name for name in formats if knows_format(name)]
    hinted = None if made or patterns else _hinted_format(hint)
    makers: list[tuple[Callable[[], str | None], int]] = []
    if made:
        makers.append((lambda: make_format(made[0], rng, min_length, max_length), _ATTEMPTS))
    if patterns:
        pattern, longest = patterns[0], limit
        makers.append(
            (lambda: pattern_string(pattern, rng, min_length, max_length, longest), _ATTEMPTS)
        )
    if hinted is not None:
        makers.append((lambda: make_format(hinted, rng, min_length, max_length), 1))
    # last, words: for a format made nowhere here, or a pattern Python can't parse
    makers.append((lambda: plain_text(rng, min_length, max_length), _ATTEMPTS))
    for make, attempts in makers:
        for _ in range(attempts):
            text = make()
            if valid(text):
                return text
            if text is None:
                break
    return None
