"""Which account a provider acts in: ``allowedAccountIds`` and ``forbiddenAccountIds`` refuse a provider
whose credentials belong to another account before any call to Macie; static keys are used as given."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from macie_local.roles import Role
from macie_local.server import DEFAULT_ACCOUNT, LocalEndpoint
from pulumi_macie_provider.client import ClientSettings, make_session
from pulumi_macie_provider.client.settings import AssumeRole
from pulumi_macie_provider.errors import ConfigurationError, MacieError
from pulumi_macie_provider.resources.clients import client_for
from pulumi_macie_provider.resources.s3_resource import S3ResourceHooks

from .conftest import DEFAULT_CREDENTIALS, FULL, OTHER, credentials_of


def _hooks(endpoint: LocalEndpoint, credentials: dict[str, str], **settings: object) -> S3ResourceHooks:
    return S3ResourceHooks(
        ClientSettings(region="us-east-1", endpoint_url=endpoint.url, **settings),  # type: ignore[arg-type]
        credentials=credentials,  # type: ignore[arg-type]
    )


@pytest.fixture
def s3_of() -> Callable[[LocalEndpoint], str]:
    """Make a bucket on an endpoint; answer its name."""

    def make(endpoint: LocalEndpoint) -> str:
        name = f"test-{uuid.uuid4().hex[:20]}"
        session = make_session(credentials=DEFAULT_CREDENTIALS)  # type: ignore[arg-type]
        session.client("s3", endpoint_url=endpoint.url, region_name="us-east-1").create_bucket(Bucket=name)
        return name

    return make


def _macie_calls(endpoint: LocalEndpoint) -> int:
    return sum(count for name, count in endpoint.macie.counters.items() if not name.startswith("sts."))


@pytest.mark.parametrize(
    ("settings", "word"),
    [
        ({"allowed_account_ids": ("111111111111",)}, "allowedAccountIds"),
        ({"forbidden_account_ids": ("123456789012",)}, "forbiddenAccountIds"),
    ],
)
def test_a_provider_in_an_account_it_may_not_touch_calls_nothing(
    endpoint: LocalEndpoint, settings: dict[str, tuple[str, ...]], word: str
) -> None:
    hooks = _hooks(endpoint, dict(DEFAULT_CREDENTIALS), **settings)
    before = _macie_calls(endpoint)
    with pytest.raises(ConfigurationError) as refused:
        hooks.create({"bucketName": "b-1", "classificationType": FULL})
    assert word in str(refused.value) and "123456789012" in str(refused.value)
    assert "nothing was done" in str(refused.value)
    assert _macie_calls(endpoint) == before, "a refused provider called Macie"


def test_an_allowed_account_is_used_with_the_keys_given(endpoint: LocalEndpoint, bucket: Callable[[], str]) -> None:
    name = bucket()
    hooks = _hooks(
        endpoint,
        credentials_of(OTHER),
        allowed_account_ids=(OTHER.account_id,),
        forbidden_account_ids=("123456789012",),
    )
    assert hooks.master_account() == OTHER.account_id
    hooks.create({"bucketName": name, "classificationType": FULL})
    listed = client_for(ClientSettings(region="us-east-1", endpoint_url=endpoint.url), credentials_of(OTHER))  # type: ignore[arg-type]
    assert [item["bucketName"] for item in listed.list_s3_resources()["s3Resources"]] == [name]
    # The keys are part of what a client is shared by: other keys, another client, another account.
    default = _hooks(endpoint, dict(DEFAULT_CREDENTIALS))
    assert default.client is not hooks.client and default.master_account() == "123456789012"
    assert default.client.list_s3_resources()["s3Resources"] == []


ROLE = Role("arn:aws:iam::444455556666:role/MacieAdmin", ("123456789012",), external_id="corp-4711")


@pytest.fixture
def roled() -> Iterator[LocalEndpoint]:
    with LocalEndpoint(accounts=[DEFAULT_ACCOUNT, OTHER], roles=[ROLE]) as running:
        yield running


def test_a_provider_that_assumes_a_role_acts_in_the_roles_account(
    roled: LocalEndpoint, s3_of: Callable[[LocalEndpoint], Any]
) -> None:
    name = s3_of(roled)
    role = AssumeRole(ROLE.arn, session_name="ci", external_id="corp-4711")
    hooks = _hooks(roled, dict(DEFAULT_CREDENTIALS), assume_role=role, allowed_account_ids=("444455556666",))
    assert hooks.master_account() == "444455556666"
    hooks.create({"bucketName": name, "classificationType": FULL})
    own = client_for(ClientSettings(region="us-east-1", endpoint_url=roled.url), DEFAULT_CREDENTIALS)  # type: ignore[arg-type]
    assert own.list_s3_resources()["s3Resources"] == [], "the association was made in the source account"
    assert [r["bucketName"] for r in hooks.client.list_s3_resources()["s3Resources"]] == [name]
    assert roled.macie.counters["sts.AssumeRole.200"] == 1  # assumed once, for Macie and STS alike


def test_a_role_refused_by_sts_is_a_clear_error_and_calls_no_macie(roled: LocalEndpoint) -> None:
    role = AssumeRole(ROLE.arn, external_id="wrong")
    hooks = _hooks(roled, dict(DEFAULT_CREDENTIALS), assume_role=role, max_attempts=1)
    with pytest.raises(MacieError) as refused:
        hooks.create({"bucketName": "b-1", "classificationType": FULL})
    assert "AccessDenied" in str(refused.value) and "sts:AssumeRole" in str(refused.value)
    assert DEFAULT_CREDENTIALS["aws_secret_access_key"] not in str(refused.value)
    assert _macie_calls(roled) == 0


def test_a_profile_that_assumes_a_role_works_on_the_providers_own_session(
    roled: LocalEndpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """botocore's credential chain assumes a profile's role_arn through the session the client is made on."""
    config = tmp_path / "config"
    config.write_text(
        "[profile source]\n"
        f"aws_access_key_id = {DEFAULT_CREDENTIALS['aws_access_key_id']}\n"
        f"aws_secret_access_key = {DEFAULT_CREDENTIALS['aws_secret_access_key']}\n"
        "[profile macie-admin]\n"
        f"role_arn = {ROLE.arn}\nexternal_id = corp-4711\nsource_profile = source\n"
    )
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", roled.url)
    hooks = S3ResourceHooks(ClientSettings(region="us-east-1", endpoint_url=roled.url, profile="macie-admin"))
    assert hooks.master_account() == "444455556666"
