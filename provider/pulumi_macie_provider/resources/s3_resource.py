"""MacieS3Resource: an S3 bucket, or a prefix in it, monitored by Macie Classic for an account.

ID: ``[<memberAccountId>:]<bucketName>[/<prefix>]``. Identity: ``bucketName``, ``prefix``,
``memberAccountId`` (a change replaces); ``classificationType`` updates in place. Create:
AssociateS3Resources; update: UpdateS3Resources; read: ListS3Resources (paged once per account per
provider process, then kept current by this process's writes); delete: DisassociateS3Resources, where
an item that is no longer associated is already gone. A ``failedS3Resources`` item is an error for the
resource, with AWS's code and message, and nothing is recorded for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..errors import FailedItemError, InputError, MacieApiError
from ._schema import SCHEMA
from .base import DynamicProvider, Hooks
from .context import api_call
from .validation import normalise

TOKEN = "macie:index:MacieS3Resource"
_ID = re.compile(r"(?:([0-9]{12}):)?([^/:]+)(?:/(.*))?", re.DOTALL)
_CLASSIFICATION = SCHEMA["resources"][TOKEN]["classificationType"]["properties"]


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
    match = _ID.fullmatch(id_)
    if not match:
        raise InputError("id", id_, "an ID is [<memberAccountId>:]<bucketName>[/<prefix>], e.g. "
                                   "111122223333:corp-logs/2024/")
    member, bucket, prefix = match.groups()
    return bucket, prefix or "", member


class S3ResourceHooks(Hooks):
    TOKEN = TOKEN
    IDENTITY = ("bucketName", "prefix", "memberAccountId")

    def normalise(self, inputs: dict[str, Any]) -> dict[str, Any]:
        out = super().normalise(inputs)
        out["classificationType"] = normalise(_CLASSIFICATION, out.get("classificationType") or {})
        out.setdefault("prefix", "")
        return out

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        inputs, failures = super().check(olds, news)
        if not failures:
            inputs = self.normalise(inputs)
        return inputs, failures

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
        outs["classificationType"] = {"oneTime": classification["oneTime"],
                                      "continuous": classification["continuous"]}
        return outs

    def _failed(self, action: str, subject: str, result: dict[str, Any]) -> None:
        failed = result.get("failedS3Resources") or []
        if failed:
            item = failed[0]
            raise FailedItemError(action, item.get("errorCode") or "Unknown",
                                  item.get("errorMessage") or "the item failed", subject)

    def create(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        new = self.normalise(inputs)
        bucket, prefix, member = new["bucketName"], new["prefix"], new.get("memberAccountId")
        id_ = make_id(bucket, prefix, member)
        item = _target(bucket, prefix, classificationType=new["classificationType"])
        subject = f"MacieS3Resource {id_}"
        with api_call("AssociateS3Resources", subject):
            result = self.client.associate_s3_resources(s3Resources=[item], **self._scope(member))
        self._failed("AssociateS3Resources", subject, result)
        self.cache.put(("s3", member), (bucket, prefix), item)
        return id_, self._outs(bucket, prefix, member, new["classificationType"])

    def read(self, id_: str, props: dict[str, Any]) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
        bucket, prefix, member = parse_id(id_)
        item = self._resources(member).get((bucket, prefix))
        if item is None:
            return None, {}, {}
        outs = self._outs(bucket, prefix, member, item["classificationType"])
        return id_, outs, dict(outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        new = self.normalise(news)
        bucket, prefix, member = parse_id(id_)
        item = _target(bucket, prefix, classificationTypeUpdate=new["classificationType"])
        subject = f"MacieS3Resource {id_}"
        with api_call("UpdateS3Resources", subject):
            result = self.client.update_s3_resources(s3ResourcesUpdate=[item], **self._scope(member))
        self._failed("UpdateS3Resources", subject, result)
        self.cache.put(("s3", member), (bucket, prefix),
                       _target(bucket, prefix, classificationType=new["classificationType"]))
        return self._outs(bucket, prefix, member, new["classificationType"])

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        bucket, prefix, member = parse_id(id_)
        subject = f"MacieS3Resource {id_}"
        with api_call("DisassociateS3Resources", subject):
            result = self.client.disassociate_s3_resources(associatedS3Resources=[_target(bucket, prefix)],
                                                           **self._scope(member))
        try:
            self._failed("DisassociateS3Resources", subject, result)
        except MacieApiError:
            # Already gone is success; anything else is a real refusal. Look at a fresh list.
            self.cache.forget(("s3", member))
            if (bucket, prefix) in self._resources(member):
                raise
        self.cache.remove(("s3", member), (bucket, prefix))


class MacieS3ResourceProvider(DynamicProvider):
    """Dynamic provider for ``MacieS3Resource``."""

    HOOKS = S3ResourceHooks
