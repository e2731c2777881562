"""STS on macie-local's port: botocore's own STS client learns who its keys belong to, and is refused as
STS would refuse it, while Macie and S3 keep answering on the same port."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

import pytest
from botocore.exceptions import ClientError

from macie_local.app import Faults
from macie_local.auth import SIGNATURE_MISMATCH
from macie_local.backend import Account
from macie_local.server import DEFAULT_ACCOUNT, LocalEndpoint
from pulumi_macie_provider.client import make_session

from .conftest import DISABLED, MEMBER, OTHER, credentials_of
from .helpers import raw_request

NAMESPACE = "{https://sts.amazonaws.com/doc/2011-06-15/}"
IDENTITY = "Action=GetCallerIdentity&Version=2011-06-15"


@pytest.fixture
def sts_for(endpoint: LocalEndpoint) -> Callable[..., Any]:
    """Build botocore's STS client for the endpoint with an account's keys (or any keys)."""

    def build(account: Account = DEFAULT_ACCOUNT, region: str = "us-east-1") -> Any:
        session = make_session(credentials=credentials_of(account))
        return session.client("sts", endpoint_url=endpoint.url, region_name=region)

    return build


def sts_request(url: str, body: str, **kwargs: Any) -> tuple[int, ElementTree.Element, dict[str, str]]:
    """Send one form request signed for STS (unless told otherwise); answer (status, XML root, headers)."""
    kwargs.setdefault("service", "sts")
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    status, answer, answer_headers = raw_request(url, body, None, headers=headers, **kwargs)
    return status, ElementTree.fromstring(answer["raw"]), answer_headers


def error_of(root: ElementTree.Element) -> tuple[str | None, ...]:
    """(Type, Code, Message) of an STS ``ErrorResponse``."""
    assert root.tag == f"{NAMESPACE}ErrorResponse"
    return tuple(root.findtext(f"{NAMESPACE}Error/{NAMESPACE}{name}") for name in ("Type", "Code", "Message"))


@pytest.mark.parametrize("account", [DEFAULT_ACCOUNT, OTHER, MEMBER, DISABLED], ids=lambda a: a.account_id)
def test_sts_get_caller_identity_names_the_keys_account(sts_for: Callable[..., Any], account: Account) -> None:
    """GetCallerIdentity answers the account of the keys that signed it, as that account's root."""
    identity = sts_for(account).get_caller_identity()
    assert identity["Account"] == identity["UserId"] == account.account_id
    assert identity["Arn"] == f"arn:aws:iam::{account.account_id}:root"
    assert identity["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_sts_answer_is_sts_xml(endpoint: LocalEndpoint) -> None:
    """The answer is STS's XML: the result, and the request ID that the x-amzn-RequestId header also carries."""
    status, root, headers = sts_request(endpoint.url, IDENTITY)
    assert status == 200 and headers["content-type"] == "text/xml"
    assert root.tag == f"{NAMESPACE}GetCallerIdentityResponse"
    result = root.find(f"{NAMESPACE}GetCallerIdentityResult")
    assert result is not None
    assert {child.tag[len(NAMESPACE) :]: child.text for child in result} == {
        "Arn": "arn:aws:iam::123456789012:root",
        "UserId": "123456789012",
        "Account": "123456789012",
    }
    assert root.findtext(f"{NAMESPACE}ResponseMetadata/{NAMESPACE}RequestId") == headers["x-amzn-requestid"]


def test_sts_wrong_secret_is_signature_does_not_match(sts_for: Callable[..., Any]) -> None:
    """A signature made with the wrong secret is SignatureDoesNotMatch (403), as for Macie."""
    sts = sts_for(Account(DEFAULT_ACCOUNT.access_key, "not-the-secret", DEFAULT_ACCOUNT.account_id))
    with pytest.raises(ClientError) as excinfo:
        sts.get_caller_identity()
    error = excinfo.value.response["Error"]
    assert (error["Code"], error["Message"], error["Type"]) == ("SignatureDoesNotMatch", SIGNATURE_MISMATCH, "Sender")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_sts_unknown_key_is_invalid_client_token_id(sts_for: Callable[..., Any]) -> None:
    """An access key the endpoint does not know is InvalidClientTokenId (403)."""
    sts = sts_for(Account("AKIAUNKNOWN000000000", "whatever", "999999999999"))
    with pytest.raises(ClientError) as excinfo:
        sts.get_caller_identity()
    error = excinfo.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    )
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_sts_unserved_region_is_refused(sts_for: Callable[..., Any]) -> None:
    """A signature scoped to a region the endpoint does not serve is refused, as for Macie."""
    with pytest.raises(ClientError) as excinfo:
        sts_for(region="eu-west-9").get_caller_identity()
    error = excinfo.value.response["Error"]
    assert error["Code"] == "SignatureDoesNotMatch"
    assert error["Message"] == "Credential should be scoped to a valid region: one of us-east-1, us-west-2."


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (
            "Action=GetSessionToken&Version=2011-06-15",
            "InvalidAction",
            "Could not find operation GetSessionToken for version 2011-06-15",
        ),
        (
            "Action=GetCallerIdentity&Version=2012-01-01",
            "InvalidAction",
            "Could not find operation GetCallerIdentity for version 2012-01-01",
        ),
        ("Action=GetCallerIdentity", "InvalidAction", "Could not find operation GetCallerIdentity for version NONE"),
        ("Version=2011-06-15", "MissingAction", "The request is missing the Action parameter naming the action."),
    ],
)
def test_sts_unknown_or_missing_action(endpoint: LocalEndpoint, body: str, code: str, message: str) -> None:
    """A verified request for an action (or version) not answered here is InvalidAction (400); none, MissingAction."""
    status, root, _ = sts_request(endpoint.url, body)
    assert status == 400
    assert error_of(root) == ("Sender", code, message)


def test_sts_authenticates_before_the_action(endpoint: LocalEndpoint) -> None:
    """An unauthenticated caller learns nothing: an unknown action still answers the auth error."""
    status, root, _ = sts_request(endpoint.url, "Action=Nope&Version=2011-06-15", secret_key="bad")
    assert status == 403 and error_of(root)[1] == "SignatureDoesNotMatch"


def test_sts_unsigned_form_is_answered_by_sts(endpoint: LocalEndpoint) -> None:
    """An unsigned STS form is STS's to refuse: MissingAuthenticationToken (403), in STS's XML."""
    status, root, _ = sts_request(endpoint.url, IDENTITY, sign=False)
    assert status == 403
    assert error_of(root) == ("Sender", "MissingAuthenticationToken", "Missing Authentication Token")


def test_sts_macie_and_s3_share_the_port(
    endpoint: LocalEndpoint, sts_for: Callable[..., Any], macie: Any, s3: Any
) -> None:
    """STS, Macie and S3 answer on one port, each its own requests; STS calls are counted like Macie's."""
    master = sts_for().get_caller_identity()["Account"]
    assert macie.list_member_accounts()["memberAccounts"] == [{"accountId": master}]
    s3.create_bucket(Bucket="sts-same-port")
    assert "sts-same-port" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    sts_for(OTHER).get_caller_identity()
    counters = endpoint.macie.counters
    assert counters["sts.GetCallerIdentity.200"] == 2 and counters["ListMemberAccounts.200"] == 1


def test_sts_is_not_faulted() -> None:
    """Fault injection is Macie's: with every Macie request throttled, STS still answers."""
    with LocalEndpoint(faults=Faults(throttle_rate=1.0)) as running:
        sts = make_session(credentials=credentials_of(DEFAULT_ACCOUNT)).client(
            "sts", endpoint_url=running.url, region_name="us-east-1"
        )
        assert sts.get_caller_identity()["Account"] == DEFAULT_ACCOUNT.account_id
        assert running.macie.counters == {"sts.GetCallerIdentity.200": 1}


def test_sts_requests_are_logged() -> None:
    """Each STS request is logged once, as sts.<Action>, with the account and status, never the secret."""
    lines: list[str] = []
    with LocalEndpoint(log=lines.append) as running:
        session = make_session(credentials=credentials_of(DEFAULT_ACCOUNT))
        session.client("sts", endpoint_url=running.url, region_name="us-east-1").get_caller_identity()
    assert len(lines) == 1
    assert lines[0].startswith("macie-local action=sts.GetCallerIdentity account=123456789012 status=200 ms=")
    assert DEFAULT_ACCOUNT.secret_key not in lines[0]
