"""IAM roles that macie-local's STS lets callers assume: what a role is, whom it trusts, and the rules of
an ``AssumeRole`` request (its parameters' constraints, the trust check, the session's duration).

A role is declared with ``--role`` or ``LocalEndpoint(roles=[Role(...)])``. It trusts whole accounts, as
a trust policy naming ``arn:aws:iam::ACCOUNT:root`` does, optionally only with an external ID (the
``sts:ExternalId`` condition), and caps its sessions at its ``max_session_duration`` (IAM's
``MaxSessionDuration``). Refusals use STS's own codes and messages: ``ValidationError`` for a parameter
that breaks the API's constraints, ``AccessDenied`` (the same message whatever the reason, as STS
does not say whether the role exists) for a caller the role does not trust.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .exceptions import AccessDenied, ValidationError

#: ``arn:aws:iam::ACCOUNT:role/[PATH/]NAME``: IAM's rules for a role's path and name.
ROLE_ARN = re.compile(r"arn:aws:iam::([0-9]{12}):role/((?:[\x21-\x7e]+/)?)([\w+=,.@-]{1,64})", re.ASCII)
ACCOUNT_ID = re.compile(r"[0-9]{12}")
SESSION_NAME = re.compile(r"[\w+=,.@-]*", re.ASCII)
EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]*", re.ASCII)
#: STS's bounds for DurationSeconds, its default, and IAM's bounds for a role's MaxSessionDuration.
MIN_DURATION, MAX_DURATION, DEFAULT_DURATION = 900, 43200, 3600
MIN_MAX_SESSION = 3600
#: A session assumed with another role's session (role chaining) lasts at most an hour.
CHAINED_MAX_DURATION = 3600
EXAMPLE_ARN = "arn:aws:iam::210987654321:role/MacieAdmin"
ROLE_SYNTAX = "ROLE_ARN=ACCOUNT_ID[,ACCOUNT_ID...][;external-id=ID][;max-session-duration=SECONDS]"


@dataclass(frozen=True)
class Role:
    """A role that can be assumed: its ARN (whose account is the role's), the account IDs it trusts,
    the external ID it requires (None: none), and its sessions' longest duration in seconds."""

    arn: str
    trusted: tuple[str, ...]
    external_id: str | None = None
    max_session_duration: int = DEFAULT_DURATION

    def __post_init__(self) -> None:
        if not isinstance(self.arn, str) or not ROLE_ARN.fullmatch(self.arn):
            raise ValueError(f"{self.arn!r} is not an IAM role ARN such as {EXAMPLE_ARN}")
        given: object = self.trusted  # one account ID given as a string is that one account
        trusted = (given,) if isinstance(given, str) else tuple(self.trusted)
        if not trusted:
            raise ValueError(f"role {self.arn} must trust at least one account ID")
        for account in trusted:
            if not (isinstance(account, str) and ACCOUNT_ID.fullmatch(account)):
                raise ValueError(f"trusted account ID {account!r} must be 12 digits")
        object.__setattr__(self, "trusted", tuple(dict.fromkeys(trusted)))
        external_id = self.external_id
        if external_id is not None and not (
            isinstance(external_id, str) and 2 <= len(external_id) <= 1224 and EXTERNAL_ID.fullmatch(external_id)
        ):
            raise ValueError(
                f"external ID {external_id!r} must be 2 to 1224 letters, digits, underscores and any of +=,.@:/-"
            )
        duration = self.max_session_duration
        if type(duration) is not int or not MIN_MAX_SESSION <= duration <= MAX_DURATION:
            raise ValueError(_duration_rule(duration))

    @property
    def account_id(self) -> str:
        return account_of(self.arn)


def account_of(arn: str) -> str:
    """The account of a role ARN."""
    return arn.split(":")[4]


def name_of(arn: str) -> str:
    """The name of a role ARN: its last part (without the path)."""
    return arn.rsplit("/", 1)[1]


def role_id_of(arn: str) -> str:
    """IAM's unique ID of the role (``AROA`` and 17 characters), the same for the same ARN."""
    digest = base64.b32encode(hashlib.sha256(arn.encode()).digest()).decode()
    return "AROA" + digest[:17]


def _integer(text: str) -> int | None:
    """A whole number written in ASCII digits (with an optional minus), or None."""
    return int(text) if len(text) <= 4000 and re.fullmatch(r"-?[0-9]+", text) else None


def parse_role(spec: str) -> Role:
    """``ROLE_ARN=ACCOUNT_ID[,ACCOUNT_ID...]``, then options ``;external-id=ID``, ``;max-session-duration=S``.

    The ARN ends at the last ``=`` before the first ``;`` (a role name may hold ``=``; account IDs,
    external IDs and role names cannot hold ``;``, so a role whose path holds one is declared in Python).
    """
    head, *options = spec.split(";")
    arn, sep, accounts = head.rpartition("=")
    if not sep or not arn:
        raise argparse.ArgumentTypeError(f"a role is {ROLE_SYNTAX}, such as {EXAMPLE_ARN}=123456789012")
    settings: dict[str, str] = {}
    for option in options:
        name, sep, value = option.partition("=")
        if not sep or name not in ("external-id", "max-session-duration"):
            raise argparse.ArgumentTypeError(
                f"unknown option {option!r}; a role takes external-id=ID and max-session-duration=SECONDS"
            )
        if name in settings:
            raise argparse.ArgumentTypeError(f"option {name} is given more than once")
        settings[name] = value
    duration = settings.get("max-session-duration", str(DEFAULT_DURATION))
    seconds = _integer(duration)
    if seconds is None:
        raise argparse.ArgumentTypeError(_duration_rule(duration))
    try:
        return Role(arn, tuple(accounts.split(",")), settings.get("external-id"), seconds)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _duration_rule(value: object) -> str:
    return f"max session duration '{value}' is not a whole number of seconds from {MIN_MAX_SESSION} to {MAX_DURATION}"


def _violations(field: str, value: str | None, *constraints: tuple[bool, str]) -> list[str]:
    """AWS's clauses for the constraints a parameter breaks (``Value null`` when it is absent)."""
    if value is None:
        return [f"Value null at '{field}' failed to satisfy constraint: Member must not be null"]
    return [
        f"Value '{value}' at '{field}' failed to satisfy constraint: {rule}" for broken, rule in constraints if broken
    ]


def check_request(params: Mapping[str, str]) -> int:
    """Check an AssumeRole request's parameters against STS's model; answer its duration in seconds.

    Every broken constraint is one clause of a single ``ValidationError``, as AWS reports them. Policy,
    PolicyArns, Tags, TransitiveTagKeys, SerialNumber, TokenCode, SourceIdentity and ProvidedContexts
    are accepted and ignored (macie-local enforces no permissions).
    """
    arn, name, external_id = params.get("RoleArn"), params.get("RoleSessionName"), params.get("ExternalId")
    raw_duration = params.get("DurationSeconds")
    number = None if raw_duration is None else _integer(raw_duration)
    duration = DEFAULT_DURATION if number is None else number
    errors = _violations(
        "roleArn",
        arn,
        (arn is not None and len(arn) < 20, "Member must have length greater than or equal to 20"),
        (arn is not None and len(arn) > 2048, "Member must have length less than or equal to 2048"),
    )
    errors += _violations(
        "roleSessionName",
        name,
        (
            name is not None and not SESSION_NAME.fullmatch(name),
            r"Member must satisfy regular expression pattern: [\w+=,.@-]*",
        ),
        (name is not None and len(name) < 2, "Member must have length greater than or equal to 2"),
        (name is not None and len(name) > 64, "Member must have length less than or equal to 64"),
    )
    if raw_duration is not None:
        errors += _violations(
            "durationSeconds",
            raw_duration,
            (number is None, "Member must be a whole number"),
            (
                number is not None and number < MIN_DURATION,
                f"Member must have value greater than or equal to {MIN_DURATION}",
            ),
            (
                number is not None and number > MAX_DURATION,
                f"Member must have value less than or equal to {MAX_DURATION}",
            ),
        )
    if external_id is not None:
        errors += _violations(
            "externalId",
            external_id,
            (not EXTERNAL_ID.fullmatch(external_id), r"Member must satisfy regular expression pattern: [\w+=,.@:/-]*"),
            (len(external_id) < 2, "Member must have length greater than or equal to 2"),
            (len(external_id) > 1224, "Member must have length less than or equal to 1224"),
        )
    if errors:
        plural = "s" if len(errors) > 1 else ""
        raise ValidationError(f"{len(errors)} validation error{plural} detected: {'; '.join(errors)}")
    assert arn is not None
    if not ROLE_ARN.fullmatch(arn):
        raise ValidationError(f"{arn} is invalid")
    return duration


def authorize(
    roles: Mapping[str, Role],
    arn: str,
    caller_arn: str,
    caller_account: str,
    external_id: str | None,
    duration: int,
    chained: bool,
) -> Role:
    """The role a caller may assume for ``duration`` seconds, or STS's refusal.

    Unknown role, untrusted account, missing or wrong external ID: one ``AccessDenied``, as AWS answers
    all three. Then the duration against the role's maximum, and against role chaining's hour.
    """
    role = roles.get(arn)
    if role is None or caller_account not in role.trusted or role.external_id not in (None, external_id):
        raise AccessDenied(f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {arn}")
    if duration > role.max_session_duration:
        raise ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    if chained and duration > CHAINED_MAX_DURATION:
        raise ValidationError(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
        )
    return role


def by_arn(roles: Iterable[Role]) -> dict[str, Role]:
    """The roles by ARN; an ARN declared twice is refused."""
    found: dict[str, Role] = {}
    for role in roles:
        if role.arn in found:
            raise ValueError(f"role {role.arn} is declared more than once; each ARN is one role")
        found[role.arn] = role
    return found
