"""A schema `pattern` that Python's `re` refuses, rewritten where ECMA-262 only spells it
differently.

JSON Schema's `pattern` is an ECMA-262 regular expression; openapi-spec-validator checks
`format: regex` by compiling it with Python's `re`, so a pattern that JavaScript takes and `re`
does not makes the whole document invalid to it. jsonschema-rs (this importer's validator)
follows ECMA-262's Unicode mode, stricter than a browser's Annex B mode, which is what authors
test their patterns in. The rewrite gives each piece the meaning Annex B gives it, in a
spelling that `re` and jsonschema-rs both compile and that is ECMA-262 still:

- a `-` beside a class escape inside a class (`[\\w- ]`, `[a-\\d]`) is a literal hyphen in
  Annex B (there is no range to make), `re` refuses it: `\\-`;
- named groups `(?<name>...)` (`re` spells them `(?P<name>...)`, which ECMA-262 lacks) become
  plain groups, whose numbers are the same, and `\\k<name>` the numbered back-reference
  `(?:\\1)`: a schema's pattern only matches, nobody reads its captures;
- `\\cX` becomes `\\xHH`; `\\u{...}` becomes `\\uHHHH`, or the character itself past U+FFFF
  (never a special character there); `[\\b]` becomes `[\\x08]`;
- an escaped letter that ECMA-262 gives no meaning (`\\y`, `\\e`, `\\A`) is the letter itself;
- `[]` (matches nothing) becomes `(?!)`, `[^]` (any character) `[\\s\\S]`, where `re` reads a
  `]` first in a class as a literal;
- a `{`, `}` or `]` that is no quantifier or class is literal: escaped. A `[` inside a class is
  escaped too, so that `re` does not warn about sets it may nest some day.

Left alone, and so dropped when `re` refuses them: `\\p{...}` (`re` has no Unicode
properties), variable-length look-behind, back-references `re` does not resolve, inline flags,
anything jsonschema-rs refuses after the rewrite.

Bounds. A pattern is compiled, never matched: no input can make it backtrack. The rewrite is
one pass, linear in the pattern's length; compiling is not always, so two limits keep the
whole linear in the document's size (the caller judges each distinct string once):

- a pattern longer than `MAX_LENGTH` is left as it is, unjudged: `re` is superlinear on some
  (a `{` before a million digits takes it 3 s), and no real pattern comes near;
- jsonschema-rs 0.60 spends time in (class escapes outside a class) x (pattern length) when it
  compiles, measured: 2,000 `\\s` take it 20 s. A rewrite with more than `MAX_CLASS_ESCAPES`
  of them is not handed to it, and so dropped: no real pattern has that many, and the
  validation after the fixes compiles every kept pattern with it again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jsonschema_rs

from apidock.descriptions.validation_messages import short

_CLASS_ESCAPES = frozenset("dDsSwWpP")
# The letters an ECMA-262 escape gives a meaning to; any other escaped letter is itself.
_ECMA_LETTER_ESCAPES = frozenset("bBdDsSwWfnrtvxucpPk")
_QUANTIFIER = re.compile(r"\{[0-9]+(?:,[0-9]*)?\}")
_GROUP_NAME = re.compile(r"\?<([A-Za-z_$][A-Za-z0-9_$]*)>")
_BACKREFERENCE = re.compile(r"k<([A-Za-z_$][A-Za-z0-9_$]*)>")
_BRACED_CODE_POINT = re.compile(r"u\{([0-9A-Fa-f]{1,8})\}")
_COMPILE_ERRORS = (re.error, RecursionError, OverflowError, ValueError)
# Counted wherever they are (in a class too, or after an escaped backslash): an upper bound.
_CLASS_ESCAPE = re.compile(r"\\[dDsSwW]")


def class_escapes(pattern: str) -> int:
    """How many class escapes (`\\d`, `\\s`, `\\w` and their negations) `pattern` has: what
    makes jsonschema-rs slow to compile it."""
    return len(_CLASS_ESCAPE.findall(pattern))


MAX_LENGTH = 100_000
MAX_CLASS_ESCAPES = 64


@dataclass(frozen=True, slots=True)
class PatternVerdict:
    """What to do with a pattern: nothing (`keep`), use `rewritten`, or drop it (neither);
    `message` says why, for the report."""

    keep: bool
    rewritten: str | None = None
    message: str = ""


def pattern_verdict(pattern: str) -> PatternVerdict:
    """The verdict on `pattern` (see the module's doc): keep it when Python's `re` compiles it
    (or it is past `MAX_LENGTH`); else its rewrite when `re` and jsonschema-rs both compile
    that; else drop it."""
    if len(pattern) > MAX_LENGTH:
        return PatternVerdict(keep=True)
    error = _python_error(pattern)
    if error is None:
        return PatternVerdict(keep=True)
    rewritten = ecma_to_python(pattern)
    if (
        rewritten is not None
        and rewritten != pattern
        and _python_error(rewritten) is None
        and class_escapes(rewritten) <= MAX_CLASS_ESCAPES
        and _ecma_compiles(rewritten)
    ):
        return PatternVerdict(
            keep=False,
            rewritten=rewritten,
            message=f"Python's re does not compile this ECMA-262 pattern ({error}): rewritten "
            f"{short(rewritten)}, the same expression in a spelling both compile",
        )
    return PatternVerdict(
        keep=False,
        message=f"pattern {short(pattern)} is not a regular expression Python's re compiles "
        f"({error}), and no rewrite of the same meaning is: dropped",
    )


def ecma_to_python(pattern: str) -> str | None:
    """`pattern` respelled as the module's doc says, or None where it has a piece that cannot
    be respelled (`\\p{...}`, a dangling `\\`, a group name given twice, ...)."""
    out: list[str] = []
    names: dict[str, int] = {}
    backreferences: list[tuple[int, str]] = []
    groups = 0
    in_class = False
    after_class_escape = False  # inside a class: the atom before is a class escape
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 == n:
                return None
            escaped = pattern[i + 1]
            if escaped == "k" and not in_class:
                found = _BACKREFERENCE.match(pattern, i + 1)
                if found is None:
                    return None
                backreferences.append((len(out), found.group(1)))
                out.append("")
                i = found.end()
                continue
            piece = _escape(pattern, i, in_class)
            if piece is None:
                return None
            text, i = piece
            out.append(text)
            after_class_escape = in_class and escaped in _CLASS_ESCAPES
            continue
        if in_class:
            if c == "]":
                in_class = False
                out.append(c)
            elif c == "-" and (after_class_escape or _class_escape_at(pattern, i + 1)):
                out.append("\\-")
            else:
                out.append("\\[" if c == "[" else c)
            after_class_escape = False
            i += 1
        elif c == "[":
            negated = pattern.startswith("^", i + 1)
            start = i + 2 if negated else i + 1
            if pattern.startswith("]", start):
                out.append("[\\s\\S]" if negated else "(?!)")
                i = start + 1
                continue
            out.append("[^" if negated else "[")
            in_class, after_class_escape = True, False
            i = start
        elif c == "(":
            named = _GROUP_NAME.match(pattern, i + 1)
            if named is not None:
                groups += 1
                if named.group(1) in names:
                    return None
                names[named.group(1)] = groups
                out.append("(")
                i = named.end()
                continue
            if not pattern.startswith("?", i + 1):
                groups += 1
            out.append(c)
            i += 1
        elif c == "{":
            quantifier = _QUANTIFIER.match(pattern, i)
            text = quantifier.group() if quantifier is not None else "\\{"
            out.append(text)
            i += len(text) if quantifier is not None else 1
        else:
            out.append("\\" + c if c in "}]" else c)
            i += 1
    for position, name in backreferences:
        if name not in names:
            return None
        out[position] = f"(?:\\{names[name]})"
    return "".join(out)


def _escape(pattern: str, i: int, in_class: bool) -> tuple[str, int] | None:
    """The respelling of the escape at `pattern[i]` (a backslash with a character after it)
    and the index after it, or None if it cannot be respelled."""
    escaped = pattern[i + 1]
    if escaped in "pP":
        return None
    if escaped == "c":
        letter = pattern[i + 2 : i + 3]
        if not (letter.isascii() and letter.isalpha()):
            return None
        return f"\\x{ord(letter) % 32:02x}", i + 3
    if escaped == "u" and pattern.startswith("{", i + 2):
        braced = _BRACED_CODE_POINT.match(pattern, i + 1)
        if braced is None:
            return None
        code = int(braced.group(1), 16)
        if code > 0x10FFFF:
            return None
        return (f"\\u{code:04x}" if code <= 0xFFFF else chr(code)), braced.end()
    if escaped == "b" and in_class:
        return "\\x08", i + 2
    if escaped.isascii() and escaped.isalpha() and escaped not in _ECMA_LETTER_ESCAPES:
        return escaped, i + 2
    return "\\" + escaped, i + 2


def _class_escape_at(pattern: str, i: int) -> bool:
    return pattern.startswith("\\", i) and pattern[i + 1 : i + 2] in _CLASS_ESCAPES


def _python_error(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except _COMPILE_ERRORS as error:
        return str(error) if isinstance(error, re.error) else type(error).__name__
    return None


def _ecma_compiles(pattern: str) -> bool:
    try:
        jsonschema_rs.Draft202012Validator({"pattern": pattern}, offline=True)
    except ValueError:
        return False
    return True
