"""Programs using the generated SDK, run with Pulumi's mocks: what they register and what they see."""

from __future__ import annotations

from typing import Any

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


def resolved(output: pulumi.Output[Any]) -> Any:
    box: list[Any] = []
    output.apply(box.append)
    return box


@pulumi.runtime.test
def test_sdk_registers_dynamic_resources_with_wire_names(recorder: Recorder) -> Any:
    """Resources register as dynamic resources with camelCase inputs and the provider attached."""
    member = MacieMemberAccount("audit", member_account_id="111122223333")
    logs = MacieS3Resource(
        "logs",
        bucket_name="corp-logs",
        prefix="2024/",
        member_account_id=member.member_account_id,
        classification_type=ClassificationTypeArgs(one_time=OneTimeClassificationType.FULL),
    )

    def check(values: list[Any]) -> None:
        by_name = {r.name: r for r in recorder.registered}
        assert by_name["audit"].typ == "pulumi-python:dynamic/macie:MacieMemberAccount"
        assert by_name["logs"].typ == "pulumi-python:dynamic/macie:MacieS3Resource"
        inputs = by_name["logs"].inputs
        assert inputs["bucketName"] == "corp-logs" and inputs["prefix"] == "2024/"
        assert inputs["memberAccountId"] == "111122223333"
        assert inputs["classificationType"] == {"oneTime": "FULL", "continuous": "FULL"}
        assert "__provider" in inputs
        assert values[0] == "corp-logs"

    def check_type(value: Any) -> None:
        assert type(value).__name__ == "ClassificationType"
        assert value.one_time == "FULL" and value.continuous == "FULL"

    return pulumi.Output.all(
        pulumi.Output.all(logs.bucket_name).apply(check), logs.classification_type.apply(check_type)
    )


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


def test_sdk_get_reads_by_id() -> None:
    """MacieS3Resource.get registers a read of the given ID."""
    reads: list[Any] = []

    class ReadMocks(Recorder):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
            reads.append(args)
            return args.resource_id or "", {
                "bucketName": "corp-logs",
                "prefix": "",
                "classificationType": {"oneTime": "NONE", "continuous": "FULL"},
            }

    pulumi.runtime.set_mocks(ReadMocks(), preview=False)

    @pulumi.runtime.test
    def run() -> Any:
        found = MacieS3Resource.get("existing", "corp-logs")
        return found.bucket_name.apply(lambda name: name == "corp-logs" or pytest.fail(name))

    run()
    assert reads and reads[0].resource_id == "corp-logs"
