"""A JSON value to the bytes of an export: the same value gives the same bytes, always.

Both keep the keys in the order stored (the author's, or the converter's), never sorted, and
end with a newline; both take JSON values only (dict, list, str, int, float, bool, None) and
refuse NaN and the infinities, which no JSON holds and `load_document` refuses.

- JSON: UTF-8, 2-space indent, text other than controls kept as it is (no `\\u` escapes),
  floats as Python's shortest repr, which reads back to the same float.
- YAML: block style, 2-space indent, UTF-8 kept as it is, no anchors or aliases (a node used
  twice is written twice), no line folded however wide (a folded scalar reads back the same,
  but depends on every reader getting folding right). A string with a line break is a
  literal block (`|`), the readable form for Markdown descriptions, unless its content rules
  that out (trailing spaces, controls), when libyaml writes it double-quoted. A string is
  quoted whenever some YAML reader would take it for anything else: everything
  `load_document` reads as a number, boolean or null, everything a YAML 1.1 reader does
  (`on`, `yes`, `y`, `012`, `1_000`, `1:30`, `2020-01-01`, `=`, `<<`, `~`, ``), and what
  libyaml itself cannot write plain (` x`, `- x`, `a: b`). So any reader, and `load_document`,
  reads back the very value that was dumped, and dumping that again gives the same bytes.

Both recurse (the json module's encoder and PyYAML's representer): the values they get went
through `load_document` or the model's validation, both of which bound the depth.
"""

from __future__ import annotations

import json
import math
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from apidock.descriptions.loading import Limits
from apidock.descriptions.yaml_scalars import NumberRefused, integer_digits, plain_scalar

# libyaml's emitter when PyYAML was built with it (as here), else PyYAML's own: same output
_BASE_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_CORE = "tag:yaml.org,2002:"
_STRING_TAG = _CORE + "str"
_TAG_OF_VALUE = {bool: _CORE + "bool", int: _CORE + "int", float: _CORE + "float"}
# YAML 1.1 booleans that PyYAML's own resolver does not know
_YAML_11_LETTERS = frozenset({"y", "Y", "n", "N"})
# a run of digits longer than the loader reads as a number is quoted all the same
_MAX_DIGITS = Limits().max_integer_digits
# libyaml's largest line width: lines are never folded
_UNFOLDED = 2**31 - 1


def dump_json(document: Any) -> bytes:
    """`document` as indented JSON text in UTF-8, keys in stored order, with a final newline."""
    text = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def dump_yaml(document: Any) -> bytes:
    """`document` as block-style YAML in UTF-8, keys in stored order; see the module."""
    dumped: bytes = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        indent=2,
        width=_UNFOLDED,
        encoding="utf-8",
    )
    return dumped


def _plain_tag(text: str) -> str:
    """The tag a reader might give `text` written plain: the string tag only when every
    reader takes it for a string."""
    try:
        value = plain_scalar(text, integer_digits(_MAX_DIGITS))
    except NumberRefused:
        return _CORE + "float"
    if value is None:
        return _CORE + "null"
    if not isinstance(value, str):
        return _TAG_OF_VALUE[type(value)]
    if text in _YAML_11_LETTERS:
        return _CORE + "bool"
    tag: str = _YAML_11.resolve(yaml.ScalarNode, text, (True, False))
    return tag


class _Dumper(_BASE_DUMPER):  # type: ignore[misc]
    """The safe dumper with JSON's types only, no aliases and the quoting the module says."""

    yaml_representers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's registry, set below
    yaml_multi_representers: dict[Any, Any] = {}  # noqa: RUF012

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return _plain_tag(value)
        return super().resolve(kind, value, implicit)

    def represent_text(self, data: str) -> Any:
        style = "|" if "\n" in data else None
        return self.represent_scalar(_STRING_TAG, data, style=style)

    def represent_number(self, data: float) -> Any:
        if not math.isfinite(data):
            raise ValueError(f"{data} is not a JSON number")
        return self.represent_float(data)


_Dumper.add_representer(dict, _Dumper.represent_dict)
_Dumper.add_representer(list, _Dumper.represent_list)
_Dumper.add_representer(str, _Dumper.represent_text)
_Dumper.add_representer(bool, _Dumper.represent_bool)
_Dumper.add_representer(int, _Dumper.represent_int)
_Dumper.add_representer(float, _Dumper.represent_number)
_Dumper.add_representer(type(None), _Dumper.represent_none)
_Dumper.add_representer(None, _Dumper.represent_undefined)

# PyYAML's YAML 1.1 resolver, asked as a plain instance (it keeps no state for this question)
_YAML_11 = yaml.resolver.Resolver()
