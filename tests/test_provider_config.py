"""A provider's own check and diff (``resources.provider_config``): what its inputs record, and which
changes replace its resources. The native plugin answers CheckConfig and DiffConfig with these."""

from __future__ import annotations

import json

import pytest
from pulumi.runtime.rpc import UNKNOWN

from pulumi_macie_provider.resources.provider_config import check_provider, diff_provider

LOCAL = "http://127.0.0.1:4510"
ROLE = {"roleArn": "arn:aws:iam::444455556666:role/MacieAdmin", "externalId": "corp-4711"}


@pytest.fixture(autouse=True)
def no_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_MACIE"):
        monkeypatch.delenv(name, raising=False)


def test_the_endpoint_the_environment_gives_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_MACIE", LOCAL + "/")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://elsewhere:1")
    assert check_provider({}, {"region": "us-east-1"}).inputs == {"region": "us-east-1", "endpointUrl": LOCAL}
    monkeypatch.delenv("AWS_ENDPOINT_URL_MACIE")
    assert check_provider({}, {"region": "us-east-1"}).inputs["endpointUrl"] == "http://elsewhere:1"


def test_a_run_without_the_variable_keeps_the_recorded_endpoint_and_aws_is_recorded_as_its_url() -> None:
    assert check_provider({"endpointUrl": LOCAL}, {"region": "us-east-1"}).inputs["endpointUrl"] == LOCAL
    aws = check_provider({}, {"region": "us-west-2"}).inputs
    assert aws["endpointUrl"] == "https://macie.us-west-2.amazonaws.com"


def test_keys_and_an_endpoint_with_a_password_are_recorded_as_secrets() -> None:
    checked = check_provider(
        {}, {"region": "us-east-1", "endpointUrl": "http://u:pw@Host:80/", "accessKey": "AKIA1", "secretKey": "s"}
    )
    assert checked.inputs["endpointUrl"] == "http://u:pw@host"
    assert sorted(checked.secrets) == ["accessKey", "endpointUrl", "secretKey"]
    assert checked.failures == []
    # A bad key is refused without repeating it.
    refused = check_provider({}, {"region": "us-east-1", "accessKey": "AKIA1", "secretKey": ["not-text"]}).failures
    assert [key for key, _ in refused] == ["secretKey"] and "not-text" not in refused[0][1]


def test_settings_the_sdks_send_as_json_are_checked_as_values() -> None:
    checked = check_provider(
        {},
        {
            "region": "us-east-1",
            "maxAttempts": "3",
            "assumeRole": json.dumps(ROLE),
            "allowedAccountIds": json.dumps(["444455556666"]),
        },
    )
    assert checked.failures == []
    assert checked.inputs["maxAttempts"] == 3 and checked.inputs["assumeRole"] == ROLE
    # A dict given to the Python SDK arrives with its Python names (pulumi/pulumi#18810): taken as meant.
    snake = {"role_arn": ROLE["roleArn"], "external_id": ROLE["externalId"]}
    assert check_provider({}, {"region": "us-east-1", "assumeRole": json.dumps(snake)}).inputs["assumeRole"] == ROLE
    bad = check_provider({}, {"region": "us-east-1", "allowedAccountIds": json.dumps(["12"])}).failures
    assert bad == [("allowedAccountIds.0", "'12' does not match the pattern [0-9]{12}")]


@pytest.mark.parametrize(
    ("olds", "news", "changes", "replaces"),
    [
        ({"region": "us-east-1", "endpointUrl": LOCAL}, {"region": "us-east-1", "endpointUrl": LOCAL + "/"}, [], []),
        ({"endpointUrl": LOCAL}, {"endpointUrl": LOCAL, "region": "us-east-1"}, ["region"], []),  # import left it out
        ({"region": "us-east-1"}, {"region": "us-west-2"}, ["region"], ["region"]),
        ({"endpointUrl": LOCAL}, {"endpointUrl": "http://127.0.0.1:4511"}, ["endpointUrl"], ["endpointUrl"]),
        # A new password for the same endpoint updates the provider; the resources stay where they are.
        ({"endpointUrl": "http://u:old@h:1"}, {"endpointUrl": "http://u:new@h:1"}, ["endpointUrl"], []),
        ({"region": "us-east-1"}, {"region": UNKNOWN}, ["region"], ["region"]),
        ({"maxAttempts": 3, "accessKey": "a"}, {"maxAttempts": 5, "accessKey": "b"}, ["accessKey", "maxAttempts"], []),
        ({"assumeRole": ROLE}, {"assumeRole": json.dumps(ROLE)}, [], []),
        (
            {"assumeRole": ROLE},
            {"assumeRole": {**ROLE, "roleArn": "arn:aws:iam::444455556666:role/Other"}},
            ["assumeRole"],
            [],
        ),
        (
            {"assumeRole": ROLE},
            {"assumeRole": {**ROLE, "roleArn": "arn:aws:iam::210987654321:role/MacieAdmin"}},
            ["assumeRole"],
            ["assumeRole"],
        ),
        ({}, {"assumeRole": ROLE}, ["assumeRole"], []),
        ({"region": "us-east-1", "version": "0.1.0"}, {"region": "us-east-1", "version": "0.2.0"}, [], []),
    ],
)
def test_what_a_provider_change_does(olds: dict, news: dict, changes: list[str], replaces: list[str]) -> None:
    diff = diff_provider(olds, news)
    assert (diff.changes, diff.replaces) == (changes, replaces)
    # The resources keep their IDs: a replacement deletes each first.
    assert diff.delete_before_replace == bool(replaces)
