"""A run as JUnit XML, parsed back: counts, names, failures and hostile text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from apidock.contracts.checks import Failure
from apidock.contracts.junit import CaseOutcome, junit_xml

OUTCOMES = [
    CaseOutcome("get item", "shop", 12.0, []),
    CaseOutcome(
        "list items",
        "shop",
        30.0,
        [Failure("schema", "1 is not a string", "/0/name"), Failure("status", "500", None)],
    ),
    CaseOutcome("timeout", "shop", 5000.0, [Failure("transport", "connect timed out", None)]),
    CaseOutcome("broken", "shop", 1.0, [Failure("time", "slow", None)], error="runner failed"),
]


def parsed(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 - our own output


def test_counts_and_testcases_match_the_outcomes() -> None:
    data = junit_xml("Shop run 3", OUTCOMES, timestamp=datetime(2024, 5, 1, 12, 0, tzinfo=UTC))
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = parsed(data)
    suites = root.findall("testsuite")
    assert root.tag == "testsuites"
    assert len(suites) == 1
    suite = suites[0]
    for element in (root, suite):
        assert element.get("tests") == "4"
        assert element.get("failures") == "2"
        assert element.get("errors") == "1"
        assert element.get("skipped") == "0"
        assert element.get("time") == "5.043"
    assert suite.get("name") == "Shop run 3"
    assert suite.get("timestamp") == "2024-05-01T12:00:00+00:00"
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == [o.name for o in OUTCOMES]
    assert [case.get("time") for case in cases] == ["0.012", "0.030", "5.000", "0.001"]
    assert cases[0].find("failure") is None
    assert cases[0].find("error") is None


def test_a_failed_case_has_one_failure_listing_each() -> None:
    cases = parsed(junit_xml("s", OUTCOMES)).findall("testsuite/testcase")
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("type") == "several"
    assert failure.get("message") == "1 is not a string"
    assert failure.text == "[schema] /0/name: 1 is not a string\n[status]: 500"
    transport = cases[2].find("failure")
    assert transport is not None
    assert transport.get("type") == "transport"


def test_an_error_counts_as_an_error_with_its_failures_in_its_text() -> None:
    case = parsed(junit_xml("s", OUTCOMES)).findall("testsuite/testcase")[3]
    assert case.find("failure") is None
    error = case.find("error")
    assert error is not None
    assert error.get("message") == "runner failed"
    assert error.text == "runner failed\n[time]: slow"


def test_no_timestamp_gives_the_same_bytes() -> None:
    assert junit_xml("s", OUTCOMES) == junit_xml("s", OUTCOMES)
    assert parsed(junit_xml("s", OUTCOMES)).find("testsuite").get("timestamp") is None  # type: ignore[union-attr]


def test_hostile_text_is_escaped_and_forbidden_characters_removed() -> None:
    hostile = 'a<b>&"c\x00\x1b\ufffe\ud800]]></failure><x y="'
    outcome = CaseOutcome(hostile, hostile, 1.0, [Failure("assertion", hostile, hostile)])
    root = parsed(junit_xml(hostile, [outcome]))
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.get("name") == 'a<b>&"c]]></failure><x y="'
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == 'a<b>&"c]]></failure><x y="'
    assert failure.text is not None
    assert "\x00" not in failure.text


def test_an_empty_run_is_a_valid_report() -> None:
    suite = parsed(junit_xml("empty", [])).find("testsuite")
    assert suite is not None
    assert suite.get("tests") == "0"
    assert suite.get("time") == "0.000"
