"""The access keys the endpoint knows: the declared accounts' long-term keys, and the temporary keys of
role sessions that STS ``AssumeRole`` issues.

A session's credentials are self-contained, as AWS's are: the session token carries the access key ID,
the role, the session name and the expiry, signed (itsdangerous, HMAC-SHA256) with the store's secret;
the secret access key is derived from that secret and the access key ID. Nothing is written per
session, so sessions survive a restart of macie-local on the same state file (that file keeps the
secret) and end with it on ``:memory:``; a token made by another store does not verify. A request
signed with a session's key is accepted only with its own token (``X-Amz-Security-Token``) and only
until it expires by the endpoint's clock. Long-term keys are looked up as before; a token sent with one
is not checked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from itsdangerous import BadData, URLSafeSerializer

from .backend import Account, Caller
from .exceptions import ExpiredTokenException, InvalidClientTokenId
from .roles import ROLE_ARN, Role, account_of, name_of, role_id_of

#: The endpoint's clock: now, in UTC. Sessions are issued and expire by it (tests move it).
Clock = Callable[[], datetime]
INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"
EXPIRATION_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class AssumedRole:
    """Who a session is: the role assumed, the session's name, and when its credentials expire."""

    role_arn: str
    session_name: str
    expiration: datetime

    @property
    def account_id(self) -> str:
        return account_of(self.role_arn)

    @property
    def arn(self) -> str:
        """``arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`` (the role's path is not part of it)."""
        return f"arn:aws:sts::{self.account_id}:assumed-role/{name_of(self.role_arn)}/{self.session_name}"

    @property
    def user_id(self) -> str:
        """The ``AssumedRoleId``: the role's unique ID and the session's name."""
        return f"{role_id_of(self.role_arn)}:{self.session_name}"


@dataclass(frozen=True)
class RoleCaller(Caller):
    """A verified caller whose keys are a role session's: it acts as the role's account."""

    session: AssumedRole


def arn_of(caller: Caller) -> str:
    """The caller's ARN as STS names it: the session's assumed-role ARN, or the account's root."""
    if isinstance(caller, RoleCaller):
        return caller.session.arn
    return f"arn:aws:iam::{caller.master}:root"


@dataclass(frozen=True)
class Issued:
    """The temporary credentials of a new session (``repr`` shows neither the secret nor the token)."""

    access_key: str
    secret_key: str = field(repr=False)
    token: str = field(repr=False)
    session: AssumedRole


class Keys:
    """Finds the account behind an access key: a declared account's, or a live session's."""

    def __init__(
        self,
        accounts: Iterable[Account],
        secret: bytes,
        clock: Clock = system_clock,
    ) -> None:
        self.accounts = {a.access_key: a for a in accounts}
        self._enabled: dict[str, bool] = {}
        for account in self.accounts.values():
            self._enabled.setdefault(account.account_id, account.enabled)
        self.clock = clock
        self._secret = hmac.new(secret, b"macie-local.session-secret", hashlib.sha256).digest()
        self._tokens = URLSafeSerializer(
            secret, salt="macie-local.session-token", signer_kwargs={"digest_method": hashlib.sha256}
        )

    def _secret_key(self, access_key: str) -> str:
        digest = hmac.new(self._secret, access_key.encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()[:40]

    def issue(self, role: Role, session_name: str, duration: int) -> Issued:
        """New temporary credentials for a session of ``role`` lasting ``duration`` seconds from now."""
        access_key = "ASIA" + base64.b32encode(secrets.token_bytes(10)).decode()
        expires = int(self.clock().timestamp()) + duration
        token = self._tokens.dumps([access_key, role.arn, session_name, expires])
        session = AssumedRole(role.arn, session_name, datetime.fromtimestamp(expires, timezone.utc))
        return Issued(access_key, self._secret_key(access_key), token, session)

    def resolve(self, access_key: str, token: str | None) -> tuple[Account, AssumedRole | None]:
        """The account that ``access_key`` authenticates as (with its session, for a session's key).

        A session's key needs its own token (``InvalidClientTokenId`` otherwise) and must not have
        expired (``ExpiredTokenException``). The role's account is the declared account of that ID,
        enabled or not as declared, or else an account of its own, enabled. A session outlives a change
        of the roles declared, as AWS's outlives a change of the role's trust policy.
        """
        account = self.accounts.get(access_key)
        if account is not None:
            return account, None
        if not token:
            raise InvalidClientTokenId(INVALID_TOKEN)
        try:
            key, arn, session_name, expires = self._tokens.loads(token)
            if key != access_key or not isinstance(arn, str) or not ROLE_ARN.fullmatch(arn):
                raise ValueError
            if not isinstance(session_name, str) or type(expires) is not int:
                raise ValueError
        except (BadData, ValueError, TypeError):
            raise InvalidClientTokenId(INVALID_TOKEN) from None
        session = AssumedRole(arn, session_name, datetime.fromtimestamp(expires, timezone.utc))
        if self.clock() >= session.expiration:
            raise ExpiredTokenException(EXPIRED_TOKEN)
        enabled = self._enabled.get(session.account_id, True)
        return Account(access_key, self._secret_key(access_key), session.account_id, enabled), session
