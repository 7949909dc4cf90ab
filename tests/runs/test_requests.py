"""A case made into its request: the template filled and encoded, `{{name}}` replaced, the
example a `$ref` names, and the secrets masked in what a result shows."""

from __future__ import annotations

from typing import Any

import pytest

from apidock.runs.requests import CaseUnusable, prepare

DOCUMENT: dict[str, Any] = {
    "components": {
        "requestBodies": {
            "Order": {
                "content": {
                    "application/json": {
                        "examples": {"small": {"$ref": "#/components/examples/Small"}}
                    },
                    "text/plain": {"examples": {"note": {"value": "one cup"}}},
                }
            }
        },
        "examples": {"Small": {"value": {"items": 1}}},
    }
}
OPERATION = {"requestBody": {"$ref": "#/components/requestBodies/Order"}}


def made(request: dict[str, Any], **names: str) -> Any:
    return prepare(
        method="post",
        template="/shops/{shop}/orders/{id}",
        operation=OPERATION,
        base_url="https://api.example.com/v2/",
        request=request,
        names=names,
        document=DOCUMENT,
    )


def test_the_template_is_filled_one_encoded_segment_each() -> None:
    prepared = made({"path": {"shop": "a/b c", "id": "{{n}}"}, "query": {"q": "x y"}}, n="7")
    assert prepared.method == "POST"
    assert prepared.url == "https://api.example.com/v2/shops/a%2Fb%20c/orders/7?q=x+y"
    assert prepared.body is None


def test_an_example_named_through_refs_is_the_body_with_its_media_type() -> None:
    prepared = made({"path": {"shop": "s", "id": "1"}, "example": "small"})
    assert prepared.body == b'{"items": 1}'
    assert ("Content-Type", "application/json") in prepared.headers
    text = made({"path": {"shop": "s", "id": "1"}, "example": "note"})
    assert (text.body, ("Content-Type", "text/plain") in text.headers) == (b"one cup", True)
    with pytest.raises(CaseUnusable, match="no request example"):
        made({"path": {"shop": "s", "id": "1"}, "example": "gone"})


def test_a_missing_parameter_or_variable_is_refused_by_name() -> None:
    with pytest.raises(CaseUnusable, match="'id'"):
        made({"path": {"shop": "s"}})
    with pytest.raises(CaseUnusable, match="token"):
        made({"path": {"shop": "s", "id": "1"}, "headers": {"X-Key": "{{token}}"}})


def test_what_a_result_shows_masks_every_secret() -> None:
    prepared = made(
        {"path": {"shop": "{{key}}", "id": "1"}, "headers": {"Authorization": "Bearer {{key}}"}},
        key="s3cr3t-value",
    )
    assert "s3cr3t-value" in prepared.url
    shown = prepared.shown({"key": "s3cr3t-value"})
    assert "s3cr3t-value" not in str(shown)
    assert shown["headers"]["Authorization"] == "Bearer ***"
