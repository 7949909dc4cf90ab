"""What a mock request asks for: Prefer (RFC 7240), x-mock-response-*, Accept (RFC 9110)."""

from __future__ import annotations

import pytest

from apidock.mocking.negotiation import (
    MAX_HEADER,
    NO_PREFERENCES,
    PreferenceRefused,
    Preferences,
    accept_ranges,
    choose_media_type,
    preferences_of,
)


def prefer(value: str, **headers: str) -> Preferences:
    return preferences_of({"prefer": value, **headers})


def chosen(accept: str | None, *documented: str) -> tuple[str, str] | None:
    found = choose_media_type(accept_ranges(accept), documented)
    return None if found is None else (documented[found[0]], found[1])


def test_no_preference_headers() -> None:
    assert preferences_of({}) is NO_PREFERENCES
    assert preferences_of({"accept": "application/json"}) == Preferences()


def test_every_preference_the_mock_knows() -> None:
    found = prefer("code=404, example=lost, dynamic=true, seed=42, validate=true")
    assert found == Preferences(code=404, example="lost", dynamic=True, seed="42", validate=True)


def test_names_are_case_insensitive_and_values_may_be_quoted() -> None:
    found = prefer('Code="201", EXAMPLE="a, b; c \\"d\\""; x=1, Dynamic=FALSE')
    assert found == Preferences(code=201, example='a, b; c "d"', dynamic=False)


def test_the_first_instance_of_a_preference_counts() -> None:
    assert prefer("code=404, code=500").code == 404


def test_unknown_preferences_and_parameters_are_ignored() -> None:
    found = prefer("return=minimal, respond-async, wait=10, code=202;foo=bar, ,")
    assert found == Preferences(code=202)


def test_seeds_are_integers_written_in_one_way() -> None:
    assert prefer("seed=007").seed == "7"
    assert prefer("seed=-3").seed == "-3"


@pytest.mark.parametrize(
    "value",
    [
        "code=abc",
        "code=99",
        "code=600",
        "code=2000",
        "code",
        "dynamic=maybe",
        "validate=1",
        "seed=x",
        "seed=" + "9" * 41,
        "example=",
        "example=" + "x" * 257,
        'example="open',
        "x" * (MAX_HEADER + 1),
    ],
)
def test_a_preference_the_mock_cannot_take_is_refused(value: str) -> None:
    with pytest.raises(PreferenceRefused):
        prefer(value)


def test_x_mock_response_headers_and_prefer_winning_over_them() -> None:
    headers = {"x-mock-response-code": "418", "x-mock-response-name": "teapot"}
    assert preferences_of(headers) == Preferences(code=418, example="teapot")
    assert preferences_of({**headers, "prefer": "code=200"}) == Preferences(
        code=200, example="teapot"
    )
    with pytest.raises(PreferenceRefused):
        preferences_of({"x-mock-response-code": "oops"})


def test_a_long_prefer_header_is_read_in_linear_time() -> None:
    value = ",".join(["a=1"] * 1000)[: MAX_HEADER - 10] + ",code=200"
    assert prefer(value).code is None or prefer(value).code == 200


def test_without_accept_or_with_any_the_first_documented_type() -> None:
    documented = ("application/xml", "application/json")
    assert chosen(None, *documented) == ("application/xml", "application/xml")
    assert chosen("*/*", *documented) == ("application/xml", "application/xml")


def test_q_values_rank_the_documented_types() -> None:
    documented = ("application/xml", "application/json")
    assert chosen("application/xml;q=0.5, application/json", *documented) == (
        "application/json",
        "application/json",
    )
    assert chosen("application/*;q=0.2, application/json;q=0.1", *documented)[0] == (
        "application/xml"
    )


def test_the_most_specific_range_gives_a_type_its_q() -> None:
    documented = ("text/html", "text/plain")
    # text/html is excluded by its own range although text/* takes it
    assert chosen("text/*, text/html;q=0", *documented) == ("text/plain", "text/plain")
    assert chosen("text/html;q=0", *documented) is None


def test_equal_q_values_go_to_the_more_specific_match_then_document_order() -> None:
    documented = ("application/json", "application/xml")
    assert chosen("*/*, application/xml", *documented)[0] == "application/xml"
    assert chosen("application/xml, application/json", *documented)[0] == "application/json"


def test_parameters_are_ignored_and_the_documented_type_is_sent_as_written() -> None:
    documented = ("application/json; charset=utf-8",)
    assert chosen("application/json;version=2;q=0.9", *documented) == (
        documented[0],
        documented[0],
    )
    assert chosen("APPLICATION/JSON", "application/json") == (
        "application/json",
        "application/json",
    )


def test_nothing_acceptable() -> None:
    assert chosen("image/png", "application/json") is None
    assert chosen("application/json;q=0", "application/json") is None


def test_ranges_and_qs_that_do_not_parse_are_skipped() -> None:
    assert accept_ranges("garbage, */json, a/b;q=2, a/c;q=0.1234, text/plain;q=0.5") == (
        accept_ranges("text/plain;q=0.5")
    )
    # nothing usable left: as if there were no Accept
    assert accept_ranges("nonsense") is None
    assert chosen("nonsense", "application/xml") == ("application/xml", "application/xml")


@pytest.mark.parametrize("value", ["a/b," * 65, "a/" + "b" * MAX_HEADER])
def test_a_huge_accept_is_refused(value: str) -> None:
    with pytest.raises(PreferenceRefused):
        accept_ranges(value)


def test_a_documented_range_is_answered_with_a_concrete_type() -> None:
    assert chosen(None, "*/*") == ("*/*", "application/json")
    assert chosen(None, "text/*") == ("text/*", "text/plain")
    assert chosen("application/xml", "application/*") == ("application/*", "application/xml")
    assert chosen("text/csv, */*;q=0.1", "*/*") == ("*/*", "text/csv")
    assert chosen("text/*", "*/*") == ("*/*", "text/plain")
    assert chosen("application/json;q=0, */*", "*/*") == ("*/*", "text/plain")
    assert chosen("image/png", "text/*") is None
