"""MacieMemberAccount: an AWS account associated with the Macie Classic master as a member.

ID: the member account ID (12 digits). Identity: ``memberAccountId`` (a change replaces).
Create: AssociateMemberAccount. Read: ListMemberAccounts (paged, cached). Delete:
DisassociateMemberAccount; an account that is no longer a member is already gone (checked against a
fresh list); the master's own ID (accepted by AWS as a no-op member in stacks made before create
refused it) is recognised by the refusal's recorded text, which has no code of its own; a member
refused because it still has S3
resources is waited for (at most ``dependency_wait``, within customTimeouts) while they go, as they
do when a destroy removes both and nothing orders them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

from ..errors import InputError, MacieApiError
from .api import api_call
from .base import CreateResult, Hooks, ReadResult, UpdateResult
from .waits import ORDER_HINT, wait_until

#: Where the members are kept in the list cache.
_MEMBERS = "members"
#: What DisassociateMemberAccount says of the master's own ID (the wire protocol's recorded text).
_MASTER_REFUSAL = "is a master Macie account"
_ID = re.compile(r"[0-9]{12}")


def parse_id(id_: str) -> str:
    """The member account ID that a resource ID names."""
    if not isinstance(id_, str) or not _ID.fullmatch(id_):
        raise InputError(
            "id", id_, f"an ID is {MemberAccountHooks.ID_FORMAT}, 12 digits, e.g. {MemberAccountHooks.ID_EXAMPLE}"
        )
    return id_


class MemberAccountHooks(Hooks):
    NAME = "MacieMemberAccount"
    ID_PROPERTY = "memberAccountId"
    ID_FORMAT = "<memberAccountId>"
    ID_EXAMPLE = "111122223333"

    def _subject(self, account: str) -> str:
        return f"{self.NAME} {account}"

    def _members(self) -> dict[str, Any]:
        def fetch() -> Iterator[tuple[str, Any]]:
            with api_call("ListMemberAccounts", "member accounts"):
                for page in self.client.get_paginator("list_member_accounts").paginate(
                    PaginationConfig={"PageSize": 250}
                ):
                    for member in page.get("memberAccounts", []):
                        yield member["accountId"], member

        return self.cache.items(_MEMBERS, fetch)

    def _is_member(self, account: str) -> bool:
        """Whether ``account`` is a member now, from a fresh list."""
        self.cache.forget(_MEMBERS)
        return account in self._members()

    def id_for(self, inputs: dict[str, Any]) -> str:
        return str(self.normalise(inputs)["memberAccountId"])

    def _master_refusal(self, account: str) -> InputError:
        return InputError(
            "memberAccountId",
            account,
            f"{account} is the master account itself (the account whose credentials reach Macie): "
            "a master is not its own member. Remove this MacieMemberAccount; S3 resources of the "
            "master take no memberAccountId",
        )

    def create(self, inputs: dict[str, Any]) -> CreateResult:
        account = self.id_for(inputs)
        created = CreateResult(account, {"memberAccountId": account})
        # Held before the call (ListMemberAccounts lists the master too): never ours. A listed account
        # that AssociateMemberAccount accepts is the master (AWS takes its own ID as a no-op member); a
        # member listed already is refused as already associated.
        listed = account in self._members() and self._is_member(account)
        try:
            with api_call("AssociateMemberAccount", self._subject(account)):
                self.client.associate_member_account(memberAccountId=account)
        except MacieApiError as error:
            if listed:
                raise self.held_before(error, account) from None
            if not error.maybe_done:
                raise
            self.settle(error, lambda: self._is_member(account), created, inputs)
        else:
            if listed:
                raise self._master_refusal(account)
        self.cache.put(_MEMBERS, account, {"accountId": account})
        return created

    def read(self, id_: str, state: dict[str, Any]) -> ReadResult:
        account = parse_id(id_)
        if account not in self._members():
            return ReadResult.gone()
        outs = {"memberAccountId": account}
        return ReadResult(account, outs, dict(outs))

    def lookup(self, id_: str) -> ReadResult:
        """As create would have it: the master, which ListMemberAccounts lists too, is not a member."""
        found = super().lookup(id_)
        if found.id == self.master_account():
            raise self._master_refusal(found.id)
        return found

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        # memberAccountId is the only property and it replaces; the engine never updates in place.
        return UpdateResult({"memberAccountId": id_})

    def _has_s3_resources(self, account: str) -> bool:
        with api_call("ListS3Resources", f"S3 resources of {account}"):
            return bool(self.client.list_s3_resources(memberAccountId=account, maxResults=1).get("s3Resources"))

    def _disassociate(self, account: str) -> None:
        with api_call("DisassociateMemberAccount", self._subject(account)):
            self.client.disassociate_member_account(memberAccountId=account)

    def delete(self, id_: str, state: dict[str, Any]) -> None:
        try:
            self._disassociate(id_)
        except MacieApiError as error:
            # Not a member any more (already gone), or a refusal: look at a fresh list.
            if error.code != "InvalidInputException":
                raise
            if _MASTER_REFUSAL in error.message:
                # The master's own ID, which AWS accepted as a no-op member (stacks made before create
                # refused it): there is no association to remove, and the stack must stay destroyable.
                pass
            elif not self._is_member(id_):
                pass
            else:
                started = time.monotonic()
                if not wait_until(lambda: not self._has_s3_resources(id_), self.dependency_wait):
                    waited = (
                        f" Waited {time.monotonic() - started:.0f}s for its S3 resources to go;"
                        if self.dependency_wait
                        else ""
                    )
                    raise MacieApiError(
                        "DisassociateMemberAccount",
                        error.code,
                        f"{error.message}{waited} disassociate them first: {ORDER_HINT}",
                        self._subject(id_),
                        error.attempts,
                    ) from None
                # Its S3 resources were being removed, most likely by the same run (nothing in a
                # program makes a member's S3 resources go first): they are gone now. (Any other
                # refusal, with no S3 resources to wait for, comes back from this second try.)
                self._disassociate(id_)
        self.cache.remove(_MEMBERS, id_)
