"""Where an import's time goes, step by step, measured in the benchmark's process.

The server reads a document in an import process (`apidock.imports.pool`): there
`apidock.imports.prepare.prepare_import` runs `apidock.descriptions.intake.take_in` (read,
tell the format, check the references, the lenient fixes, validation in its two halves, the
cut into parts), plans the groups, counts the report and encodes every JSON column; its result
is pickled back to the server, whose process unpickles it (holding the GIL throughout, as
every C call does) and writes the rows. `stage_times` runs those steps one by one on the bytes
the server is sent, then `take_in` and `prepare_import` whole, so that the steps can be held
to the whole (`unaccounted_s`). What the import over HTTP costs beyond `prepare_import` (the
body sent, the processes' exchange, the rows written, the transaction, the answer) is the
difference between the median import and `prepare_import`, given by bench/import_speed.py.

This follows the import as written today (commit c7613d3): when its steps change, the steps
no longer add up to the whole, which the results show.
"""

from __future__ import annotations

import gc
import pickle
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from harness import pinned

from apidock.descriptions.formats import detect_format
from apidock.descriptions.intake import IntakeLimits, take_in
from apidock.descriptions.lenient import make_lenient_fixes
from apidock.descriptions.loading import Limits, load_document
from apidock.descriptions.parts import split_document
from apidock.descriptions.problems import Report
from apidock.descriptions.refs import check_references
from apidock.descriptions.validation import document_validator
from apidock.descriptions.validation_semantics import semantic_problems
from apidock.imports.prepare import PreparedImport, prepare_import

T = TypeVar("T")
_JSON = "application/json"
# the steps of take_in, in its order
TAKE_IN_STEPS = (
    "load_document",
    "detect_format",
    "check_references",
    "lenient_fixes",
    "validate_schema",
    "validate_semantics",
    "split_document",
)
# where each step runs in the server: the import process, or the server's own process
RUNS_ON = dict.fromkeys(
    (*TAKE_IN_STEPS, "take_in", "prepare_import", "pickle_result"), "import process"
) | {"unpickle_result": "server process"}


class _Steps:
    """Runs the steps, keeping each one's seconds and its span on the perf_counter clock."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.spans: dict[str, tuple[float, float]] = {}

    def __call__(self, name: str, step: Callable[[], T]) -> T:
        start = time.perf_counter()
        value = step()
        end = time.perf_counter()
        self.seconds[name] = round(end - start, 4)
        self.spans[name] = (start, end)
        return value


class _GilWatch:
    """A thread that sleeps 1 ms again and again and notes how late it wakes: waking needs the
    GIL, so a late wake is the time another thread held it without a break. An event loop
    thread waits as long for its next callback: the longest late wake within a step is what
    that step can add, at the least, to a /healthz answered meanwhile."""

    def __init__(self) -> None:
        self.wakes: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="gil-watch", daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            start = time.perf_counter()
            time.sleep(0.001)
            now = time.perf_counter()
            self.wakes.append((now, now - start - 0.001))

    def __enter__(self) -> _GilWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def longest_in(self, span: tuple[float, float]) -> float:
        start, end = span
        # a wake late by `late` seconds at `at` was waiting from `at - late`: in the span
        return max((late for at, late in self.wakes if at - late < end and at > start), default=0.0)


class _GcWatch:
    """The cyclic collector's runs (gc.callbacks): when each began and ended, its generation.
    A full (generation 2) collection walks every tracked object of the process, holding the
    GIL throughout: its length grows with the heap, so with the document's size."""

    def __init__(self) -> None:
        self.runs: list[tuple[float, float, int]] = []
        self._began = 0.0

    def _note(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.runs.append((self._began, time.perf_counter(), info["generation"]))

    def __enter__(self) -> _GcWatch:
        gc.callbacks.append(self._note)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._note)

    def full_in(self, span: tuple[float, float]) -> list[float]:
        """The lengths of the full collections that ran within `span`."""
        return [
            end - begin for begin, end, gen in self.runs if gen == 2 and span[0] <= begin < span[1]
        ]


def _take_in_steps(raw: bytes, limits: IntakeLimits, steps: _Steps) -> tuple[int, int]:
    """The steps of take_in one by one; the errors of the schema check and the semantic one."""
    bounds = Limits(max_bytes=limits.max_bytes, max_depth=limits.max_depth)
    document = steps("load_document", lambda: load_document(raw, media_type=_JSON, limits=bounds))
    source = steps("detect_format", lambda: detect_format(document))
    if source.family != "openapi" or not source.version.startswith("3.1"):
        raise ValueError(f"the stages are those of an OpenAPI 3.1 document, not {source.label}")
    report = Report(format=source.label)
    steps("check_references", lambda: check_references(document, source.family, report))
    steps("lenient_fixes", lambda: make_lenient_fixes(document, report))
    schema_errors = steps(
        "validate_schema", lambda: sum(1 for _ in document_validator().iter_errors(document))
    )
    semantic = steps("validate_semantics", lambda: sum(1 for _ in semantic_problems(document)))
    steps("split_document", lambda: split_document(document, report))
    return schema_errors, semantic


def _run_steps(raw: bytes, limits: IntakeLimits, steps: _Steps) -> dict[str, Any]:
    schema_errors, semantic = _take_in_steps(raw, limits, steps)
    steps("take_in", lambda: take_in(raw, media_type=_JSON, limits=limits))
    prepared = steps("prepare_import", lambda: prepare_import(raw, _JSON, limits))
    sent = steps("pickle_result", lambda: pickle.dumps(prepared, pickle.HIGHEST_PROTOCOL))
    back: PreparedImport = steps("unpickle_result", lambda: pickle.loads(sent))  # noqa: S301 (made here)
    return {
        "schema_errors": schema_errors,
        "semantic_problems": semantic,
        "operations": len(back.apis),
        "warnings": len(back.report.get("warnings") or []),
        "result_pickle_bytes": len(sent),
    }


def stage_times(
    raw: bytes, limits: IntakeLimits, *, core: int | None = None, passes: int = 3
) -> dict[str, Any]:
    """Seconds of each step of an import of the OpenAPI 3.1 JSON document `raw` (on `core`
    alone when given, as the server runs), the full collections of the cyclic GC within each,
    and the longest hold of the GIL within each (passes of their own, watched by a thread free
    to run on any core: pinned beside the steps, its late wakes would be the scheduler's too).
    A hold matters where the step runs in the server's process: its event loop waits as long.

    Each figure is the least of `passes` passes: on a shared machine other work only ever
    adds to a step's time or to a late wake, so the least is the nearest to the step's own.
    """
    seconds: dict[str, list[float]] = {}
    holds: dict[str, list[float]] = {}
    collections: dict[str, list[list[float]]] = {}
    found: dict[str, Any] = {}
    for _ in range(passes):
        steps, watched = _Steps(), _Steps()
        with pinned(core), _GcWatch() as collector:
            found = _run_steps(raw, limits, steps)
        for name, value in steps.seconds.items():
            seconds.setdefault(name, []).append(value)
            collections.setdefault(name, []).append(collector.full_in(steps.spans[name]))
        gc.collect()
        with _GilWatch() as watch:
            _run_steps(raw, limits, watched)
        for name, span in watched.spans.items():
            holds.setdefault(name, []).append(watch.longest_in(span))
        gc.collect()
    least = {name: min(values) for name, values in seconds.items()}
    in_steps = sum(value for name, value in least.items() if name in TAKE_IN_STEPS)
    return found | {
        "passes": passes,
        "stages_s": least,
        "runs_on": {name: RUNS_ON[name] for name in least},
        "longest_gil_hold_ms": {name: round(min(v) * 1000, 1) for name, v in holds.items()},
        # per step, over the passes: the most full collections seen, and the longest one
        "full_gc": {
            name: {
                "count": max(len(runs) for runs in found_runs),
                "longest_ms": round(max(max(r, default=0.0) for r in found_runs) * 1000, 1),
            }
            for name, found_runs in collections.items()
        },
        "take_in_s": least["take_in"],
        "prepare_import_s": least["prepare_import"],
        "unaccounted_s": round(least["take_in"] - in_steps, 4),
    }
