"""MacieS3Resource: an S3 bucket, or a prefix in it, monitored by Macie Classic for an account.

ID: ``[<memberAccountId>:]<bucketName>[/<prefix>]``. Identity: ``bucketName``, ``prefix``,
``memberAccountId`` (a change replaces); ``classificationType`` updates in place. Create:
AssociateS3Resources; update: UpdateS3Resources; read: ListS3Resources (paged once per account per
provider process, then kept current by this process's writes); delete: DisassociateS3Resources, where
an item that is no longer associated is already gone. A member account's S3 resources are gone, for
read and delete, once that account is no longer a member of this master (Macie then refuses to list
them). A ``failedS3Resources`` item is an error for the
resource, with AWS's code and message, and nothing is recorded for it. A create for an account that is
not (yet) a member waits (at most ``dependency_wait``, within customTimeouts) for it to become one,
as it does when the same run associates it and nothing orders the two.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any, ClassVar

from ..errors import FailedItemError, InputError, MacieApiError
from ._schema import SCHEMA
from .api import api_call
from .base import CheckResult, CreateResult, DiffResult, Hooks, ReadResult, UpdateResult
from .validation import normalise
from .waits import ORDER_HINT, wait_until

_ID = re.compile(r"(?:([0-9]{12}):)?([^/:]+)(?:/(.*))?", re.DOTALL)


def make_id(bucket: str, prefix: str = "", member: str | None = None) -> str:
    """The resource ID of an association."""
    return (f"{member}:" if member else "") + bucket + (f"/{prefix}" if prefix else "")


def _target(bucket: str, prefix: str, **fields: Any) -> dict[str, Any]:
    """An S3 resource item as the API takes it: the prefix only when there is one."""
    item: dict[str, Any] = {"bucketName": bucket}
    if prefix:
        item["prefix"] = prefix
    return {**item, **fields}


def parse_id(id_: str) -> tuple[str, str, str | None]:
    """(bucketName, prefix, memberAccountId or None) of a resource ID."""
    match = _ID.fullmatch(id_) if isinstance(id_, str) else None
    if not match:
        raise InputError("id", id_, f"an ID is {S3ResourceHooks.ID_FORMAT}, e.g. {S3ResourceHooks.ID_EXAMPLE}")
    member, bucket, prefix = match.groups()
    return bucket, prefix or "", member


class S3ResourceHooks(Hooks):
    NAME = "MacieS3Resource"
    REFERENCES: ClassVar[dict[str, str]] = {"memberAccountId": "MacieMemberAccount"}
    ID_FORMAT = "[<memberAccountId>:]<bucketName>[/<prefix>]"
    ID_EXAMPLE = "111122223333:corp-logs/2024/"

    def normalise(self, inputs: dict[str, Any]) -> dict[str, Any]:
        out = super().normalise(inputs)
        classification = SCHEMA["resources"][self.token()]["classificationType"]["properties"]
        out["classificationType"] = normalise(classification, out.get("classificationType") or {})
        out.setdefault("prefix", "")
        return out

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = super().check(olds, news)
        if result.failures:
            return result
        return CheckResult(self.normalise(result.inputs))

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """As for any resource; and a move between no memberAccountId (the master's own association) and
        an explicit one deletes the old association first: the explicit ID may be the master's own, which
        makes both the same association in Macie, and making the new one first would be refused."""
        result = super().diff(id_, olds, news)
        if "memberAccountId" in result.replaces and bool(olds.get("memberAccountId")) != bool(
            news.get("memberAccountId")
        ):
            return DiffResult(result.changes, result.replaces, delete_before_replace=True)
        return result

    def _scope(self, member: str | None) -> dict[str, str]:
        return {"memberAccountId": member} if member else {}

    def _resources(self, member: str | None) -> dict[tuple[str, str], Any]:
        def fetch() -> Iterator[tuple[tuple[str, str], Any]]:
            with api_call("ListS3Resources", f"S3 resources of {member or 'the master account'}"):
                for page in self.client.get_paginator("list_s3_resources").paginate(
                    **self._scope(member), PaginationConfig={"PageSize": 250}
                ):
                    for item in page.get("s3Resources", []):
                        yield (item["bucketName"], item.get("prefix") or ""), item

        return self.cache.items(("s3", member), fetch)

    @staticmethod
    def _outs(bucket: str, prefix: str, member: str | None, classification: dict[str, Any]) -> dict[str, Any]:
        outs: dict[str, Any] = {"bucketName": bucket, "prefix": prefix}
        if member:
            outs["memberAccountId"] = member
        outs["classificationType"] = {"oneTime": classification["oneTime"], "continuous": classification["continuous"]}
        return outs

    def _failed(self, action: str, subject: str, result: dict[str, Any]) -> None:
        failed = result.get("failedS3Resources") or []
        if failed:
            item = failed[0]
            attempts = result.get("ResponseMetadata", {}).get("RetryAttempts", 0) + 1
            raise FailedItemError(
                action,
                item.get("errorCode") or "Unknown",
                item.get("errorMessage") or "the item failed",
                subject,
                attempts,
            )

    def _holds(self, member: str | None, bucket: str, prefix: str) -> Any:
        """The item Macie holds for (bucket, prefix) of ``member`` now, from a fresh list, or None."""
        self.cache.forget(("s3", member))
        return self._resources(member).get((bucket, prefix))

    def _classification(self, member: str | None, bucket: str, prefix: str) -> Any:
        """The classification of what Macie holds for (bucket, prefix) of ``member`` now, or None."""
        return (self._holds(member, bucket, prefix) or {}).get("classificationType")

    def id_for(self, inputs: dict[str, Any]) -> str:
        new = self.normalise(inputs)
        return make_id(new["bucketName"], new["prefix"], new.get("memberAccountId"))

    def _is_member(self, account: str) -> bool:
        with api_call("ListMemberAccounts", "member accounts"):
            return any(
                m["accountId"] == account
                for page in self.client.get_paginator("list_member_accounts").paginate()
                for m in page.get("memberAccounts", [])
            )

    def _member_gone(self, member: str | None, error: MacieApiError) -> bool:
        """Whether ``error`` means that ``member`` is no longer a member account of this master (removed
        outside Pulumi): Macie then holds none of its S3 resources for the master. Any other refusal,
        and a membership that cannot be checked, is not that."""
        if error.code != "AccessDeniedException" or not member:
            return False
        try:
            return not self._is_member(member)
        except MacieApiError:
            return False

    def _canonical(self, member: str | None) -> str | None:
        """``member`` as IDs and calls name it: None for the master's own account ID (the same
        association as no memberAccountId at all), asked of STS only when a member is named."""
        return None if member is None or member == self.master_account() else member

    def _held_before(self, member: str | None, key: tuple[str, str]) -> bool:
        """Whether Macie held ``key`` for ``member`` before this process's create: its list of the
        account, kept current by its own writes. An account that is not (yet) a member holds nothing."""
        try:
            return key in self._resources(member)
        except MacieApiError as error:
            if error.code == "AccessDeniedException" and member:
                return False
            raise

    def _associate(self, member: str | None, item: dict[str, Any], subject: str) -> dict[str, Any]:
        """AssociateS3Resources of one item, waiting for ``member`` to become a member if it is not one yet."""
        try:
            with api_call("AssociateS3Resources", subject):
                result: dict[str, Any] = self.client.associate_s3_resources(s3Resources=[item], **self._scope(member))
                return result
        except MacieApiError as error:
            # Not (yet) a member of this master: the member account may be being associated by the same
            # run, with nothing in the program ordering the two. Wait for it, then try once more.
            if not (error.code == "AccessDeniedException" and member and not error.maybe_done):
                raise
            started = time.monotonic()
            if not wait_until(lambda: self._is_member(member), self.dependency_wait):
                waited = (
                    f"; waited {time.monotonic() - started:.0f}s for it to become one" if self.dependency_wait else ""
                )
                raise MacieApiError(
                    "AssociateS3Resources",
                    error.code,
                    f"{member} is not a member account of this master{waited}. Associate it first: {ORDER_HINT}",
                    subject,
                    error.attempts,
                ) from None
        with api_call("AssociateS3Resources", subject):
            result = self.client.associate_s3_resources(s3Resources=[item], **self._scope(member))
            return result

    def create(self, inputs: dict[str, Any]) -> CreateResult:
        new = self.normalise(inputs)
        bucket, prefix, declared = new["bucketName"], new["prefix"], new.get("memberAccountId")
        member = self._canonical(declared)
        id_ = make_id(bucket, prefix, member)
        classification = new["classificationType"]
        item = _target(bucket, prefix, classificationType=classification)
        subject = f"{self.NAME} {id_}"
        created = CreateResult(id_, self._outs(bucket, prefix, declared, classification))
        held = self._held_before(member, (bucket, prefix))
        try:
            self._failed("AssociateS3Resources", subject, self._associate(member, item, subject))
        except MacieApiError as error:
            if held:
                raise self.held_before(error, id_) from None
            if not error.maybe_done:
                raise
            self.settle(error, lambda: self._classification(member, bucket, prefix) == classification, created, inputs)
        self.cache.put(("s3", member), (bucket, prefix), item)
        return created

    def read(self, id_: str, state: dict[str, Any]) -> ReadResult:
        bucket, prefix, member = parse_id(id_)
        try:
            item = self._resources(member).get((bucket, prefix))
        except MacieApiError as error:
            if not self._member_gone(member, error):
                raise
            item = None
        if item is None:
            return ReadResult.gone()
        # The master's own ID, declared: the ID leaves it out (one canonical form), the outputs keep it.
        declared = member or state.get("memberAccountId") or None
        outs = self._outs(bucket, prefix, declared, item["classificationType"])
        return ReadResult(id_, outs, dict(outs))

    def canonical_id(self, id_: str) -> str:
        """Without the master's own account ID, which names the same association as no account at all."""
        bucket, prefix, member = parse_id(id_)
        return make_id(bucket, prefix, self._canonical(member))

    def lookup(self, id_: str) -> ReadResult:
        """As create would have it: an ID that names the master's own account is the master's
        association, under its one ID (the engine records the ID a lookup answers)."""
        _, _, member = parse_id(id_)
        canonical = self.canonical_id(id_)
        found = super().lookup(canonical)
        if member and canonical != id_:
            outs = {**found.outputs, "memberAccountId": member}
            return ReadResult(canonical, outs, dict(outs))
        return found

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        new = self.normalise(news)
        bucket, prefix, member = parse_id(id_)
        item = _target(bucket, prefix, classificationTypeUpdate=new["classificationType"])
        subject = f"{self.NAME} {id_}"
        with api_call("UpdateS3Resources", subject):
            result = self.client.update_s3_resources(s3ResourcesUpdate=[item], **self._scope(member))
        self._failed("UpdateS3Resources", subject, result)
        self.cache.put(
            ("s3", member), (bucket, prefix), _target(bucket, prefix, classificationType=new["classificationType"])
        )
        declared = member or new.get("memberAccountId") or None  # the master's own ID stays out of the ID
        return UpdateResult(self._outs(bucket, prefix, declared, new["classificationType"]))

    def delete(self, id_: str, state: dict[str, Any]) -> None:
        bucket, prefix, member = parse_id(id_)
        subject = f"{self.NAME} {id_}"
        try:
            with api_call("DisassociateS3Resources", subject):
                result = self.client.disassociate_s3_resources(
                    associatedS3Resources=[_target(bucket, prefix)], **self._scope(member)
                )
        except MacieApiError as error:
            if not self._member_gone(member, error):
                raise
            result = {}  # the member went, and its S3 resources with it
        try:
            self._failed("DisassociateS3Resources", subject, result)
        except MacieApiError:
            # Already gone is success; anything else is a real refusal. Look at a fresh list.
            if self._holds(member, bucket, prefix) is not None:
                raise
        self.cache.remove(("s3", member), (bucket, prefix))
