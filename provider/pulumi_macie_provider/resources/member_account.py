"""MacieMemberAccount: an AWS account associated with the Macie Classic master as a member.

ID: the member account ID (12 digits). Identity: ``memberAccountId`` (a change replaces).
Create: AssociateMemberAccount. Read: ListMemberAccounts (paged, cached). Delete:
DisassociateMemberAccount; an account that is no longer a member is already gone (checked against a
fresh list, not by matching the error's message).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import MacieApiError
from .base import DynamicProvider, Hooks
from .context import api_call

TOKEN = "macie:index:MacieMemberAccount"


class MemberAccountHooks(Hooks):
    TOKEN = TOKEN
    IDENTITY = ("memberAccountId",)

    def _subject(self, account: str) -> str:
        return f"MacieMemberAccount {account}"

    def _members(self) -> dict[str, Any]:
        def fetch() -> Iterator[tuple[str, Any]]:
            with api_call("ListMemberAccounts", "member accounts"):
                for page in self.client.get_paginator("list_member_accounts").paginate(
                    PaginationConfig={"PageSize": 250}
                ):
                    for member in page.get("memberAccounts", []):
                        yield member["accountId"], member

        return self.cache.items("members", fetch)

    def create(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        account = self.normalise(inputs)["memberAccountId"]
        with api_call("AssociateMemberAccount", self._subject(account)):
            self.client.associate_member_account(memberAccountId=account)
        self.cache.put("members", account, {"accountId": account})
        return account, {"memberAccountId": account}

    def read(self, id_: str, props: dict[str, Any]) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
        if id_ not in self._members():
            return None, {}, {}
        outs = {"memberAccountId": id_}
        return id_, outs, dict(outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        # memberAccountId is the only property and it replaces; the engine never updates in place.
        return {"memberAccountId": id_}

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        try:
            with api_call("DisassociateMemberAccount", self._subject(id_)):
                self.client.disassociate_member_account(memberAccountId=id_)
        except MacieApiError as error:
            if error.code != "InvalidInputException":
                raise
            # Not a member any more (already gone), or a real refusal: look at a fresh list.
            self.cache.forget("members")
            if id_ in self._members():
                raise
        self.cache.remove("members", id_)


class MacieMemberAccountProvider(DynamicProvider):
    """Dynamic provider for ``MacieMemberAccount``."""

    HOOKS = MemberAccountHooks
