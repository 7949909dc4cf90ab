"""YAML to a JSON value, built from libyaml's event stream in one pass and without recursion.

PyYAML's loaders are not used: their constructor is recursive, expands nothing (an alias is
the same Python object, so a billion-laughs file loads in microseconds and explodes in
whatever walks it next), reads YAML 1.1 (`on:` is the key True, `2020-01-01` a date, `012`
the number 10) and, in the C loader, is 10 to 20 times slower than reading the events. Here
each event is taken as it comes and every bound is checked before anything is built:

- Keys are strings, exactly as written: `200:` is "200", `on:` "on", `1.0:` "1.0", `null:`
  "null". A key that is a list or an object (`? [a, b]`) or an alias is refused, and so is a
  key given twice (as js-yaml, the reader of swagger2openapi and Redocly, does).
- A plain `<<` key merges, as YAML 1.1 says and as js-yaml and PyYAML do (real documents,
  swagger2openapi's tests among them, share parameters so): the keys of the mapping it names,
  or of each mapping of a list of them, earlier ones first, join the mapping where the `<<`
  stands, except keys the mapping itself has; a key written later in the mapping replaces a
  merged one. Its value must be a mapping or a list of mappings. A quoted `"<<"` is a key.
- Values follow the YAML 1.2 core schema (`yaml_scalars`): `yes`, `on`, `2020-01-01`,
  `012` are strings; `true`, `~`, `12`, `1e3` what JSON would make of them.
- Tags: `!` and the core ones (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map`,
  `!!seq`) are read as their values; every other tag (`!!binary`, `!!timestamp`, `!!set`,
  `!!omap`, `!!python/...`, `!Ref`) is refused at its node. No object is ever constructed.
- One document per stream: a second one is refused at its first line.
- Aliases are expanded into copies, so the value is a tree that a later stage may change in
  one place without changing another; their number, the nodes they add and the depth they
  reach are the bounds of `Limits`, checked before each copy is made. An alias of a node
  still open (a recursive structure) or of an anchor not defined is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from apidock.descriptions.json_values import copy_json
from apidock.descriptions.problems import DocumentRefused, Problem, child, pointer
from apidock.descriptions.yaml_scalars import (
    NUMBER_START,
    NumberRefused,
    integer_digits,
    plain_scalar,
    plain_word,
)

if TYPE_CHECKING:
    from apidock.descriptions.loading import Limits

# libyaml's parser (PyYAML built with it, as here), else PyYAML's own with the same events
_PARSER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALAR = yaml.ScalarEvent
_MAPPING_START = yaml.MappingStartEvent
_SEQUENCE_START = yaml.SequenceStartEvent
_MAPPING_END = yaml.MappingEndEvent
_SEQUENCE_END = yaml.SequenceEndEvent
_ALIAS = yaml.AliasEvent
_DOCUMENT_START = yaml.DocumentStartEvent

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS: dict[str, type | None] = {
    "!": str,
    _CORE + "str": str,
    _CORE + "int": int,
    _CORE + "float": float,
    _CORE + "bool": bool,
    _CORE + "null": None,
}
_MAPPING_TAGS = frozenset({None, "!", _CORE + "map"})
_SEQUENCE_TAGS = frozenset({None, "!", _CORE + "seq"})
_NO_KEY: Any = object()
_MERGE: Any = object()  # the key being read is a merge key (`<<`)


class _Frame:
    """An object or array being read: where its next value goes, and what it adds up to."""

    __slots__ = ("anchor", "container", "height", "is_map", "key", "merged", "start")

    def __init__(self, container: Any, is_map: bool, anchor: str | None, start: int) -> None:
        self.container = container
        self.is_map = is_map
        self.key: Any = _NO_KEY
        self.anchor = anchor
        self.start = start  # nodes read before this one, to size it for its aliases
        self.height = 1
        self.merged: set[str] | None = None  # keys a `<<` brought, which a later key replaces


class _Refusal(Exception):
    """Stops the build: `message` at the current place (`key` below it, when given)."""

    def __init__(self, message: str, kind: str, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.key = key


def load_yaml(body: bytes, limits: Limits) -> Any:
    """The JSON value of the one YAML document in `body` (UTF-8, checked by the caller);
    None for an empty stream."""
    parser = _PARSER(body)
    builder = _Builder(limits)
    try:
        return builder.build(parser.get_event)
    except _Refusal as refusal:
        at = builder.here()
        if refusal.key is not None:
            at = child(at, refusal.key)
        raise _refused(at, f"{refusal.message} ({builder.position})", refusal.kind) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise _refused("", f"Not valid YAML: {error.problem}{where}", "syntax") from None
    except yaml.YAMLError as error:
        raise _refused("", f"Not valid YAML: {_reader_problem(error)}", "syntax") from None
    finally:
        parser.dispose()


class _Builder:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # value, nodes, height
        self.written = 0  # nodes read from the text
        self.expanded = 0  # nodes added by aliases
        self.aliases = 0
        self.documents = 0
        self.position = "line 1, column 1"

    def build(self, next_event: Any) -> Any:
        """Read events to the end of the stream; the hot loop, so everything is local."""
        stack = self.stack
        max_depth = self.limits.max_depth
        max_digits = integer_digits(self.limits.max_integer_digits)
        max_nodes = self.limits.max_nodes
        root: Any = None
        while True:
            event = next_event()
            kind = event.__class__
            if kind is _SCALAR:
                top = stack[-1] if stack else None
                if top is not None and top.is_map and top.key is _NO_KEY:
                    self._key(top, event)
                    continue
                self.written += 1
                if self.written > max_nodes:
                    self._too_many(event)
                text = event.value
                if event.tag is not None:
                    value = self._tagged(event, max_digits)
                elif not event.implicit[0]:
                    value = text  # quoted or a block scalar: a string
                elif text and text[0] not in NUMBER_START:
                    value = plain_word(text)
                else:
                    value = self._plain(event, max_digits)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1, 0)
            elif kind is _MAPPING_START or kind is _SEQUENCE_START:
                is_map = kind is _MAPPING_START
                top = stack[-1] if stack else None
                if top is not None and top.is_map and top.key is _NO_KEY:
                    self._at(event)
                    raise _Refusal("A key must be a string, not an object or array", "key.type")
                if event.tag not in (_MAPPING_TAGS if is_map else _SEQUENCE_TAGS):
                    self._at(event)
                    raise _Refusal(f"The YAML tag {_short(event.tag)} is not taken", "yaml.tag")
                if len(stack) >= max_depth:
                    self._at(event)
                    raise _Refusal(f"Nested deeper than {max_depth} levels", "document.depth")
                if event.anchor is not None:
                    self.anchors.pop(event.anchor, None)  # open: an alias of it is recursive
                start = self.written + self.expanded
                stack.append(_Frame({} if is_map else [], is_map, event.anchor, start))
                self.written += 1
                if self.written > max_nodes:
                    self._too_many(event)
                continue
            elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                frame = stack.pop()
                value = frame.container
                if frame.anchor is not None:
                    size = self.written + self.expanded - frame.start
                    self.anchors[frame.anchor] = (value, size, frame.height)
                if stack and frame.height >= stack[-1].height:
                    stack[-1].height = frame.height + 1
            elif kind is _ALIAS:
                value = self._alias(event)
            elif kind is _DOCUMENT_START:
                self.documents += 1
                if self.documents > 1:
                    self._at(event)
                    raise _Refusal("A YAML stream of more than one document", "yaml.documents")
                continue
            elif kind is yaml.StreamEndEvent:
                return root
            else:
                continue
            if not stack:
                root = value
            elif stack[-1].is_map:
                top = stack[-1]
                if top.key is _MERGE:
                    self._merge(top, value, event)
                else:
                    top.container[top.key] = value
                top.key = _NO_KEY
            else:
                stack[-1].container.append(value)

    def _key(self, top: _Frame, event: Any) -> None:
        key: str = event.value
        if event.tag is not None and event.tag not in _SCALAR_TAGS:
            self._at(event)
            raise _Refusal(f"The YAML tag {_short(event.tag)} is not taken", "yaml.tag")
        if event.anchor is not None:
            self.anchors[event.anchor] = (key, 1, 0)
        if key == "<<" and event.tag is None and event.implicit[0]:
            top.key = _MERGE
            return
        if key in top.container:
            if top.merged is None or key not in top.merged:
                self._at(event)
                raise _Refusal(f"The key {key!r} appears twice", "key.duplicate", key)
            top.merged.discard(key)  # written out after the merge: it replaces the merged value
        top.key = key

    def _merge(self, top: _Frame, value: Any, event: Any) -> None:
        """The keys of the mapping `value` (or of each in the list `value`) that `top` has
        not written, added to it; the first mapping of a list wins over the later ones."""
        sources = value if isinstance(value, list) else [value]
        if not all(isinstance(source, dict) for source in sources):
            self._at(event)
            raise _Refusal("A merge key (<<) takes a mapping or a list of mappings", "yaml.merge")
        merged = top.merged if top.merged is not None else set()
        container = top.container
        for source in sources:
            for key, item in source.items():
                if key not in container:
                    container[key] = item
                    merged.add(key)
        top.merged = merged

    def _plain(self, event: Any, max_digits: int) -> Any:
        try:
            return plain_scalar(event.value, max_digits)
        except NumberRefused as refused:
            self._at(event)
            raise _Refusal(str(refused), "number") from None

    def _tagged(self, event: Any, max_digits: int) -> Any:
        tag = event.tag
        if tag not in _SCALAR_TAGS:
            self._at(event)
            raise _Refusal(f"The YAML tag {_short(tag)} is not taken", "yaml.tag")
        wanted = _SCALAR_TAGS[tag]
        if wanted is str:
            return event.value
        value = self._plain(event, max_digits)
        if wanted is float and type(value) is int:
            return float(value)
        if (value is None) if wanted is None else type(value) is wanted:
            return value
        self._at(event)
        raise _Refusal(f"{event.value[:40]!r} is not a {_short(tag)}", "yaml.tag")

    def _alias(self, event: Any) -> Any:
        self._at(event)
        self.aliases += 1
        limits = self.limits
        if self.aliases > limits.max_aliases:
            raise _Refusal(f"More than {limits.max_aliases} YAML aliases", "yaml.aliases")
        stack = self.stack
        if stack and stack[-1].is_map and stack[-1].key is _NO_KEY:
            raise _Refusal("A key must be a string, not an alias", "key.type")
        found = self.anchors.get(event.anchor)
        if found is None:
            open_anchors = {frame.anchor for frame in stack}
            problem = "is recursive" if event.anchor in open_anchors else "is not defined"
            raise _Refusal(f"The YAML alias *{event.anchor} {problem}", "yaml.alias")
        value, size, height = found
        allowed = max(limits.max_alias_nodes, self.written)
        if self.expanded + size > allowed:
            raise _Refusal(f"YAML aliases expand to more than {allowed} values", "yaml.aliases")
        if self.written + self.expanded + size > limits.max_nodes:
            self._too_many(event)
        if len(stack) + height > limits.max_depth:
            raise _Refusal(f"Nested deeper than {limits.max_depth} levels", "document.depth")
        self.expanded += size
        if stack and height >= stack[-1].height:
            stack[-1].height = height + 1
        return copy_json(value)

    def _too_many(self, event: Any) -> None:
        self._at(event)
        raise _Refusal(f"More than {self.limits.max_nodes} values", "document.size")

    def _at(self, event: Any) -> None:
        mark = event.start_mark
        self.position = f"line {mark.line + 1}, column {mark.column + 1}"

    def here(self) -> str:
        """The pointer of the place being read."""
        tokens: list[str | int] = []
        for frame in self.stack:
            if not frame.is_map:
                tokens.append(len(frame.container))
            elif frame.key is not _NO_KEY:
                tokens.append("<<" if frame.key is _MERGE else frame.key)
        return pointer(*tokens)


def _short(tag: str | None) -> str:
    return "!!" + tag.removeprefix(_CORE) if tag and tag.startswith(_CORE) else str(tag)


def _reader_problem(error: Any) -> str:
    """A reader's complaint (a character YAML does not allow) with its offset."""
    reason = getattr(error, "reason", None)
    position = getattr(error, "position", None)
    character = getattr(error, "character", None)
    if reason is None or position is None:
        return str(error)
    code = f"#x{character:04x} " if isinstance(character, int) else ""
    return f"{reason}: character {code}at offset {position}"


def _refused(at: str, message: str, kind: str) -> DocumentRefused:
    return DocumentRefused([Problem(at, message, kind)])
