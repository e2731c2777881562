"""Bad input, table-driven, through the real CLI: each case fails at preview naming the property and
the rule, with no API call and nothing written to the stack or the endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from macie_local.server import LocalEndpoint

from .e2e_support import calls, holdings
from .pulumi_harness import PulumiError, PulumiStack

pytestmark = pytest.mark.e2e

PROGRAM = """
import json
import os
import pulumi
import pulumi.dynamic
from pulumi_macie import MacieMemberAccount, MacieS3Resource
from pulumi_macie_provider.dynamic_entry import MacieMemberAccountProvider, MacieS3ResourceProvider

class Raw(pulumi.dynamic.Resource):
    pass


case = json.loads(os.environ["MACIE_BAD_INPUT_CASE"])
if case["kind"] == "member":
    MacieMemberAccount("subject", **case["args"])
elif case["kind"] == "s3":
    MacieS3Resource("subject", **case["args"])
else:  # the provider's own check, past the SDK's keyword arguments
    provider = MacieS3ResourceProvider() if case["kind"] == "raw-s3" else MacieMemberAccountProvider()
    Raw(provider, "subject", case["args"])
"""

OK_S3 = {"bucket_name": "corp-logs"}
LONG = "x" * 501
CASES: list[tuple[str, str, dict[str, Any], dict[str, str], str, str]] = [
    # (case id, kind, args, config, property named, words of the rule)
    ("member-short", "member", {"member_account_id": "12345"}, {}, "memberAccountId", "pattern [0-9]{12}"),
    ("member-long", "member", {"member_account_id": "1234567890123"}, {}, "memberAccountId", "pattern [0-9]{12}"),
    ("member-letters", "member", {"member_account_id": "12345678901a"}, {}, "memberAccountId", "pattern [0-9]{12}"),
    ("member-spaces", "member", {"member_account_id": " 123456789012"}, {}, "memberAccountId", "pattern"),
    ("member-empty", "member", {"member_account_id": ""}, {}, "memberAccountId", "pattern"),
    ("member-int", "member", {"member_account_id": 12345678901}, {}, "memberAccountId", "given as the number"),
    ("member-list", "member", {"member_account_id": ["123456789012"]}, {}, "memberAccountId", "expected a string"),
    ("member-none", "member", {"member_account_id": None}, {}, "member_account_id", "Missing required property"),
    ("member-unicode-digits", "member", {"member_account_id": "١٢٣٤٥٦٧٨٩٠١٢"}, {}, "memberAccountId", "pattern"),
    ("member-control", "member", {"member_account_id": "12345678901\n"}, {}, "memberAccountId", "pattern"),
    (
        "member-raw-unknown",
        "raw-member",
        {"memberAccountId": "123456789012", "colour": "red"},
        {},
        "colour",
        "unknown property",
    ),
    ("member-raw-missing", "raw-member", {}, {}, "memberAccountId", "missing required property"),
    ("bucket-empty", "s3", {"bucket_name": ""}, {}, "bucketName", "too short"),
    ("bucket-too-long", "s3", {"bucket_name": LONG}, {}, "bucketName", "at most 500"),
    ("bucket-slash", "s3", {"bucket_name": "a/b"}, {}, "bucketName", "pattern"),
    ("bucket-colon", "s3", {"bucket_name": "a:b"}, {}, "bucketName", "pattern"),
    ("bucket-float", "s3", {"bucket_name": 4.5}, {}, "bucketName", "expected a string"),
    ("bucket-bool", "s3", {"bucket_name": True}, {}, "bucketName", "expected a string"),
    ("bucket-dict", "s3", {"bucket_name": {"name": "x"}}, {}, "bucketName", "expected a string"),
    ("bucket-none", "s3", {"bucket_name": None}, {}, "bucket_name", "Missing required property"),
    ("bucket-raw-missing", "raw-s3", {"prefix": "a/"}, {}, "bucketName", "missing required property"),
    ("prefix-too-long", "s3", {**OK_S3, "prefix": "p" * 10001}, {}, "prefix", "at most 10000"),
    ("prefix-float", "s3", {**OK_S3, "prefix": 7.5}, {}, "prefix", "expected a string"),
    ("prefix-list", "s3", {**OK_S3, "prefix": ["a/"]}, {}, "prefix", "expected a string"),
    ("s3-member-short", "s3", {**OK_S3, "member_account_id": "1"}, {}, "memberAccountId", "pattern"),
    ("s3-member-letters", "s3", {**OK_S3, "member_account_id": "abcdefghijkl"}, {}, "memberAccountId", "pattern"),
    ("s3-member-int", "s3", {**OK_S3, "member_account_id": 11112222333}, {}, "memberAccountId", "given as the number"),
    (
        "one-time-unknown",
        "s3",
        {**OK_S3, "classification_type": {"one_time": "SOMETIMES"}},
        {},
        "classificationType.oneTime",
        "one of FULL, NONE",
    ),
    (
        "one-time-lower",
        "s3",
        {**OK_S3, "classification_type": {"one_time": "full"}},
        {},
        "classificationType.oneTime",
        "one of FULL, NONE",
    ),
    (
        "continuous-none",
        "s3",
        {**OK_S3, "classification_type": {"continuous": "NONE"}},
        {},
        "classificationType.continuous",
        "one of FULL",
    ),
    (
        "continuous-int",
        "s3",
        {**OK_S3, "classification_type": {"continuous": 1}},
        {},
        "classificationType.continuous",
        "one of FULL",
    ),
    (
        "classification-string",
        "s3",
        {**OK_S3, "classification_type": "FULL"},
        {},
        "classificationType",
        "expected an object",
    ),
    (
        "classification-list",
        "s3",
        {**OK_S3, "classification_type": ["FULL"]},
        {},
        "classificationType",
        "expected an object",
    ),
    (
        "classification-unknown-key",
        "raw-s3",
        {"bucketName": "corp-logs", "classificationType": {"oneTime": "FULL", "weekly": "FULL"}},
        {},
        "classificationType.weekly",
        "unknown property",
    ),
    ("s3-raw-unknown", "raw-s3", {"bucketName": "corp-logs", "owner": "me"}, {}, "owner", "unknown property"),
    ("s3-raw-snake", "raw-s3", {"bucket_name": "corp-logs"}, {}, "bucket_name", "unknown property"),
    ("region-bad", "s3", OK_S3, {"macie:region": "moon-base"}, "macie:region", "pattern"),
    ("region-upper", "s3", OK_S3, {"macie:region": "US-EAST-1"}, "macie:region", "pattern"),
    ("endpoint-no-scheme", "s3", OK_S3, {"macie:endpointUrl": "127.0.0.1:4510"}, "macie:endpointUrl", "pattern"),
    ("endpoint-ftp", "s3", OK_S3, {"macie:endpointUrl": "ftp://127.0.0.1"}, "macie:endpointUrl", "pattern"),
    ("endpoint-spaces", "s3", OK_S3, {"macie:endpointUrl": "http://exa mple"}, "macie:endpointUrl", "pattern"),
    ("attempts-zero", "s3", OK_S3, {"macie:maxAttempts": "0"}, "macie:maxAttempts", "out of range"),
    ("attempts-words", "s3", OK_S3, {"macie:maxAttempts": "many"}, "macie:maxAttempts", "expected an integer"),
    (
        "attempts-huge",
        "member",
        {"member_account_id": "123456789012"},
        {"macie:maxAttempts": "500"},
        "macie:maxAttempts",
        "out of range",
    ),
]


@pytest.fixture(scope="module")
def bad_input_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PulumiStack, LocalEndpoint]]:
    with LocalEndpoint(buckets=["corp-logs"]) as endpoint:
        base = tmp_path_factory.mktemp("bad-input")
        stack = PulumiStack.create(
            base,
            PROGRAM,
            extra_env={
                "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
                "AWS_SECRET_ACCESS_KEY": "bad-input-secret",
                "AWS_REGION": "us-east-1",
            },
        )
        stack.config_set("macie:endpointUrl", endpoint.url)
        yield stack, endpoint


def test_bad_input_table_is_large_enough() -> None:
    """The table covers at least 40 bad inputs across both resources and the provider config."""
    assert len(CASES) >= 40
    assert {kind for _, kind, *_ in CASES} >= {"member", "s3", "raw-s3", "raw-member"}
    assert sum(1 for case in CASES if case[3]) >= 5


@pytest.mark.parametrize(("case_id", "kind", "args", "config", "prop", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_fails_at_preview(
    bad_input_stack: tuple[PulumiStack, LocalEndpoint],
    case_id: str,
    kind: str,
    args: dict[str, Any],
    config: dict[str, str],
    prop: str,
    words: str,
) -> None:
    """The preview fails naming the property and the rule; no API call; nothing in state or endpoint."""
    stack, endpoint = bad_input_stack
    stack.extra_env["MACIE_BAD_INPUT_CASE"] = json.dumps({"kind": kind, "args": args})
    for key, value in config.items():
        stack.config_set(key, value)
    try:
        with pytest.raises(PulumiError) as excinfo:
            stack.preview()
    finally:
        for key in config:
            stack.run("config", "set", key, {"macie:endpointUrl": endpoint.url}.get(key, ""))
            if key != "macie:endpointUrl":
                stack.run("config", "rm", key)
    text = str(excinfo.value)
    assert prop in text and words in text, text[-2000:]
    assert calls(endpoint) == {}
    assert holdings(endpoint) == {"members": [], "s3": []}
    assert stack.dynamic_resources() == []
