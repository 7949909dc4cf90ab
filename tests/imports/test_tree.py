"""The group tree of an import's tags: nesting by name and by Postman's parent extension."""

from __future__ import annotations

import pytest

from apidock.descriptions.parts import OperationPart
from apidock.descriptions.problems import Report
from apidock.groups.tree import MAX_GROUP_DEPTH
from apidock.imports import tree
from apidock.imports.tree import PARENT_EXTENSION, plan_groups


def operation(*tags: str) -> OperationPart:
    return OperationPart("/x", "get", {"tags": list(tags), "responses": {}})


def test_tags_nest_by_their_path_names_and_by_their_parent() -> None:
    tags = [
        {"name": "Users"},
        {"name": "Users / Admin", PARENT_EXTENSION: "Users"},
        {"name": "Pets / Cats"},
    ]
    plan = plan_groups(tags, [operation("Users / Admin", "Pets / Cats"), operation()], Report())
    assert [group.key for group in plan.groups] == [
        ("Users",),
        ("Users", "Admin"),
        ("Pets",),
        ("Pets", "Cats"),
    ]
    assert plan.operation_groups == [("Users", "Admin"), None]


def test_a_title_too_long_is_cut_and_a_tag_too_deep_goes_to_its_deepest_fitting_ancestor() -> None:
    long = "t" * 100
    levels = [f"level{n}" for n in range(MAX_GROUP_DEPTH + 1)]
    report = Report()
    plan = plan_groups([{"name": long}, {"name": " / ".join(levels)}], [], report)
    assert plan.groups[0].key == (long[:80],)
    assert plan.groups[-1].key == tuple(levels[:MAX_GROUP_DEPTH])
    assert [warning.type for warning in report.warnings] == ["group.title", "group.title"]


def test_a_deep_chain_of_folders_is_planned_in_linear_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    depth = 5_000
    tags = [{"name": "f0"}] + [
        {"name": f"f{n}", PARENT_EXTENSION: f"f{n - 1}"} for n in range(1, depth)
    ]
    titled: list[str] = []
    own_title = tree._own_title
    monkeypatch.setattr(
        tree, "_own_title", lambda name, parent: titled.append(name) or own_title(name, parent)
    )
    plan = plan_groups(tags, [operation(f"f{depth - 1}")], Report())
    assert len(plan.groups) == MAX_GROUP_DEPTH
    assert plan.operation_groups == [tuple(f"f{n}" for n in range(MAX_GROUP_DEPTH))]
    # each nested tag's title is worked out once: walking each chain anew would be 12.5 million
    assert len(titled) == depth - 1


def test_a_cycle_of_parents_ends() -> None:
    tags = [{"name": "a", PARENT_EXTENSION: "b"}, {"name": "b", PARENT_EXTENSION: "a"}]
    plan = plan_groups(tags, [operation("a")], Report())
    assert plan.operation_groups[0] is not None
