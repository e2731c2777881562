"""Each request our client sends is what the wire facts say: POST /, JSON 1.1, target, SigV4 for macie."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import FULL

CALLS: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    (
        "associate_member_account",
        "AssociateMemberAccount",
        {"memberAccountId": "111122223333"},
        {"memberAccountId": "111122223333"},
    ),
    (
        "disassociate_member_account",
        "DisassociateMemberAccount",
        {"memberAccountId": "111122223333"},
        {"memberAccountId": "111122223333"},
    ),
    (
        "associate_s3_resources",
        "AssociateS3Resources",
        {"s3Resources": [{"bucketName": "b-1", "prefix": "p/", "classificationType": FULL}]},
        {"s3Resources": [{"bucketName": "b-1", "prefix": "p/", "classificationType": FULL}]},
    ),
    (
        "disassociate_s3_resources",
        "DisassociateS3Resources",
        {"memberAccountId": "111122223333", "associatedS3Resources": [{"bucketName": "b-1"}]},
        {"memberAccountId": "111122223333", "associatedS3Resources": [{"bucketName": "b-1"}]},
    ),
    ("list_member_accounts", "ListMemberAccounts", {"maxResults": 5}, {"maxResults": 5}),
    ("list_s3_resources", "ListS3Resources", {}, {}),
    (
        "update_s3_resources",
        "UpdateS3Resources",
        {"s3ResourcesUpdate": [{"bucketName": "b-1", "classificationTypeUpdate": {"oneTime": "NONE"}}]},
        {"s3ResourcesUpdate": [{"bucketName": "b-1", "classificationTypeUpdate": {"oneTime": "NONE"}}]},
    ),
]


@pytest.mark.parametrize(("method", "action", "kwargs", "body"), CALLS, ids=[c[1] for c in CALLS])
def test_request_serialisation(
    macie: Any, method: str, action: str, kwargs: dict[str, Any], body: dict[str, Any]
) -> None:
    """The client sends POST / with JSON 1.1 headers, X-Amz-Target MacieService.<Action>, SigV4 scope macie."""
    sent: list[Any] = []
    macie.meta.events.register("before-send.macie", lambda request, **_: sent.append(request))
    try:
        getattr(macie, method)(**kwargs)
    except macie.exceptions.ClientError:
        pass  # the answer does not matter here, only what was sent
    (request,) = sent
    assert request.method == "POST"
    assert request.url.endswith("/") and request.url.count("/") == 3
    assert (
        request.headers["Content-Type"] == b"application/x-amz-json-1.1"
        or request.headers["Content-Type"] == "application/x-amz-json-1.1"
    )
    target = request.headers["X-Amz-Target"]
    assert (target.decode() if isinstance(target, bytes) else target) == f"MacieService.{action}"
    auth = request.headers["Authorization"]
    auth = auth.decode() if isinstance(auth, bytes) else auth
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/")
    assert "/us-east-1/macie/aws4_request" in auth
    assert "x-amz-target" in auth and "x-amz-date" in auth
    assert json.loads(request.body or b"{}") == body


def test_default_endpoint_is_aws_macie(macie: Any) -> None:
    """Without an endpoint URL, the client resolves macie.<region>.amazonaws.com (FIPS: macie-fips)."""
    from pulumi_macie_provider.client import ClientSettings, make_client

    creds = {"aws_access_key_id": "k", "aws_secret_access_key": "s"}
    assert make_client(ClientSettings(region="us-west-2"), credentials=creds).meta.endpoint_url == (
        "https://macie.us-west-2.amazonaws.com"
    )
    fips = ClientSettings(region="us-east-1", extra={"use_fips_endpoint": True})
    assert make_client(fips, credentials=creds).meta.endpoint_url == "https://macie-fips.us-east-1.amazonaws.com"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"region": "nowhere"}, "invalid region 'nowhere'"),
        ({"endpoint_url": "127.0.0.1:4510"}, "invalid endpoint URL: it must be an absolute http:// or https:// URL"),
        ({"endpoint_url": "ftp://host"}, "invalid endpoint URL: it must be an absolute"),
        ({"retry_mode": "eager"}, "invalid retry mode 'eager'"),
        ({"max_attempts": 0}, "invalid max attempts 0"),
        ({"read_timeout": -1}, "invalid read_timeout -1"),
    ],
)
def test_client_settings_refuse_bad_values(settings: dict[str, Any], message: str) -> None:
    """A bad setting is refused before any client exists, naming the setting and the rule."""
    from pulumi_macie_provider.client import ClientSettings, make_client
    from pulumi_macie_provider.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(")):
        make_client(ClientSettings(**settings), credentials={"aws_access_key_id": "k", "aws_secret_access_key": "s"})
