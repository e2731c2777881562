"""STS AssumeRole on macie-local: botocore's own STS client and credential machinery get a role's session,
Macie answers that session as the role's account, and every refusal is STS's code and message."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from botocore.config import Config
from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials
from botocore.exceptions import ClientError

from macie_local.backend import Account
from macie_local.roles import Role, parse_role
from macie_local.server import DEFAULT_ACCOUNT, LocalEndpoint
from pulumi_macie_provider.client import ClientSettings, make_client, make_session

from .conftest import DISABLED, FULL, MEMBER, OTHER, credentials_of
from .test_endpoint_command import usage_error
from .test_endpoint_sts import NAMESPACE, error_of, sts_request

#: A role in an account no --account declares: its sessions act as an account of its own.
ADMIN = Role("arn:aws:iam::444455556666:role/MacieAdmin", ("123456789012",))
#: A role with a path, an external ID and two hours' sessions.
PARTNER = Role(
    "arn:aws:iam::444455556666:role/partners/Partner",
    ("123456789012",),
    external_id="corp-4711",
    max_session_duration=7200,
)
#: A role in OTHER's account (declared), and one in DISABLED's.
AUDITOR = Role("arn:aws:iam::210987654321:role/Auditor", ("123456789012",), max_session_duration=43200)
SWITCHED_OFF = Role("arn:aws:iam::333344445555:role/Off", ("123456789012",))
#: A role that trusts ADMIN's account only, for role chaining.
NEXT = Role("arn:aws:iam::777788889999:role/Next", ("444455556666",), max_session_duration=43200)
ROLES = (ADMIN, PARTNER, AUDITOR, SWITCHED_OFF, NEXT)
INVALID_TOKEN = ("InvalidClientTokenId", "The security token included in the request is invalid.")


class MovableClock:
    """The real time plus an offset that a test moves forward, so sessions expire without waiting."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def lines() -> list[str]:
    return []


@pytest.fixture
def roled(clock: MovableClock, lines: list[str]) -> Iterator[LocalEndpoint]:
    """A fresh endpoint that declares ``ROLES``, on the test's clock, logging into ``lines``."""
    with LocalEndpoint(
        accounts=[DEFAULT_ACCOUNT, OTHER, DISABLED, MEMBER], roles=ROLES, clock=clock, log=lines.append
    ) as running:
        yield running


def sts_of(endpoint: LocalEndpoint, credentials: dict[str, str], **config: Any) -> Any:
    """botocore's STS client for ``credentials`` (``parameter_validation=False`` lets bad values through)."""
    session = make_session(credentials=credentials)
    return session.client("sts", endpoint_url=endpoint.url, region_name="us-east-1", config=Config(**config))


def macie_of(endpoint: LocalEndpoint, credentials: dict[str, str]) -> Any:
    settings = ClientSettings(region="us-east-1", endpoint_url=endpoint.url, max_attempts=1)
    return make_client(settings, credentials=credentials)


def assume(endpoint: LocalEndpoint, role: Role, caller: dict[str, str] | None = None, **params: Any) -> dict[str, str]:
    """The credentials of a new session of ``role`` (caller: the default account), as a client takes them."""
    params.setdefault("RoleSessionName", "ci")
    answer = sts_of(endpoint, caller or credentials_of(DEFAULT_ACCOUNT)).assume_role(RoleArn=role.arn, **params)
    credentials = answer["Credentials"]
    return {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }


def refusal(call: Any, *args: Any, **kwargs: Any) -> tuple[str, str, int]:
    """(code, message, HTTP status) of the error ``call`` is answered with."""
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def denied(caller_arn: str, role_arn: str) -> tuple[str, str, int]:
    return (
        "AccessDenied",
        f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
        403,
    )


def test_assume_role_session_acts_as_the_roles_account(roled: LocalEndpoint) -> None:
    """A session of a role whose account no --account declares is that account's master, with its own
    Macie state: what it associates is not in the caller's (the master's) list."""
    session = assume(roled, ADMIN)
    bucket = "assumed-role-bucket"
    make_session(credentials=session).client("s3", endpoint_url=roled.url, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    macie = macie_of(roled, session)
    answer = macie.associate_s3_resources(s3Resources=[{"bucketName": bucket, "classificationType": FULL}])
    assert answer["failedS3Resources"] == []
    assert [r["bucketName"] for r in macie.list_s3_resources()["s3Resources"]] == [bucket]
    assert macie.list_member_accounts()["memberAccounts"] == [{"accountId": "444455556666"}]
    master = macie_of(roled, credentials_of(DEFAULT_ACCOUNT))
    assert master.list_s3_resources()["s3Resources"] == []
    assert master.list_member_accounts()["memberAccounts"] == [{"accountId": "123456789012"}]
    assert roled.macie.counters["sts.AssumeRole.200"] == 1


def test_assume_role_answers_credentials_and_the_assumed_role(roled: LocalEndpoint) -> None:
    """The answer: an ASIA key, its secret and token, an expiry an hour on, and the assumed role's ID and ARN."""
    before = datetime.now(timezone.utc)
    answer = sts_of(roled, credentials_of(DEFAULT_ACCOUNT)).assume_role(RoleArn=ADMIN.arn, RoleSessionName="ci")
    credentials, user = answer["Credentials"], answer["AssumedRoleUser"]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", credentials["AccessKeyId"])
    assert len(credentials["SecretAccessKey"]) == 40 and credentials["SessionToken"]
    expires = credentials["Expiration"]
    assert before + timedelta(seconds=3599) <= expires <= datetime.now(timezone.utc) + timedelta(seconds=3600)
    assert re.fullmatch(r"AROA[A-Z2-7]{17}:ci", user["AssumedRoleId"])
    assert user["Arn"] == "arn:aws:sts::444455556666:assumed-role/MacieAdmin/ci"
    again = sts_of(roled, credentials_of(DEFAULT_ACCOUNT)).assume_role(RoleArn=ADMIN.arn, RoleSessionName="ci")
    assert again["AssumedRoleUser"]["AssumedRoleId"] == user["AssumedRoleId"]  # the role's ID is stable
    assert again["Credentials"]["AccessKeyId"] != credentials["AccessKeyId"]


def test_assume_role_answer_is_sts_xml(roled: LocalEndpoint) -> None:
    """On the wire: AssumeRoleResult with Credentials and AssumedRoleUser, Expiration ISO-8601 in UTC."""
    status, root, _ = sts_request(
        roled.url,
        f"Action=AssumeRole&Version=2011-06-15&RoleArn={PARTNER.arn}&RoleSessionName=wire&ExternalId=corp-4711",
    )
    assert status == 200 and root.tag == f"{NAMESPACE}AssumeRoleResponse"
    result = root.find(f"{NAMESPACE}AssumeRoleResult")
    assert result is not None

    def members(element: ElementTree.Element | None) -> dict[str, str | None]:
        assert element is not None
        return {child.tag[len(NAMESPACE) :]: child.text for child in element}

    credentials = members(result.find(f"{NAMESPACE}Credentials"))
    assert sorted(credentials) == ["AccessKeyId", "Expiration", "SecretAccessKey", "SessionToken"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", credentials["Expiration"] or "")
    user = members(result.find(f"{NAMESPACE}AssumedRoleUser"))
    assert user["Arn"] == "arn:aws:sts::444455556666:assumed-role/Partner/wire"  # no path in the session's ARN


def test_assume_role_get_caller_identity_names_the_session(roled: LocalEndpoint) -> None:
    """GetCallerIdentity with a session's keys: the assumed-role ARN, AROA…:session, the role's account."""
    session = assume(roled, ADMIN, RoleSessionName="who.am@i")
    identity = sts_of(roled, session).get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::444455556666:assumed-role/MacieAdmin/who.am@i"
    assert re.fullmatch(r"AROA[A-Z2-7]{17}:who\.am@i", identity["UserId"])
    assert identity["Account"] == "444455556666"


def test_assume_role_in_a_declared_account_acts_as_it(roled: LocalEndpoint) -> None:
    """A role in a declared account: its sessions see that account's Macie state; in a disabled one,
    they get Macie's "not enabled" as its keys do."""
    bucket = "declared-account-bucket"
    make_session(credentials=credentials_of(OTHER)).client(
        "s3", endpoint_url=roled.url, region_name="us-east-1"
    ).create_bucket(Bucket=bucket)
    macie_of(roled, credentials_of(OTHER)).associate_s3_resources(
        s3Resources=[{"bucketName": bucket, "classificationType": FULL}]
    )
    auditor = macie_of(roled, assume(roled, AUDITOR))
    assert [r["bucketName"] for r in auditor.list_s3_resources()["s3Resources"]] == [bucket]
    code, message, _ = refusal(macie_of(roled, assume(roled, SWITCHED_OFF)).list_member_accounts)
    assert (code, message) == (
        "InvalidInputException",
        "The request was rejected. Macie is not enabled for this AWS account",
    )


@pytest.mark.parametrize(
    ("role_arn", "caller", "external_id"),
    [
        ("arn:aws:iam::444455556666:role/NoSuchRole", DEFAULT_ACCOUNT, None),
        (ADMIN.arn, OTHER, None),
        (PARTNER.arn, DEFAULT_ACCOUNT, None),
        (PARTNER.arn, DEFAULT_ACCOUNT, "corp-0000"),
        ("arn:aws:iam::444455556666:role/ops/MacieAdmin", DEFAULT_ACCOUNT, None),
    ],
    ids=["unknown-role", "untrusted-account", "missing-external-id", "wrong-external-id", "other-path"],
)
def test_assume_role_refused_is_access_denied(
    roled: LocalEndpoint, role_arn: str, caller: Account, external_id: str | None
) -> None:
    """An unknown role, an account the role does not trust, a missing or wrong external ID: AccessDenied
    (403) with STS's one message for all of them, naming the caller and the role."""
    extra = {} if external_id is None else {"ExternalId": external_id}
    sts = sts_of(roled, credentials_of(caller), parameter_validation=False)
    answer = refusal(sts.assume_role, RoleArn=role_arn, RoleSessionName="ci", **extra)
    assert answer == denied(f"arn:aws:iam::{caller.account_id}:root", role_arn)
    assert "sts.AssumeRole.403" in roled.macie.counters


def test_assume_role_with_the_external_id(roled: LocalEndpoint) -> None:
    """The role's external ID admits the caller, for up to the role's maximum (here two hours)."""
    session = assume(roled, PARTNER, ExternalId="corp-4711", DurationSeconds=7200)
    assert sts_of(roled, session).get_caller_identity()["Account"] == "444455556666"


def clause(value: str | None, field: str, rule: str) -> str:
    """One broken constraint, as AWS words it."""
    shown = "null" if value is None else f"'{value}'"
    return f"Value {shown} at '{field}' failed to satisfy constraint: Member must {rule}"


def detected(*clauses: str) -> str:
    """AWS's ValidationError message listing every broken constraint."""
    return f"{len(clauses)} validation error{'s' if len(clauses) > 1 else ''} detected: {'; '.join(clauses)}"


AT_LEAST_900 = clause("899", "durationSeconds", "have value greater than or equal to 900")
AT_MOST_43200 = clause("43201", "durationSeconds", "have value less than or equal to 43200")
PAST_ROLE_MAX = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."


@pytest.mark.parametrize(
    ("role", "duration", "message"),
    [(ADMIN, 899, detected(AT_LEAST_900)), (AUDITOR, 43201, detected(AT_MOST_43200)), (ADMIN, 3601, PAST_ROLE_MAX)],
)
def test_assume_role_duration_out_of_bounds(roled: LocalEndpoint, role: Role, duration: int, message: str) -> None:
    """DurationSeconds outside 900..43200, or past the role's MaxSessionDuration: ValidationError (400)."""
    sts = sts_of(roled, credentials_of(DEFAULT_ACCOUNT), parameter_validation=False)
    answer = refusal(sts.assume_role, RoleArn=role.arn, RoleSessionName="ci", DurationSeconds=duration)
    assert answer == ("ValidationError", message, 400)


@pytest.mark.parametrize(("role", "duration"), [(ADMIN, 900), (ADMIN, 3600), (AUDITOR, 43200)])
def test_assume_role_duration_within_bounds(roled: LocalEndpoint, role: Role, duration: int) -> None:
    """A duration from 900 seconds to the role's maximum is granted as asked."""
    answer = sts_of(roled, credentials_of(DEFAULT_ACCOUNT)).assume_role(
        RoleArn=role.arn, RoleSessionName="ci", DurationSeconds=duration
    )
    left = answer["Credentials"]["Expiration"] - datetime.now(timezone.utc)
    assert timedelta(seconds=duration - 5) <= left <= timedelta(seconds=duration)


SESSION_NAME_PATTERN = r"satisfy regular expression pattern: [\w+=,.@-]*"
SHORT_ARN = "arn:aws:iam::role"
BAD_PARAMETERS = [
    ({"RoleSessionName": "a"}, detected(clause("a", "roleSessionName", "have length greater than or equal to 2"))),
    ({"RoleSessionName": "bad name"}, detected(clause("bad name", "roleSessionName", SESSION_NAME_PATTERN))),
    (
        {"RoleSessionName": "x" * 65},
        detected(clause("x" * 65, "roleSessionName", "have length less than or equal to 64")),
    ),
    (
        {"RoleSessionName": "!"},
        detected(
            clause("!", "roleSessionName", SESSION_NAME_PATTERN),
            clause("!", "roleSessionName", "have length greater than or equal to 2"),
        ),
    ),
    ({"RoleArn": SHORT_ARN}, detected(clause(SHORT_ARN, "roleArn", "have length greater than or equal to 20"))),
    ({"RoleArn": "arn:aws:iam::44445555:role/MacieAdmin"}, "arn:aws:iam::44445555:role/MacieAdmin is invalid"),
    ({"RoleArn": "arn:aws:iam::444455556666:user/MacieAdmin"}, "arn:aws:iam::444455556666:user/MacieAdmin is invalid"),
    ({"ExternalId": "x"}, detected(clause("x", "externalId", "have length greater than or equal to 2"))),
    (
        {"RoleSessionName": "a", "DurationSeconds": 60},
        detected(
            clause("a", "roleSessionName", "have length greater than or equal to 2"),
            clause("60", "durationSeconds", "have value greater than or equal to 900"),
        ),
    ),
]


@pytest.mark.parametrize(("params", "message"), BAD_PARAMETERS)
def test_assume_role_bad_parameter_is_validation_error(
    roled: LocalEndpoint, params: dict[str, Any], message: str
) -> None:
    """A bad RoleSessionName, RoleArn or ExternalId: ValidationError (400) with AWS's message, every broken
    constraint in it, before any trust is checked."""
    sts = sts_of(roled, credentials_of(DEFAULT_ACCOUNT), parameter_validation=False)
    answer = refusal(sts.assume_role, **{"RoleArn": ADMIN.arn, "RoleSessionName": "ci", **params})
    assert answer == ("ValidationError", message, 400)


def test_assume_role_missing_parameter_is_validation_error(roled: LocalEndpoint) -> None:
    """A form without RoleSessionName (botocore would not send one): "Value null … Member must not be null"."""
    status, root, _ = sts_request(roled.url, f"Action=AssumeRole&Version=2011-06-15&RoleArn={ADMIN.arn}")
    assert status == 400
    message = detected(clause(None, "roleSessionName", "not be null"))
    assert error_of(root) == ("Sender", "ValidationError", message)


def test_session_keys_need_their_own_token(roled: LocalEndpoint) -> None:
    """A session's keys without a token, with another session's token, with a forged token or one from
    another endpoint's store: InvalidClientTokenId (403), for Macie and STS alike."""
    session, other = assume(roled, ADMIN), assume(roled, ADMIN)
    token = session["aws_session_token"]
    forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    with LocalEndpoint(roles=[ADMIN]) as elsewhere:
        foreign = assume(elsewhere, ADMIN)
    keys = {k: v for k, v in session.items() if k != "aws_session_token"}
    for wrong in (None, other["aws_session_token"], forged, foreign["aws_session_token"]):
        credentials = keys if wrong is None else {**keys, "aws_session_token": wrong}
        code, message, status = refusal(macie_of(roled, credentials).list_member_accounts)
        assert (code, message, status) == (*INVALID_TOKEN, 403)
        assert refusal(sts_of(roled, credentials).get_caller_identity) == (*INVALID_TOKEN, 403)
    foreign_keys = {**foreign, "aws_session_token": token}
    assert refusal(sts_of(roled, foreign_keys).get_caller_identity) == (*INVALID_TOKEN, 403)


def test_session_expires(roled: LocalEndpoint, clock: MovableClock) -> None:
    """Until its expiry a session works; then Macie answers ExpiredTokenException and STS ExpiredToken (403)."""
    session = assume(roled, ADMIN, DurationSeconds=900)
    macie, sts = macie_of(roled, session), sts_of(roled, session)
    clock.advance(890)
    assert macie.list_member_accounts()["memberAccounts"] == [{"accountId": "444455556666"}]
    clock.advance(10)
    expired = "The security token included in the request is expired"
    assert refusal(macie.list_member_accounts) == ("ExpiredTokenException", expired, 403)
    assert refusal(sts.get_caller_identity) == ("ExpiredToken", expired, 403)
    assert refusal(sts.assume_role, RoleArn=NEXT.arn, RoleSessionName="late") == ("ExpiredToken", expired, 403)
    # The endpoint's clock decides: a session issued now lasts its hour from now.
    assert sts_of(roled, assume(roled, ADMIN)).get_caller_identity()["Account"] == "444455556666"


def test_assume_role_chained(roled: LocalEndpoint) -> None:
    """A session assumes a role its account is trusted by (role chaining), for at most an hour; it is
    refused, named by its assumed-role ARN, a role its account is not trusted by."""
    first = assume(roled, ADMIN, RoleSessionName="hop1")
    second = assume(roled, NEXT, first, RoleSessionName="hop2")
    identity = sts_of(roled, second).get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::777788889999:assumed-role/Next/hop2"
    assert macie_of(roled, second).list_member_accounts()["memberAccounts"] == [{"accountId": "777788889999"}]
    sts = sts_of(roled, first, parameter_validation=False)
    assert refusal(sts.assume_role, RoleArn=NEXT.arn, RoleSessionName="long", DurationSeconds=3601) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        400,
    )
    caller = "arn:aws:sts::444455556666:assumed-role/MacieAdmin/hop1"
    assert refusal(sts.assume_role, RoleArn=ADMIN.arn, RoleSessionName="again") == denied(caller, ADMIN.arn)


def test_assume_role_with_botocores_credential_fetcher(roled: LocalEndpoint, clock: MovableClock) -> None:
    """botocore's AssumeRoleCredentialFetcher and DeferredRefreshableCredentials get, parse and use a session."""
    source = make_session(credentials=credentials_of(DEFAULT_ACCOUNT))
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=functools.partial(source.client, endpoint_url=roled.url, region_name="us-east-1"),
        source_credentials=source.get_credentials(),
        role_arn=PARTNER.arn,
        extra_args={"ExternalId": "corp-4711", "RoleSessionName": "fetched"},
    )
    credentials = DeferredRefreshableCredentials(refresh_using=fetcher.fetch_credentials, method="assume-role")
    frozen = credentials.get_frozen_credentials()
    assert frozen.access_key.startswith("ASIA") and frozen.token
    session = {
        "aws_access_key_id": frozen.access_key,
        "aws_secret_access_key": frozen.secret_key,
        "aws_session_token": frozen.token,
    }
    assert sts_of(roled, session).get_caller_identity()["Arn"].endswith(":assumed-role/Partner/fetched")
    assert macie_of(roled, session).list_member_accounts()["memberAccounts"] == [{"accountId": "444455556666"}]


def test_assume_role_with_a_profile(roled: LocalEndpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A profile with role_arn + source_profile and AWS_ENDPOINT_URL_STS: botocore's own credential chain
    assumes the role here, and the Macie client built on that session acts as the role's account."""
    config = tmp_path / "config"
    config.write_text(
        "[profile source]\n"
        f"aws_access_key_id = {DEFAULT_ACCOUNT.access_key}\n"
        f"aws_secret_access_key = {DEFAULT_ACCOUNT.secret_key}\n"
        "[profile macie-admin]\n"
        f"role_arn = {PARTNER.arn}\n"
        "external_id = corp-4711\n"
        "source_profile = source\n"
        "region = us-east-1\n"
    )
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", roled.url)
    session = make_session(profile="macie-admin")
    assert session.client("sts").get_caller_identity()["Account"] == "444455556666"
    macie = make_client(ClientSettings(region="us-east-1", endpoint_url=roled.url, max_attempts=1), session=session)
    assert macie.list_member_accounts()["memberAccounts"] == [{"accountId": "444455556666"}]
    assert roled.macie.counters["sts.AssumeRole.200"] == 1


def test_sessions_survive_a_restart(tmp_path: Path) -> None:
    """Sessions need no table: a restart on the same state file accepts them (even with the role no longer
    declared, as a changed trust policy leaves AWS's sessions alive); an endpoint on another store refuses them."""
    state = str(tmp_path / "state.sqlite3")
    with LocalEndpoint(state=state, roles=[ADMIN]) as first:
        session = assume(first, ADMIN)
    with LocalEndpoint(state=state) as again:  # roles no longer declared: the session still lives
        assert sts_of(again, session).get_caller_identity()["Account"] == "444455556666"
    with LocalEndpoint(state=str(tmp_path / "other.sqlite3")) as other:
        assert refusal(sts_of(other, session).get_caller_identity) == (*INVALID_TOKEN, 403)


def test_session_secrets_never_logged_or_answered(roled: LocalEndpoint, lines: list[str], clock: MovableClock) -> None:
    """Neither a session's secret key nor its token appears in a log line or an error message."""
    session = assume(roled, ADMIN)
    secret, token = session["aws_secret_access_key"], session["aws_session_token"]
    messages = [refusal(sts_of(roled, session).assume_role, RoleArn=PARTNER.arn, RoleSessionName="x1")[1]]
    macie_of(roled, session).list_member_accounts()
    messages.append(refusal(macie_of(roled, {**session, "aws_session_token": token + "x"}).list_member_accounts)[1])
    clock.advance(3600)
    messages.append(refusal(macie_of(roled, session).list_member_accounts)[1])
    assert len(lines) == 5
    assert all("account=444455556666" in line for line in lines[1:3])
    for text in [*lines, *messages]:
        assert secret not in text and token not in text


def test_role_declared_in_python_is_checked() -> None:
    """Role(...) refuses what --role refuses, naming the value and the rule; a string is one account."""
    assert Role(ADMIN.arn, "123456789012").trusted == ("123456789012",)
    with pytest.raises(ValueError, match=r"'arn:aws:iam::1:role/x' is not an IAM role ARN"):
        Role("arn:aws:iam::1:role/x", ("123456789012",))
    with pytest.raises(ValueError, match=r"trusted account ID '12' must be 12 digits"):
        Role(ADMIN.arn, ("12",))
    with pytest.raises(ValueError, match=r"max session duration '900' is not a whole number of seconds from 3600"):
        Role(ADMIN.arn, ("123456789012",), max_session_duration=900)
    with pytest.raises(ValueError, match=r"is declared more than once"):
        LocalEndpoint(roles=[ADMIN, ADMIN])


def test_role_flag_syntax() -> None:
    """--role takes the ARN, the trusted accounts, and options; a role name may hold '='."""
    role = parse_role(
        "arn:aws:iam::444455556666:role/a=b=123456789012,210987654321;external-id=x=y;max-session-duration=7200"
    )
    assert role == Role(
        "arn:aws:iam::444455556666:role/a=b",
        ("123456789012", "210987654321"),
        external_id="x=y",
        max_session_duration=7200,
    )


ARN = "arn:aws:iam::210987654321:role/MacieAdmin"
WHOLE_SECONDS = "not a whole number of seconds from 3600 to 43200"
BAD_ROLES = [
    (["--role", ARN], "a role is ROLE_ARN=ACCOUNT_ID[,ACCOUNT_ID...][;external-id=ID][;max-session-duration=SECONDS]"),
    (["--role", "MacieAdmin=123456789012"], "'MacieAdmin' is not an IAM role ARN such as"),
    (["--role", f"{ARN}=1234"], "trusted account ID '1234' must be 12 digits"),
    (["--role", f"{ARN}="], "trusted account ID '' must be 12 digits"),
    (["--role", f"{ARN}=123456789012;mfa=yes"], "unknown option 'mfa=yes'; a role takes external-id=ID and"),
    (["--role", f"{ARN}=123456789012;external-id=a"], "external ID 'a' must be 2 to 1224 letters, digits"),
    (["--role", f"{ARN}=123456789012;external-id=ab;external-id=cd"], "option external-id is given more than once"),
    (["--role", f"{ARN}=123456789012;max-session-duration=900"], f"max session duration '900' is {WHOLE_SECONDS}"),
    (["--role", f"{ARN}=123456789012;max-session-duration=1h"], "max session duration '1h' is not a whole number"),
    (["--role", f"{ARN}=123456789012", "--role", f"{ARN}=111122223333"], f"role {ARN} is given more than once"),
]


@pytest.mark.parametrize(("argv", "says"), BAD_ROLES, ids=[" ".join(argv[1:]) for argv, _ in BAD_ROLES])
def test_command_bad_role_is_a_usage_error(capsys: pytest.CaptureFixture[str], argv: list[str], says: str) -> None:
    """A bad --role is refused before anything starts, in one line naming the flag and the rule."""
    assert usage_error(capsys, [*argv, "--state", ":memory:"]).startswith(
        f"macie-local: error: argument --role: {says}"
    )


def test_command_serves_the_declared_roles() -> None:
    """macie-local started with --role (external ID, two hours) answers AssumeRole for it."""
    role = f"{PARTNER.arn}=123456789012;external-id=corp-4711;max-session-duration=7200"
    command = [sys.executable, "-m", "macie_local", "--port", "0", "--state", ":memory:", "--quiet", "--role", role]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip().rpartition(" ")[2]
            sts = make_session(credentials=credentials_of(DEFAULT_ACCOUNT)).client(
                "sts", endpoint_url=url, region_name="us-east-1"
            )
            answer = sts.assume_role(
                RoleArn=PARTNER.arn, RoleSessionName="cli", ExternalId="corp-4711", DurationSeconds=7200
            )
            assert answer["AssumedRoleUser"]["Arn"] == "arn:aws:sts::444455556666:assumed-role/Partner/cli"
        finally:
            process.terminate()
    assert process.returncode == 0
