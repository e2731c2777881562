"""Input validation: the JSON Schema generated from schema.json, checked with jsonschema, worded as before."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pulumi.runtime.rpc import UNKNOWN

from codegen import python_dynamic
from pulumi_macie_provider.resources._schema import JSON_SCHEMAS
from pulumi_macie_provider.resources.config import config_values, settings_from_values
from pulumi_macie_provider.resources.provider_config import check_provider
from pulumi_macie_provider.resources.validation import WRITTEN_PATTERN, check_config, check_inputs

S3 = "macie:index:MacieS3Resource"
MEMBER = "macie:index:MacieMemberAccount"
SCHEMA = python_dynamic.load_schema()
CONSTRAINTS = ("minLength", "maxLength", "minimum", "maximum")


def test_generated_json_schemas_are_valid() -> None:
    """Every generated schema is valid JSON Schema (draft 2020-12)."""
    for schema in [*JSON_SCHEMAS["resources"].values(), JSON_SCHEMAS["config"]]:
        Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("token", sorted(SCHEMA["resources"]))
def test_json_schema_states_each_constraint_of_schema_json(token: str) -> None:
    """Each input's type, constraints and requiredness in schema.json are in its resource's JSON Schema; a
    pattern anchored, with the rule as written beside it."""
    resource = SCHEMA["resources"][token]
    generated = JSON_SCHEMAS["resources"][token]
    assert generated["required"] == resource["requiredInputs"]
    assert generated["additionalProperties"] is False
    for key, prop in resource["inputProperties"].items():
        assert {c: prop[c] for c in CONSTRAINTS if c in prop}.items() <= generated["properties"][key].items()
        if "pattern" in prop:
            assert generated["properties"][key]["pattern"] == python_dynamic.anchored(prop["pattern"])
            assert generated["properties"][key][WRITTEN_PATTERN] == prop["pattern"]
        else:
            assert "pattern" not in generated["properties"][key]
        if "type" in prop:
            assert generated["properties"][key]["type"] == prop["type"]


@pytest.mark.parametrize("value", ["1234567890123", "123456789012\n", "x123456789012"])
def test_pattern_is_a_rule_for_the_whole_value(value: str) -> None:
    """A value that only contains a match of the pattern fails it (JSON Schema alone would search)."""
    _, failures = check_inputs(MEMBER, {"memberAccountId": value})
    assert failures == [("memberAccountId", f"{value!r} does not match the pattern [0-9]{{12}}")]


@pytest.mark.parametrize(
    ("pattern", "value", "whole"),
    [
        ("[0-9]{12}", "123456789012", True),
        ("[0-9]{12}", "123456789012\n", False),
        ("[0-9]{12}", "\n123456789012", False),
        ("[0-9]{12}", "1234567890123", False),
        ("a|b", "a", True),
        ("a|b", "ab", False),
        ("(x)(y)?", "xy", True),
        ("https?://[^/\\s]+(/.*)?", "http://h/a\nb", False),
    ],
)
def test_an_anchored_pattern_is_a_whole_value_rule_in_plain_json_schema(pattern: str, value: str, whole: bool) -> None:
    """Plain JSON Schema, which searches a pattern, judges a generated one as a rule for the whole value:
    as re.fullmatch does, a final newline included, and alternatives kept inside the anchors."""
    valid = Draft202012Validator({"type": "string", "pattern": python_dynamic.anchored(pattern)}).is_valid(value)
    assert valid is whole is bool(re.fullmatch(pattern, value))


def test_unknown_values_are_not_judged_nor_missing() -> None:
    """A required value the engine does not know yet is neither missing nor checked; nor an inner one."""
    assert check_inputs(MEMBER, {"memberAccountId": UNKNOWN})[1] == []
    assert check_inputs(S3, {"bucketName": "b", "classificationType": {"oneTime": UNKNOWN}})[1] == []


def test_a_mistyped_value_gets_one_failure() -> None:
    """A value of the wrong type is told its type, not also every rule it cannot meet."""
    _, failures = check_inputs(S3, {"bucketName": "b", "classificationType": {"oneTime": True}})
    assert failures == [("classificationType.oneTime", "True is not a valid value: expected a string, got bool")]


def test_internal_keys_pass_at_the_top_only() -> None:
    """The engine's ``__`` keys are allowed beside a resource's inputs, not inside an input's object."""
    assert check_inputs(S3, {"bucketName": "b", "__provider": "x", "__defaults": []})[1] == []
    _, failures = check_inputs(S3, {"bucketName": "b", "classificationType": {"__x": "FULL"}})
    assert failures == [("classificationType.__x", "unknown property; expected one of continuous, oneTime")]


def test_none_is_an_absent_value() -> None:
    """``None`` for a required input is missing; for an optional one it is left alone."""
    assert check_inputs(S3, {"bucketName": None})[1] == [("bucketName", "missing required property")]
    assert check_inputs(S3, {"bucketName": "b", "prefix": None})[1] == []


def test_failures_come_unknown_properties_first_then_by_name() -> None:
    """Failures are listed in a stable order: unknown properties as given, then the others by name."""
    _, failures = check_inputs(S3, {"zeta": 1, "prefix": 7.5, "alpha": 2, "memberAccountId": "1"})
    assert [path for path, _ in failures] == ["zeta", "alpha", "bucketName", "memberAccountId", "prefix"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"maxAttempts": 0}, ("macie:maxAttempts", "0 is out of range: must be from 1 to 50")),
        ({"maxAttempts": 8.5}, ("macie:maxAttempts", "8.5 is not a valid value: expected an integer, got float")),
        (
            {"endpointUrl": "ftp://user:secret@host"},
            ("macie:endpointUrl", "the value given does not match the pattern https?://[^/\\s]+(/.*)?"),
        ),
        (
            {"endpointUrl": 4510},
            (
                "macie:endpointUrl",
                ("the value given does not match the pattern https?://[^/\\s]+(/.*)? (it was given as a number)"),
            ),
        ),
    ],
)
def test_config_failures_keep_secret_settings_unshown(values: dict[str, Any], expected: tuple[str, str]) -> None:
    """Config failures name the setting and the rule; an endpoint URL or profile is never repeated."""
    assert check_config(values) == [expected]


def test_numbers_too_long_for_an_account_id_get_no_leading_zeros_hint() -> None:
    """A number with more digits than an account ID has lost no leading zeros: the hint to quote it
    is given only to numbers shorter than the 12 digits required."""
    assert check_config({"forbiddenAccountIds": [1111222233334]}) == [
        (
            "macie:forbiddenAccountIds.0",
            "'1111222233334' does not match the pattern [0-9]{12} (it was given as the number 1111222233334)",
        )
    ]
    _, failures = check_inputs(MEMBER, {"memberAccountId": 11112222333})
    assert failures == [
        (
            "memberAccountId",
            (
                "'11112222333' does not match the pattern [0-9]{12} (it was given as the number 11112222333; "
                "quote it as a string to keep leading zeros)"
            ),
        )
    ]


def test_numbers_inside_config_lists_and_objects_are_taken_as_yaml_means_them() -> None:
    """YAML sends every number as a double, inside lists and objects too: an account ID of
    ``allowedAccountIds`` is its digits and ``assumeRole.durationSeconds`` a whole number, in the checked
    inputs and in the settings; a short account ID is refused with the hint to quote it."""
    role = {"roleArn": "arn:aws:iam::444455556666:role/MacieAudit", "durationSeconds": 3600.0}
    news = {"region": "us-east-1", "allowedAccountIds": [444455556666.0], "assumeRole": role}
    checked = check_provider({}, news)
    assert checked.failures == []
    assert checked.inputs["allowedAccountIds"] == ["444455556666"]
    assert checked.inputs["assumeRole"]["durationSeconds"] == 3600
    settings, failures = settings_from_values(config_values(lambda key: news.get(key.split(":", 1)[1])))
    assert failures == []
    assert settings.allowed_account_ids == ("444455556666",)
    assert settings.assume_role is not None and type(settings.assume_role.duration_seconds) is int
    assert check_config({"forbiddenAccountIds": [12]}) == [
        (
            "macie:forbiddenAccountIds.0",
            (
                "'12' does not match the pattern [0-9]{12} (it was given as the number 12; "
                "quote it as a string to keep leading zeros)"
            ),
        )
    ]
