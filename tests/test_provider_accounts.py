"""Which account a provider acts in: ``allowedAccountIds`` and ``forbiddenAccountIds`` refuse a provider
whose credentials belong to another account before any call to Macie; static keys are used as given."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from macie_local.server import LocalEndpoint
from pulumi_macie_provider.client import ClientSettings
from pulumi_macie_provider.errors import ConfigurationError
from pulumi_macie_provider.resources.clients import client_for
from pulumi_macie_provider.resources.s3_resource import S3ResourceHooks

from .conftest import DEFAULT_CREDENTIALS, FULL, OTHER, credentials_of


def _hooks(endpoint: LocalEndpoint, credentials: dict[str, str], **settings: object) -> S3ResourceHooks:
    return S3ResourceHooks(
        ClientSettings(region="us-east-1", endpoint_url=endpoint.url, **settings),  # type: ignore[arg-type]
        credentials=credentials,  # type: ignore[arg-type]
    )


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
