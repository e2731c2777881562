"""Programs using the generated SDK, run with Pulumi's mocks: what they register and what they see."""

from __future__ import annotations

import base64
from typing import Any

import dill
import pulumi
import pytest

from pulumi_macie import (
    ClassificationTypeArgs,
    MacieMemberAccount,
    MacieMemberAccountArgs,
    MacieS3Resource,
    MacieS3ResourceArgs,
    OneTimeClassificationType,
)
from pulumi_macie_provider.resources.member_account import MemberAccountHooks
from pulumi_macie_provider.resources.s3_resource import S3ResourceHooks


class Recorder(pulumi.runtime.Mocks):
    """Answers every registration with its inputs plus an ID, and records what was registered."""

    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registered.append(args)
        outputs = dict(args.inputs)
        if "bucketName" in outputs:
            outputs.setdefault("classificationType", {"oneTime": "NONE", "continuous": "FULL"})
            outputs["prefix"] = outputs.get("prefix") or ""
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


@pytest.fixture
def recorder() -> Recorder:
    mocks = Recorder()
    pulumi.runtime.set_mocks(mocks, preview=False)
    return mocks


def provider_of(args: pulumi.runtime.MockResourceArgs) -> Any:
    """The dynamic provider a registration carries (``__provider``: the provider object, pickled, as a
    secret)."""
    provider = args.inputs["__provider"]
    if isinstance(provider, dict):  # a secret, as the mocks see it
        provider = provider["value"]
    return dill.loads(base64.b64decode(provider))


@pulumi.runtime.test
def test_sdk_registers_dynamic_resources_with_wire_names(recorder: Recorder) -> Any:
    """Resources register as custom resources with camelCase inputs, the schema's defaults filled in,
    the member ID taken from the member's output, and each with its own resource's dynamic provider."""
    member = MacieMemberAccount("audit", member_account_id="111122223333")
    logs = MacieS3Resource(
        "logs",
        bucket_name="corp-logs",
        prefix="2024/",
        member_account_id=member.member_account_id,
        classification_type=ClassificationTypeArgs(one_time=OneTimeClassificationType.FULL),
    )

    def check(_: Any) -> None:
        by_name = {r.name: r for r in recorder.registered}
        assert by_name["audit"].typ == "pulumi-python:dynamic/macie:MacieMemberAccount"
        assert by_name["logs"].typ == "pulumi-python:dynamic/macie:MacieS3Resource"
        assert sorted(by_name) == ["audit", "logs"]
        assert by_name["audit"].custom and by_name["logs"].custom
        assert {k: v for k, v in by_name["audit"].inputs.items() if k != "__provider"} == {
            "memberAccountId": "111122223333"
        }
        assert {k: v for k, v in by_name["logs"].inputs.items() if k != "__provider"} == {
            "bucketName": "corp-logs",
            "prefix": "2024/",
            "memberAccountId": "111122223333",
            "classificationType": {"oneTime": "FULL", "continuous": "FULL"},
        }
        assert provider_of(by_name["audit"]).HOOKS is MemberAccountHooks
        assert provider_of(by_name["logs"]).HOOKS is S3ResourceHooks

    return pulumi.Output.all(member.id, logs.id).apply(check)  # both registered before checking


def test_sdk_outputs_are_what_the_engine_answers() -> None:
    """A resource's outputs are the engine's answer, not the program's inputs, under the Python names
    and as the schema's output types."""

    class Answering(Recorder):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
            return "corp-logs/2024/", {
                "bucketName": "corp-logs",
                "prefix": "2024/",
                "classificationType": {"oneTime": "NONE", "continuous": "NONE"},
            }

    pulumi.runtime.set_mocks(Answering(), preview=False)
    seen: dict[str, Any] = {}

    @pulumi.runtime.test
    def run() -> Any:
        logs = MacieS3Resource(
            "logs",
            bucket_name="corp-logs",
            prefix="2024/",
            classification_type=ClassificationTypeArgs(one_time=OneTimeClassificationType.FULL),
        )
        outputs = {"id": logs.id, "classification": logs.classification_type, "member": logs.member_account_id}
        return pulumi.Output.all(*(o.apply(lambda v, k=k: seen.__setitem__(k, v)) for k, o in outputs.items()))

    run()
    classification = seen["classification"]
    assert seen["id"] == "corp-logs/2024/" and seen["member"] is None
    assert type(classification).__name__ == "ClassificationType"
    assert (classification.one_time, classification.continuous) == ("NONE", "NONE")


@pulumi.runtime.test
def test_sdk_args_object_form(recorder: Recorder) -> Any:
    """The Args-object constructor form registers the same inputs as keywords."""
    member = MacieMemberAccount("a", MacieMemberAccountArgs(member_account_id="222233334444"))
    res = MacieS3Resource("b", MacieS3ResourceArgs(bucket_name="bucket-b"))

    def check(_: Any) -> None:
        inputs = {r.name: r.inputs for r in recorder.registered}
        assert inputs["a"]["memberAccountId"] == "222233334444"
        assert inputs["b"]["bucketName"] == "bucket-b" and inputs["b"]["prefix"] == ""

    return pulumi.Output.all(member.id, res.id).apply(check)  # both registered before checking


def test_sdk_missing_required_property() -> None:
    """A missing required property is a TypeError naming it, before anything is registered."""
    pulumi.runtime.set_mocks(Recorder(), preview=False)
    with pytest.raises(TypeError, match="Missing required property 'bucket_name'"):
        MacieS3Resource("nope")
    with pytest.raises(TypeError, match="Missing required property 'member_account_id'"):
        MacieMemberAccount("nope")


def test_sdk_classification_defaults() -> None:
    """ClassificationTypeArgs fills the schema's defaults: oneTime NONE, continuous FULL."""
    args = ClassificationTypeArgs()
    assert (args.one_time, args.continuous) == ("NONE", "FULL")


def test_sdk_get_reads_by_id(recorder: Recorder) -> None:
    """MacieS3Resource.get reads the given ID under the given name, through the S3 resource's dynamic
    provider, declaring no property (and so needing none of the required ones)."""

    @pulumi.runtime.test
    def run() -> Any:
        return MacieS3Resource.get("existing", "corp-logs/2024/").id

    run()
    (read,) = recorder.registered
    assert (read.name, read.resource_id) == ("existing", "corp-logs/2024/")
    assert [key for key in read.inputs if not key.startswith("__")] == []
    assert provider_of(read).HOOKS is S3ResourceHooks


@pulumi.runtime.test
def test_sdk_orders_a_literal_member_id_after_the_member_declared_with_it(recorder: Recorder) -> Any:
    """An S3 resource that names, by a literal ID, a member account the program declared before it
    depends on that member (so the engine creates the member first and deletes it last, and no hook
    waits); a member named by another ID, or by its output, adds nothing."""
    from pulumi_macie import _utilities

    member = MacieMemberAccount("ordered-member", member_account_id="777788889999")
    opts = _utilities.after_declared(pulumi.ResourceOptions(), "MacieMemberAccount", "777788889999")
    assert opts.depends_on == [member]
    other = _utilities.after_declared(pulumi.ResourceOptions(), "MacieMemberAccount", "777788880000")
    assert not other.depends_on
    by_output = _utilities.after_declared(pulumi.ResourceOptions(), "MacieMemberAccount", member.member_account_id)
    assert not by_output.depends_on
    MacieS3Resource("ordered-logs", bucket_name="b", member_account_id="777788889999")
