"""The mock's route table: literal before templated segments, one segment per parameter, the
servers' base paths as prefixes, and paths refused before they are looked up."""

from __future__ import annotations

from typing import Any

import pytest

from apidock.mocking.routing import PathRefused, RouteTable

OPERATION = {"get": {"responses": {"200": {"description": "ok"}}}}


def table(*templates: str, **document: Any) -> RouteTable:
    return RouteTable.build({"paths": dict.fromkeys(templates, OPERATION), **document})


def first(routes: RouteTable, path: str) -> tuple[str, dict[str, str]] | None:
    for match in routes.matches(path):
        return match.route.template, match.parameters
    return None


def templates(routes: RouteTable, path: str) -> list[str]:
    return [match.route.template for match in routes.matches(path)]


def test_a_literal_segment_wins_over_a_templated_one_whatever_the_order() -> None:
    routes = table("/pets/{id}", "/pets/mine")
    assert first(routes, "/pets/mine") == ("/pets/mine", {})
    assert first(routes, "/pets/7") == ("/pets/{id}", {"id": "7"})
    assert templates(routes, "/pets/mine") == ["/pets/mine", "/pets/{id}"]


def test_precedence_is_decided_segment_by_segment() -> None:
    routes = table("/{kind}/mine", "/pets/{id}")
    # the first segment decides: `pets` is literal in the second template
    assert templates(routes, "/pets/mine") == ["/pets/{id}", "/{kind}/mine"]


def test_a_segment_with_more_literal_text_wins_and_its_parameter_is_the_rest() -> None:
    routes = table("/files/{name}", "/files/{name}.json")
    assert first(routes, "/files/report.json") == ("/files/{name}.json", {"name": "report"})
    assert first(routes, "/files/report.xml") == ("/files/{name}", {"name": "report.xml"})
    assert first(routes, "/files/.json") == ("/files/{name}", {"name": ".json"})


def test_several_parameters_in_one_segment() -> None:
    routes = table("/range/{from}-{to}")
    assert first(routes, "/range/1-5") == ("/range/{from}-{to}", {"from": "1", "to": "5"})
    assert first(routes, "/range/1-5-9") == ("/range/{from}-{to}", {"from": "1", "to": "5-9"})
    assert first(routes, "/range/-5") is None
    assert first(routes, "/range/15") is None


def test_a_parameter_is_exactly_one_non_empty_segment() -> None:
    routes = table("/pets/{id}")
    assert first(routes, "/pets/a/b") is None
    assert first(routes, "/pets/") is None
    assert first(routes, "/pets/a%2Fb") == ("/pets/{id}", {"id": "a/b"})
    assert first(routes, "/pets/caf%C3%A9") == ("/pets/{id}", {"id": "café"})


def test_a_trailing_slash_is_a_path_of_its_own() -> None:
    assert first(table("/pets"), "/pets/") is None
    assert first(table("/pets/"), "/pets") is None
    assert first(table("/pets", "/pets/"), "/pets/") == ("/pets/", {})
    assert first(table("/"), "/") == ("/", {})


def test_a_server_base_path_is_accepted_as_a_prefix() -> None:
    routes = table("/pets", servers=[{"url": "https://api.example.com/v1"}, {"url": "/api/"}])
    assert first(routes, "/v1/pets") == ("/pets", {})
    assert first(routes, "/api/pets") == ("/pets", {})
    assert first(routes, "/pets") == ("/pets", {})
    assert first(routes, "/v2/pets") is None
    assert first(routes, "/v1") is None


def test_server_variables_take_their_defaults_and_one_without_a_default_any_segment() -> None:
    servers = [
        {
            "url": "{scheme}://{host}/{base}",
            "variables": {
                "scheme": {"default": "https"},
                "host": {"default": "api.example.com"},
                "base": {"default": "v2/beta"},
            },
        },
        {"url": "/tenants/{tenant}"},
    ]
    routes = table("/pets", servers=servers)
    assert first(routes, "/v2/beta/pets") == ("/pets", {})
    assert first(routes, "/tenants/acme/pets") == ("/pets", {})


def test_a_path_level_server_prefixes_that_path_only() -> None:
    document = {
        "paths": {
            "/pets": {**OPERATION, "servers": [{"url": "https://pets.example.com/zoo"}]},
            "/cars": OPERATION,
        }
    }
    routes = RouteTable.build(document)
    assert first(routes, "/zoo/pets") == ("/pets", {})
    assert first(routes, "/zoo/cars") is None


def test_the_path_as_sent_is_tried_before_a_prefix_is_removed() -> None:
    routes = table("/v1/pets", "/pets", servers=[{"url": "/v1"}])
    assert templates(routes, "/v1/pets") == ["/v1/pets", "/pets"]


def test_server_urls_that_do_not_parse_and_relative_ones() -> None:
    routes = table("/pets", servers=[{"url": "http://[::1/x"}, {"url": "base"}, {"url": 7}, "x"])
    assert first(routes, "/base/pets") == ("/pets", {})
    assert first(routes, "/x/pets") is None


def test_path_items_by_reference_and_extensions() -> None:
    document = {
        "paths": {"/pets": {"$ref": "#/components/pathItems/Pets"}, "x-internal": OPERATION},
        "components": {"pathItems": {"Pets": OPERATION}},
    }
    routes = RouteTable.build(document)
    match = next(iter(routes.matches("/pets")))
    assert match.route.item is document["components"]["pathItems"]["Pets"]
    assert match.route.pointer == "/components/pathItems/Pets"
    assert first(routes, "/x-internal") is None


def test_a_path_item_reference_that_resolves_nowhere_is_left_out() -> None:
    routes = RouteTable.build({"paths": {"/a": {"$ref": "#/nowhere"}, "/b": {"$ref": "x.yaml"}}})
    assert first(routes, "/a") is None
    assert first(routes, "/b") is None


@pytest.mark.parametrize(
    "path",
    [
        "/pets/..",
        "/pets/.",
        "/pets/%2e%2E",
        "/pets/%zz",
        "/pets/%",
        "/pets/%4",
        "/pets/%C3",
        "/pets/%FF",
        "/pets/%00",
        "/pets/a\x00b",
        "/pets/%0d%0a",
        "pets",
    ],
)
def test_paths_that_cannot_be_one_are_refused(path: str) -> None:
    with pytest.raises(PathRefused):
        list(table("/pets/{id}").matches(path))


def test_a_path_of_ten_thousand_segments_is_turned_away_fast() -> None:
    routes = table("/pets/{id}", "/a/b/c/d")
    for _ in range(100):
        assert first(routes, "/a" * 10_000) is None


def test_many_templated_siblings_cost_the_size_of_the_table() -> None:
    # Every node of the tree is visited once at most, however the templates interleave.
    paths = [f"/{{a}}/{{b}}/x{index}" for index in range(500)]
    routes = table(*paths, "/{a}/{b}/{c}")
    assert templates(routes, "/1/2/3") == ["/{a}/{b}/{c}"]


def test_a_long_segment_is_matched_without_backtracking() -> None:
    routes = table("/{a}{b}{c}{d}{e}{f}x")
    assert first(routes, "/" + "y" * 100_000) is None
