"""The semantics of the seven Macie Classic actions, over the SQLite store.

The caller of every action is a master account (the account that owns the access key), in the region
of the request's credential scope. Decisions where the reference is silent are listed in the
README's ``macie-local`` section; each one is tested.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from itsdangerous import BadData, URLSafeSerializer

from .exceptions import AccessDeniedException, InvalidInputException, LimitExceededException
from .store import Store

DEFAULT_MAX_RESULTS = 250

NOT_ASSOCIATED = "The request was rejected. The specified S3 resource (bucket or prefix) is not associated with Macie."
ALREADY_ASSOCIATED = (
    "The request was rejected. The specified S3 resource (bucket or prefix) is already associated with Macie."
)


@dataclass(frozen=True)
class Account:
    """An AWS account the endpoint knows, with the key pair that authenticates as it."""

    access_key: str
    secret_key: str
    account_id: str
    enabled: bool = True

    def __repr__(self) -> str:  # never show the secret
        return f"Account(access_key={self.access_key!r}, account_id={self.account_id!r})"


def _counted(count: int, noun: str) -> str:
    """``count`` ``noun``s, in the singular for one: ``1 member account``, ``2 member accounts``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass(frozen=True)
class Limits:
    """Per-master limits behind LimitExceededException (AWS published none; these are ours).

    ``max_s3_resources`` is per account (the master and each member). It guards against a runaway
    program, not a service quota, so it sits well past where large stacks go (100,000): every S3 action
    costs the same there as at 1,000 associations (``scripts/endpoint_scale.py`` measures it).
    """

    max_members: int = 1000
    max_s3_resources: int = 100_000

    def __post_init__(self) -> None:
        for name in ("max_members", "max_s3_resources"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, not {getattr(self, name)}")


@dataclass(frozen=True)
class Caller:
    account: Account
    region: str

    @property
    def master(self) -> str:
        return self.account.account_id


def _failed(item: dict[str, Any], message: str, code: str = "InvalidInputException") -> dict[str, Any]:
    failed_item = {"bucketName": item["bucketName"]}
    if item.get("prefix"):
        failed_item["prefix"] = item["prefix"]
    return {"failedItem": failed_item, "errorCode": code, "errorMessage": message}


class Backend:
    """Applies actions for a caller; every write happens inside one store transaction."""

    def __init__(
        self,
        store: Store,
        bucket_exists: Callable[[str], bool],
        limits: Limits | None = None,
    ) -> None:
        self.store = store
        self.bucket_exists = bucket_exists
        self.limits = limits or Limits()
        # Pagination tokens: opaque, signed with the store's own secret (so they survive restarts).
        self._tokens = URLSafeSerializer(
            store.token_secret, salt="macie-local.nextToken", signer_kwargs={"digest_method": hashlib.sha256}
        )

    # -- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _s3_count(db: Any, region: str, master: str, member: str) -> int:
        """How many S3 resources ``member`` has under ``master``: one row of the store's kept counts."""
        row = db.execute(
            "SELECT count FROM s3_counts WHERE region=? AND master=? AND member=?", (region, master, member)
        ).fetchone()
        return int(row[0]) if row else 0

    def _master_of(self, db: Any, region: str, account_id: str) -> str | None:
        row = db.execute("SELECT master FROM members WHERE region=? AND account_id=?", (region, account_id)).fetchone()
        return row[0] if row else None

    def _require_enabled_master(self, db: Any, caller: Caller, denied: type[Exception]) -> None:
        if not caller.account.enabled:
            raise InvalidInputException(
                "The request was rejected. Macie is not enabled for this AWS account",
                errorCode="Disabled",
            )
        master = self._master_of(db, caller.region, caller.master)
        if master is not None:
            raise denied(
                f"The request was rejected. Account {caller.master} is a member account of master "
                f"account {master}; only the master account can manage Macie.",
                **({"resourceType": "MemberAccount"} if denied is AccessDeniedException else {}),
            )

    def _owner(self, db: Any, caller: Caller, member: str | None) -> str:
        """The account whose S3 resources an S3 action works on (the master when omitted)."""
        self._require_enabled_master(db, caller, AccessDeniedException)
        if member is None or member == caller.master:
            return caller.master
        if self._master_of(db, caller.region, member) != caller.master:
            raise AccessDeniedException(
                f"The request was rejected. Account {member} is not a member account of master "
                f"account {caller.master}.",
                resourceType="MemberAccount",
            )
        return member

    def _token(self, kind: str, caller: Caller, owner: str, after: int) -> str:
        return self._tokens.dumps([kind, caller.region, caller.master, owner, after])

    def _after(self, token: str | None, kind: str, caller: Caller, owner: str) -> int:
        """The row ID a ``nextToken`` continues after (-1 without one); a token that is not this
        store's, or came from another list, account or member, is refused."""
        if token is None:
            return -1
        try:
            k, region, master, who, after = self._tokens.loads(token)
            if [k, region, master, who] != [kind, caller.region, caller.master, owner] or type(after) is not int:
                raise ValueError
            return after
        except (BadData, ValueError, TypeError):
            raise InvalidInputException(
                "The request was rejected. The nextToken is not valid for this request.",
                errorCode="Token",
                fieldName="nextToken",
            ) from None

    # -- member accounts -----------------------------------------------------------------------

    def associate_member_account(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        member = params["memberAccountId"]
        with self.store.transaction() as db:
            self._require_enabled_master(db, caller, InvalidInputException)
            if member == caller.master:
                return {}
            current = self._master_of(db, caller.region, member)
            if current == caller.master:
                raise InvalidInputException(
                    f"The request was rejected. Account {member} is already associated with Macie "
                    f"as a member account of {caller.master}.",
                    errorCode="Exists",
                    fieldName="memberAccountId",
                )
            if current is not None:
                raise InvalidInputException(
                    f"The request was rejected. Account {member} is already associated with "
                    "another Macie master account.",
                    errorCode="OtherMstr",
                    fieldName="memberAccountId",
                )
            if db.execute(
                "SELECT 1 FROM members WHERE region=? AND master=? LIMIT 1", (caller.region, member)
            ).fetchone():
                raise InvalidInputException(
                    f"The request was rejected. Account {member} is a Macie master account with "
                    "member accounts and cannot become a member account.",
                    errorCode="IsMaster",
                    fieldName="memberAccountId",
                )
            (count,) = db.execute(
                "SELECT COUNT(*) FROM members WHERE region=? AND master=?", (caller.region, caller.master)
            ).fetchone()
            if count >= self.limits.max_members:
                raise LimitExceededException(
                    f"The request was rejected. Master account {caller.master} already has "
                    f"{_counted(count, 'member account')}, the limit.",
                    errorCode="MemberLmt",
                    resourceType="MemberAccount",
                )
            db.execute(
                "INSERT INTO members (region, master, account_id) VALUES (?, ?, ?)",
                (caller.region, caller.master, member),
            )
        return {}

    def disassociate_member_account(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        member = params["memberAccountId"]
        with self.store.transaction() as db:
            self._require_enabled_master(db, caller, InvalidInputException)
            if member == caller.master:
                raise InvalidInputException(
                    f"The request was rejected. {member} is a master Macie account and cannot be disassociated.",
                    errorCode="IsMaster",
                    fieldName="memberAccountId",
                )
            if self._master_of(db, caller.region, member) != caller.master:
                raise InvalidInputException(
                    f"The request was rejected. {member} is not yet associated with Macie.",
                    errorCode="NotMember",
                    fieldName="memberAccountId",
                )
            count = self._s3_count(db, caller.region, caller.master, member)
            if count:
                raise InvalidInputException(
                    f"The request was rejected. Member account {member} still has "
                    f"{_counted(count, 'S3 resource')} associated with Macie; disassociate them first.",
                    errorCode="HasS3",
                    fieldName="memberAccountId",
                )
            db.execute(
                "DELETE FROM members WHERE region=? AND master=? AND account_id=?",
                (caller.region, caller.master, member),
            )
        return {}

    def list_member_accounts(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        limit = params.get("maxResults") or DEFAULT_MAX_RESULTS
        with self.store.transaction() as db:
            self._require_enabled_master(db, caller, InvalidInputException)
            after = self._after(params.get("nextToken"), "members", caller, caller.master)
            accounts: list[tuple[int, str]] = [] if after >= 0 else [(0, caller.master)]
            accounts += db.execute(
                "SELECT id, account_id FROM members WHERE region=? AND master=? AND id>? ORDER BY id LIMIT ?",
                (caller.region, caller.master, max(after, 0), limit + 1 - len(accounts)),
            ).fetchall()
        result: dict[str, Any] = {"memberAccounts": [{"accountId": a} for _, a in accounts[:limit]]}
        if len(accounts) > limit:
            result["nextToken"] = self._token("members", caller, caller.master, accounts[limit - 1][0])
        return result

    # -- S3 resources --------------------------------------------------------------------------

    def associate_s3_resources(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        failed: list[dict[str, Any]] = []
        with self.store.transaction() as db:
            owner = self._owner(db, caller, params.get("memberAccountId"))
            seen: set[tuple[str, str]] = set()
            rows = []
            for item in params["s3Resources"]:
                key = (item["bucketName"], item.get("prefix") or "")
                if key in seen:
                    failed.append(
                        _failed(
                            item, "The request was rejected. The S3 resource appears more than once in the request."
                        )
                    )
                    continue
                seen.add(key)
                if not self.bucket_exists(key[0]):
                    failed.append(_failed(item, f"The request was rejected. The S3 bucket {key[0]} does not exist."))
                    continue
                if db.execute(
                    "SELECT 1 FROM s3_resources WHERE region=? AND master=? AND member=? AND bucket=? AND prefix=?",
                    (caller.region, caller.master, owner, *key),
                ).fetchone():
                    failed.append(_failed(item, ALREADY_ASSOCIATED))
                    continue
                kind = item["classificationType"]
                rows.append((caller.region, caller.master, owner, *key, kind["oneTime"], kind["continuous"]))
            count = self._s3_count(db, caller.region, caller.master, owner)
            if rows and count + len(rows) > self.limits.max_s3_resources:
                raise LimitExceededException(
                    f"The request was rejected. Account {owner} would have "
                    f"{_counted(count + len(rows), 'S3 resource')} associated with Macie; "
                    f"the limit is {self.limits.max_s3_resources}.",
                    errorCode="S3Limit",
                    resourceType="S3Resource",
                )
            db.executemany(
                "INSERT INTO s3_resources (region, master, member, bucket, prefix, one_time, continuous) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return {"failedS3Resources": failed}

    def disassociate_s3_resources(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        failed: list[dict[str, Any]] = []
        with self.store.transaction() as db:
            owner = self._owner(db, caller, params.get("memberAccountId"))
            for item in params["associatedS3Resources"]:
                gone = db.execute(
                    "DELETE FROM s3_resources WHERE region=? AND master=? AND member=? AND bucket=? AND prefix=?",
                    (caller.region, caller.master, owner, item["bucketName"], item.get("prefix") or ""),
                ).rowcount
                if not gone:
                    failed.append(_failed(item, NOT_ASSOCIATED))
        return {"failedS3Resources": failed}

    def update_s3_resources(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        failed: list[dict[str, Any]] = []
        with self.store.transaction() as db:
            owner = self._owner(db, caller, params.get("memberAccountId"))
            for item in params["s3ResourcesUpdate"]:
                update = item["classificationTypeUpdate"]
                changed = db.execute(
                    "UPDATE s3_resources SET one_time=COALESCE(?, one_time), "
                    "continuous=COALESCE(?, continuous) WHERE region=? AND master=? AND member=? "
                    "AND bucket=? AND prefix=?",
                    (
                        update.get("oneTime"),
                        update.get("continuous"),
                        caller.region,
                        caller.master,
                        owner,
                        item["bucketName"],
                        item.get("prefix") or "",
                    ),
                ).rowcount
                if not changed:
                    failed.append(_failed(item, NOT_ASSOCIATED))
        return {"failedS3Resources": failed}

    def list_s3_resources(self, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        limit = params.get("maxResults") or DEFAULT_MAX_RESULTS
        with self.store.transaction() as db:
            owner = self._owner(db, caller, params.get("memberAccountId"))
            after = self._after(params.get("nextToken"), "s3", caller, owner)
            rows = db.execute(
                "SELECT id, bucket, prefix, one_time, continuous FROM s3_resources WHERE region=? "
                "AND master=? AND member=? AND id>? ORDER BY id LIMIT ?",
                (caller.region, caller.master, owner, after, limit + 1),
            ).fetchall()
        items = []
        for _, bucket, prefix, one_time, continuous in rows[:limit]:
            item: dict[str, Any] = {"bucketName": bucket}
            if prefix:
                item["prefix"] = prefix
            item["classificationType"] = {"oneTime": one_time, "continuous": continuous}
            items.append(item)
        result: dict[str, Any] = {"s3Resources": items}
        if len(rows) > limit:
            result["nextToken"] = self._token("s3", caller, owner, rows[limit - 1][0])
        return result

    ACTIONS: ClassVar[dict[str, Callable[..., dict[str, Any]]]] = {
        "AssociateMemberAccount": associate_member_account,
        "DisassociateMemberAccount": disassociate_member_account,
        "ListMemberAccounts": list_member_accounts,
        "AssociateS3Resources": associate_s3_resources,
        "DisassociateS3Resources": disassociate_s3_resources,
        "UpdateS3Resources": update_s3_resources,
        "ListS3Resources": list_s3_resources,
    }

    def dispatch(self, action: str, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
        return Backend.ACTIONS[action](self, caller, params)
