"""macie-local over real HTTP on 127.0.0.1 with current boto3 and our model: actions, errors, items."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from macie_local.server import DEFAULT_ACCOUNT_ID

from .conftest import DISABLED, FULL, MEMBER, NONE, OTHER
from .helpers import raw_request

MASTER = DEFAULT_ACCOUNT_ID


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, dict[str, Any]]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response


def listed(macie: Any, member: str | None = None) -> list[dict[str, Any]]:
    args = {"memberAccountId": member} if member else {}
    pages = macie.get_paginator("list_s3_resources").paginate(**args)
    return [item for page in pages for item in page["s3Resources"]]


# -- member accounts ---------------------------------------------------------------------------


def test_member_account_associate_list_disassociate(macie: Any) -> None:
    """A member is associated, listed after the master, and disassociated."""
    assert macie.list_member_accounts()["memberAccounts"] == [{"accountId": MASTER}]
    macie.associate_member_account(memberAccountId="444455556666")
    assert macie.list_member_accounts()["memberAccounts"] == [{"accountId": MASTER}, {"accountId": "444455556666"}]
    macie.disassociate_member_account(memberAccountId="444455556666")
    assert macie.list_member_accounts()["memberAccounts"] == [{"accountId": MASTER}]


def test_member_account_associate_master_itself_succeeds(macie: Any) -> None:
    """Associating the master's own ID succeeds and changes nothing (observed AWS behaviour)."""
    macie.associate_member_account(memberAccountId=MASTER)
    assert macie.list_member_accounts()["memberAccounts"] == [{"accountId": MASTER}]


def test_member_account_associate_twice_is_invalid_input(macie: Any) -> None:
    """A second association of the same member is InvalidInputException naming memberAccountId."""
    macie.associate_member_account(memberAccountId="444455556666")
    with pytest.raises(macie.exceptions.InvalidInputException) as excinfo:
        macie.associate_member_account(memberAccountId="444455556666")
    _code, message, response = error_of(excinfo)
    assert "444455556666 is already associated with Macie" in message
    assert response["fieldName"] == "memberAccountId" and response["errorCode"] == "Exists"


def test_member_account_of_another_master_is_refused(client_for: Callable[..., Any]) -> None:
    """An account that is another master's member cannot be associated again."""
    client_for(OTHER).associate_member_account(memberAccountId="444455556666")
    macie = client_for()
    with pytest.raises(macie.exceptions.InvalidInputException) as excinfo:
        macie.associate_member_account(memberAccountId="444455556666")
    assert "already associated with another Macie master account" in error_of(excinfo)[1]


def test_member_account_disassociate_master_is_refused(macie: Any) -> None:
    """Disassociating the master's own ID answers the observed AWS message."""
    with pytest.raises(macie.exceptions.InvalidInputException) as excinfo:
        macie.disassociate_member_account(memberAccountId=MASTER)
    assert error_of(excinfo)[1].endswith(f"{MASTER} is a master Macie account and cannot be disassociated.")


def test_member_account_disassociate_unknown_is_refused(macie: Any) -> None:
    """Disassociating an account that is not a member answers 'is not yet associated with Macie'."""
    with pytest.raises(macie.exceptions.InvalidInputException) as excinfo:
        macie.disassociate_member_account(memberAccountId="999988887777")
    assert "999988887777 is not yet associated with Macie" in error_of(excinfo)[1]


def test_member_account_with_s3_resources_cannot_leave(macie: Any, bucket: Callable[[], str]) -> None:
    """A member that still has S3 resources is not disassociated; nothing is lost."""
    macie.associate_member_account(memberAccountId="444455556666")
    name = bucket()
    macie.associate_s3_resources(
        memberAccountId="444455556666", s3Resources=[{"bucketName": name, "classificationType": FULL}]
    )
    with pytest.raises(macie.exceptions.InvalidInputException) as excinfo:
        macie.disassociate_member_account(memberAccountId="444455556666")
    assert "still has 1 S3 resource associated" in error_of(excinfo)[1]
    assert len(listed(macie, "444455556666")) == 1


def test_member_account_limit(client_for: Callable[..., Any], endpoint: Any) -> None:
    """Past the configured member limit, AssociateMemberAccount is LimitExceededException."""
    from macie_local.backend import Limits

    endpoint.macie.backend.limits = Limits(max_members=2)
    macie = client_for()
    macie.associate_member_account(memberAccountId="000000000001")
    macie.associate_member_account(memberAccountId="000000000002")
    with pytest.raises(macie.exceptions.LimitExceededException) as excinfo:
        macie.associate_member_account(memberAccountId="000000000003")
    _code, _message, response = error_of(excinfo)
    assert response["resourceType"] == "MemberAccount" and response["errorCode"] == "MemberLmt"
    assert len(macie.list_member_accounts()["memberAccounts"]) == 3


def test_limit_messages_count_in_the_singular_for_one(
    client_for: Callable[..., Any], endpoint: Any, bucket: Callable[[], str]
) -> None:
    """A limit of one is worded in the singular: 'already has 1 member account, the limit.'"""
    from macie_local.backend import Limits

    endpoint.macie.backend.limits = Limits(max_members=1, max_s3_resources=0)
    macie = client_for()
    macie.associate_member_account(memberAccountId="000000000001")
    with pytest.raises(macie.exceptions.LimitExceededException) as excinfo:
        macie.associate_member_account(memberAccountId="000000000002")
    assert error_of(excinfo)[1].endswith("already has 1 member account, the limit.")
    with pytest.raises(macie.exceptions.LimitExceededException) as excinfo:
        macie.associate_s3_resources(s3Resources=[{"bucketName": bucket(), "classificationType": FULL}])
    assert "would have 1 S3 resource associated with Macie; the limit is 0." in error_of(excinfo)[1]


def test_member_keys_cannot_manage(client_for: Callable[..., Any], bucket: Callable[[], str]) -> None:
    """A member account's keys can neither read nor change its master's or its own associations."""
    master = client_for()
    master.associate_member_account(memberAccountId=MEMBER.account_id)
    name = bucket()
    master.associate_s3_resources(s3Resources=[{"bucketName": name, "classificationType": FULL}])
    member = client_for(MEMBER)
    for call, kwargs in [
        (member.list_s3_resources, {}),
        (member.list_s3_resources, {"memberAccountId": MASTER}),
        (member.disassociate_s3_resources, {"associatedS3Resources": [{"bucketName": name}]}),
    ]:
        with pytest.raises(member.exceptions.AccessDeniedException) as excinfo:
            call(**kwargs)
        assert "is a member account of master account" in error_of(excinfo)[1]
    with pytest.raises(member.exceptions.InvalidInputException):
        member.list_member_accounts()
    assert len(listed(master)) == 1


def test_other_master_cannot_touch_foreign_member(client_for: Callable[..., Any]) -> None:
    """A master naming another master's member is AccessDeniedException with resourceType."""
    client_for(OTHER).associate_member_account(memberAccountId="444455556666")
    macie = client_for()
    with pytest.raises(macie.exceptions.AccessDeniedException) as excinfo:
        macie.list_s3_resources(memberAccountId="444455556666")
    _code, message, response = error_of(excinfo)
    assert "444455556666 is not a member account of master account 123456789012" in message
    assert response["resourceType"] == "MemberAccount"


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("list_member_accounts", {}),
        ("associate_member_account", {"memberAccountId": "444455556666"}),
        ("disassociate_member_account", {"memberAccountId": "444455556666"}),
        ("list_s3_resources", {}),
        ("associate_s3_resources", {"s3Resources": [{"bucketName": "x-y-z", "classificationType": FULL}]}),
        ("disassociate_s3_resources", {"associatedS3Resources": [{"bucketName": "x-y-z"}]}),
        (
            "update_s3_resources",
            {"s3ResourcesUpdate": [{"bucketName": "x-y-z", "classificationTypeUpdate": {"oneTime": "FULL"}}]},
        ),
    ],
)
def test_disabled_account_gets_not_enabled(client_for: Callable[..., Any], method: str, kwargs: dict[str, Any]) -> None:
    """Every action from an account whose Macie is disabled answers 'Macie is not enabled'."""
    macie = client_for(DISABLED)
    with pytest.raises(macie.exceptions.InvalidInputException) as excinfo:
        getattr(macie, method)(**kwargs)
    assert error_of(excinfo)[1] == "The request was rejected. Macie is not enabled for this AWS account"


# -- S3 resources ------------------------------------------------------------------------------


def test_s3_resource_associate_list_update_disassociate(macie: Any, bucket: Callable[[], str]) -> None:
    """A bucket and a prefix are associated, listed, updated in place and disassociated."""
    name = bucket()
    result = macie.associate_s3_resources(
        s3Resources=[
            {"bucketName": name, "classificationType": NONE},
            {"bucketName": name, "prefix": "logs/", "classificationType": FULL},
        ]
    )
    assert result["failedS3Resources"] == []
    assert listed(macie) == [
        {"bucketName": name, "classificationType": NONE},
        {"bucketName": name, "prefix": "logs/", "classificationType": FULL},
    ]
    update = macie.update_s3_resources(
        s3ResourcesUpdate=[
            {"bucketName": name, "classificationTypeUpdate": {"oneTime": "FULL"}},
        ]
    )
    assert update["failedS3Resources"] == []
    assert listed(macie)[0]["classificationType"] == FULL
    gone = macie.disassociate_s3_resources(associatedS3Resources=[{"bucketName": name, "prefix": "logs/"}])
    assert gone["failedS3Resources"] == []
    assert listed(macie) == [{"bucketName": name, "classificationType": FULL}]


def test_s3_resource_for_member_and_master_are_separate(macie: Any, bucket: Callable[[], str]) -> None:
    """Member-scoped resources are listed for the member only; the master's ID means the master."""
    macie.associate_member_account(memberAccountId="444455556666")
    name = bucket()
    macie.associate_s3_resources(
        memberAccountId="444455556666", s3Resources=[{"bucketName": name, "classificationType": FULL}]
    )
    macie.associate_s3_resources(memberAccountId=MASTER, s3Resources=[{"bucketName": name, "classificationType": NONE}])
    assert listed(macie, "444455556666") == [{"bucketName": name, "classificationType": FULL}]
    assert listed(macie) == [{"bucketName": name, "classificationType": NONE}]


def test_s3_resource_member_must_be_associated(macie: Any, bucket: Callable[[], str]) -> None:
    """Member-scoped S3 actions for an account that is not a member are AccessDeniedException."""
    with pytest.raises(macie.exceptions.AccessDeniedException):
        macie.associate_s3_resources(
            memberAccountId="444455556666", s3Resources=[{"bucketName": bucket(), "classificationType": FULL}]
        )


def test_s3_resource_per_item_failures(macie: Any, bucket: Callable[[], str]) -> None:
    """Missing buckets, duplicates and existing associations fail per item; the rest is done."""
    good, existing = bucket(), bucket()
    macie.associate_s3_resources(s3Resources=[{"bucketName": existing, "classificationType": FULL}])
    result = macie.associate_s3_resources(
        s3Resources=[
            {"bucketName": good, "classificationType": FULL},
            {"bucketName": "no-such-bucket-here", "prefix": "a/", "classificationType": FULL},
            {"bucketName": good, "classificationType": NONE},
            {"bucketName": existing, "classificationType": FULL},
        ]
    )
    failed = result["failedS3Resources"]
    assert [f["failedItem"] for f in failed] == [
        {"bucketName": "no-such-bucket-here", "prefix": "a/"},
        {"bucketName": good},
        {"bucketName": existing},
    ]
    assert all(f["errorCode"] == "InvalidInputException" for f in failed)
    assert "does not exist" in failed[0]["errorMessage"]
    assert "more than once" in failed[1]["errorMessage"]
    assert "already associated" in failed[2]["errorMessage"]
    assert listed(macie) == [
        {"bucketName": existing, "classificationType": FULL},
        {"bucketName": good, "classificationType": FULL},
    ]


def test_s3_resource_disassociate_unknown_matches_aws(macie: Any, bucket: Callable[[], str]) -> None:
    """Disassociating what is not associated is HTTP 200 with AWS's exact failed item."""
    name = bucket()
    result = macie.disassociate_s3_resources(associatedS3Resources=[{"bucketName": name}])
    assert result["failedS3Resources"] == [
        {
            "errorCode": "InvalidInputException",
            "errorMessage": "The request was rejected. The specified S3 resource (bucket or prefix) is not "
            "associated with Macie.",
            "failedItem": {"bucketName": name},
        }
    ]


def test_s3_resource_update_unknown_fails_per_item(macie: Any, bucket: Callable[[], str]) -> None:
    """Updating a resource that is not associated is a per-item failure and changes nothing."""
    name = bucket()
    result = macie.update_s3_resources(
        s3ResourcesUpdate=[
            {"bucketName": name, "prefix": "x/", "classificationTypeUpdate": {"continuous": "FULL"}},
        ]
    )
    assert result["failedS3Resources"][0]["failedItem"] == {"bucketName": name, "prefix": "x/"}
    assert listed(macie) == []


def test_s3_resource_limit_rejects_whole_request(macie: Any, endpoint: Any, bucket: Callable[[], str]) -> None:
    """A request that would pass the S3 resource limit is LimitExceededException and writes nothing."""
    from macie_local.backend import Limits

    endpoint.macie.backend.limits = Limits(max_s3_resources=2)
    name = bucket()
    macie.associate_s3_resources(s3Resources=[{"bucketName": name, "classificationType": FULL}])
    with pytest.raises(macie.exceptions.LimitExceededException) as excinfo:
        macie.associate_s3_resources(
            s3Resources=[
                {"bucketName": name, "prefix": "a/", "classificationType": FULL},
                {"bucketName": name, "prefix": "b/", "classificationType": FULL},
            ]
        )
    assert error_of(excinfo)[2]["resourceType"] == "S3Resource"
    assert len(listed(macie)) == 1


def test_absent_and_empty_prefix_are_the_same_resource(macie: Any, bucket: Callable[[], str]) -> None:
    """A prefix of '' names the whole bucket, like an absent prefix."""
    name = bucket()
    macie.associate_s3_resources(s3Resources=[{"bucketName": name, "prefix": "", "classificationType": FULL}])
    assert listed(macie) == [{"bucketName": name, "classificationType": FULL}]
    assert macie.disassociate_s3_resources(associatedS3Resources=[{"bucketName": name}])["failedS3Resources"] == []


# -- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "kwargs", "field"),
    [
        ("list_s3_resources", {"maxResults": 0}, "maxResults"),
        ("list_member_accounts", {"maxResults": -5}, "maxResults"),
        ("associate_member_account", {"memberAccountId": "12345"}, "memberAccountId"),
        ("associate_s3_resources", {"s3Resources": []}, "s3Resources"),
        (
            "associate_s3_resources",
            {"s3Resources": [{"bucketName": "", "classificationType": FULL}]},
            "s3Resources[0].bucketName",
        ),
        (
            "update_s3_resources",
            {"s3ResourcesUpdate": [{"bucketName": "b-1", "classificationTypeUpdate": {}}]},
            "s3ResourcesUpdate[0].classificationTypeUpdate",
        ),
    ],
)
def test_invalid_input_names_field(
    endpoint: Any, client_for: Callable[..., Any], method: str, kwargs: dict[str, Any], field: str
) -> None:
    """Input the model forbids is InvalidInputException with fieldName, even past client validation."""
    from pulumi_macie_provider.client import ClientSettings, make_client

    from .conftest import DEFAULT_CREDENTIALS

    settings = ClientSettings(
        region="us-east-1", endpoint_url=endpoint.url, max_attempts=1, extra={"parameter_validation": False}
    )
    macie = make_client(settings, credentials=DEFAULT_CREDENTIALS)
    with pytest.raises(macie.exceptions.InvalidInputException) as excinfo:
        getattr(macie, method)(**kwargs)
    assert error_of(excinfo)[2]["fieldName"] == field


@pytest.mark.parametrize(
    ("target", "body", "status", "code"),
    [
        ("MacieService.ListMemberAccounts", "{not json", 400, "SerializationException"),
        ("MacieService.ListMemberAccounts", "[1, 2]", 400, "SerializationException"),
        ("MacieService.ListS3Resources", '{"maxResults": "ten"}', 400, "SerializationException"),
        ("MacieService.AssociateS3Resources", '{"s3Resources": {"bucketName": "b"}}', 400, "SerializationException"),
        ("MacieService.DescribeEverything", "{}", 400, "InvalidAction"),
        ("OtherService.ListS3Resources", "{}", 400, "InvalidAction"),
        (None, "{}", 400, "MissingAction"),
    ],
)
def test_protocol_errors(endpoint: Any, target: str | None, body: str, status: int, code: str) -> None:
    """Malformed JSON, wrong JSON types, unknown or missing targets answer AWS's protocol errors."""
    answer_status, answer, headers = raw_request(endpoint.url, body, target)
    assert (answer_status, answer["__type"]) == (status, code)
    assert headers["x-amzn-errortype"] == code and answer["message"]


# -- authentication ----------------------------------------------------------------------------


def test_auth_missing_token(endpoint: Any) -> None:
    """A request without Authorization is MissingAuthenticationToken (403)."""
    status, answer, _ = raw_request(endpoint.url, sign=False)
    assert (status, answer["__type"]) == (403, "MissingAuthenticationToken")


def test_auth_unknown_access_key(endpoint: Any) -> None:
    """An access key the endpoint does not know is InvalidClientTokenId (403)."""
    status, answer, _ = raw_request(endpoint.url, access_key="AKIAUNKNOWN000000000")
    assert (status, answer["__type"]) == (403, "InvalidClientTokenId")


def test_auth_bad_signature(endpoint: Any) -> None:
    """A signature made with the wrong secret is SignatureDoesNotMatch (403)."""
    status, answer, _ = raw_request(endpoint.url, secret_key="not-the-secret")
    assert (status, answer["__type"]) == (403, "SignatureDoesNotMatch")


def test_auth_tampered_body(endpoint: Any, macie: Any) -> None:
    """A body changed after signing fails the signature and changes nothing."""

    def swap(headers: dict[str, str]) -> None:
        headers["X-Amz-Target"] = "MacieService.AssociateMemberAccount"

    status, answer, _ = raw_request(
        endpoint.url, '{"memberAccountId": "444455556666"}', "MacieService.DisassociateMemberAccount", tamper=swap
    )
    assert (status, answer["__type"]) == (403, "SignatureDoesNotMatch")
    assert macie.list_member_accounts()["memberAccounts"] == [{"accountId": MASTER}]


@pytest.mark.parametrize("minutes", [-16, 16])
def test_auth_request_expired(endpoint: Any, minutes: int) -> None:
    """A request dated more than 15 minutes from the server's clock is RequestExpired (400)."""
    when = datetime.now(timezone.utc) + timedelta(minutes=minutes)
    status, answer, _ = raw_request(endpoint.url, when=when)
    assert (status, answer["__type"]) == (400, "RequestExpired")


def test_auth_within_skew_is_accepted(endpoint: Any) -> None:
    """A request dated 14 minutes ago is still accepted."""
    status, answer, _ = raw_request(endpoint.url, when=datetime.now(timezone.utc) - timedelta(minutes=14))
    assert status == 200 and answer["memberAccounts"] == [{"accountId": MASTER}]


def test_auth_wrong_service_scope(endpoint: Any) -> None:
    """A signature scoped to another service is refused before any action."""
    status, answer, _ = raw_request(endpoint.url, service="s4")
    assert status == 403 and answer["__type"] == "SignatureDoesNotMatch"
    assert "correct service" in answer["message"]


def test_auth_unserved_region(endpoint: Any) -> None:
    """A signature scoped to a region Macie Classic did not run in is refused."""
    status, answer, _ = raw_request(endpoint.url, region="eu-west-9")
    assert (status, answer["__type"]) == (403, "SignatureDoesNotMatch")


def test_auth_malformed_header(endpoint: Any) -> None:
    """An Authorization header without its parts is IncompleteSignature (400)."""

    def garble(headers: dict[str, str]) -> None:
        headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE"

    status, answer, _ = raw_request(endpoint.url, tamper=garble)
    assert (status, answer["__type"]) == (400, "IncompleteSignature")


def test_auth_checked_before_target(endpoint: Any) -> None:
    """An unauthenticated caller learns nothing: an unknown target still answers the auth error."""
    _status, answer, _ = raw_request(endpoint.url, "{}", "MacieService.Nope", secret_key="bad")
    assert answer["__type"] == "SignatureDoesNotMatch"


def test_regions_are_separate(client_for: Callable[..., Any]) -> None:
    """State is per region: a member in us-east-1 is not one in us-west-2."""
    client_for().associate_member_account(memberAccountId="444455556666")
    west = client_for(region="us-west-2")
    assert west.list_member_accounts()["memberAccounts"] == [{"accountId": MASTER}]


# -- S3 on the same port -----------------------------------------------------------------------


def test_s3_served_on_same_port(s3: Any, macie: Any) -> None:
    """Buckets made through the S3 API on the same port are the ones Macie sees; deleted ones vanish."""
    s3.create_bucket(Bucket="same-port-bucket")
    assert "same-port-bucket" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    ok = macie.associate_s3_resources(s3Resources=[{"bucketName": "same-port-bucket", "classificationType": FULL}])
    assert ok["failedS3Resources"] == []
    macie.disassociate_s3_resources(associatedS3Resources=[{"bucketName": "same-port-bucket"}])
    s3.delete_bucket(Bucket="same-port-bucket")
    again = macie.associate_s3_resources(s3Resources=[{"bucketName": "same-port-bucket", "classificationType": FULL}])
    assert "does not exist" in again["failedS3Resources"][0]["errorMessage"]


def test_response_headers(endpoint: Any) -> None:
    """Answers carry the JSON 1.1 content type, a request ID of their own, and the action's JSON answer;
    an error also names its type in x-amzn-ErrorType."""
    status, answer, headers = raw_request(endpoint.url)
    assert status == 200
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert answer == {"memberAccounts": [{"accountId": MASTER}]}
    _, _, again = raw_request(endpoint.url)
    assert len({headers["x-amzn-requestid"], again["x-amzn-requestid"]}) == 2
    assert all(len(h["x-amzn-requestid"]) >= 32 for h in (headers, again))
    status, answer, headers = raw_request(endpoint.url, target="MacieService.Nope")
    assert status == 400 and headers["content-type"] == "application/x-amz-json-1.1"
    assert headers["x-amzn-errortype"] == answer["__type"] == "InvalidAction"
    assert "x-amzn-errortype" not in again
