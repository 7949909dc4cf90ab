"""JSON Pointers and the shapes of a report and of a refusal."""

import pytest

from apidock.descriptions.problems import (
    DocumentRefused,
    Problem,
    Report,
    child,
    pointer,
    tokens_of,
)


def test_pointer_escapes_slash_and_tilde_as_rfc_6901_says() -> None:
    assert pointer() == ""
    assert pointer("paths", "/pets/{id}", "get") == "/paths/~1pets~1{id}/get"
    assert pointer("a~b", 0) == "/a~0b/0"
    assert child("/paths", "/x") == "/paths/~1x"


def test_tokens_of_undoes_pointer() -> None:
    for tokens in ([], ["paths", "/a~/b", "get"], ["", "0"]):
        assert tokens_of(pointer(*tokens)) == tokens
    with pytest.raises(ValueError, match="not a JSON Pointer"):
        tokens_of("paths")


def test_report_and_refusal_shapes() -> None:
    report = Report(format="swagger-2.0")
    report.warn("/paths/~1a/get/operationId", "renamed to a_2")
    report.lose("/paths/~1a/copy", "COPY is not an OpenAPI method")
    assert report.as_dict() == {
        "format": "swagger-2.0",
        "warnings": [{"pointer": "/paths/~1a/get/operationId", "message": "renamed to a_2"}],
        "lost": [{"pointer": "/paths/~1a/copy", "message": "COPY is not an OpenAPI method"}],
    }
    refused = DocumentRefused([Problem("/x/$ref", "external reference to a.yaml", "ref.external")])
    assert refused.status_code == 422
    assert refused.data == [
        {"field": "/x/$ref", "message": "external reference to a.yaml", "type": "ref.external"}
    ]


def test_a_refusal_crosses_a_process_boundary_whole() -> None:
    """Imports are read in a process of their own: the refusal comes back by pickle."""
    import pickle

    refused = DocumentRefused([Problem("/a", "no", "x.y")], "The document cannot be imported")
    again = pickle.loads(pickle.dumps(refused))  # noqa: S301  (its own bytes, just made)
    assert isinstance(again, DocumentRefused)
    assert (again.problems, again.message, again.data) == (
        refused.problems,
        refused.message,
        refused.data,
    )
