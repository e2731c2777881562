"""pulumi-macie-migrate's state rewrite and its refusals, over exported deployments (no CLI, no Macie)."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pulumi_macie_provider.hosts.wire import SECRET_SIG
from pulumi_macie_provider.importer.migrate import (
    Refused,
    refuse_double_holds,
    refuse_unsettled,
    restore,
    stack_settings,
)
from pulumi_macie_provider.importer.moves import plan_moves, rewritten
from pulumi_macie_provider.importer.program import explicit_provider_advice, program_edits, switched

from .pulumi_harness import ROOT

ENDPOINT = "http://127.0.0.1:4566"
PREFIX = "urn:pulumi:test::macie-upgrade::"
STACK = f"{PREFIX}pulumi:pulumi:Stack::macie-upgrade-test"
DYNAMIC_PROVIDER = f"{PREFIX}pulumi:providers:pulumi-python::default"


@pytest.fixture(autouse=True)
def _region(monkeypatch: pytest.MonkeyPatch) -> None:
    """The region comes from the environment, as the dynamic provider would take it; no endpoint does."""
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_MACIE", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)


def fixture_deployment() -> dict[str, Any]:
    text = (ROOT / "tests" / "fixtures" / "state-0.1.0-dynamic.json").read_text().replace("ENDPOINT_URL", ENDPOINT)
    return dict(json.loads(text)["deployment"])


def ids() -> str:
    return "11111111-2222-3333-4444-555555555555"


def test_migrate_rewrites_0_1_0_resources_as_native_ones() -> None:
    """0.1.0's shared-type resources become macie:index:* under the same IDs, without __provider, their
    dependencies following the new URNs, under a native default provider recorded as CheckConfig
    records the stack config (the region from the environment); the dynamic default provider goes."""
    deployment = fixture_deployment()
    original = copy.deepcopy(deployment)
    plan = plan_moves(deployment, {"macie:endpointUrl": ENDPOINT}, new_id=ids)
    out = rewritten(deployment, plan)
    assert deployment == original  # the input is not changed
    by_urn = {r["urn"]: r for r in out["resources"]}
    audit = f"{PREFIX}macie:index:MacieMemberAccount::audit"
    member_logs = by_urn[f"{PREFIX}macie:index:MacieS3Resource::member-logs"]
    provider = by_urn[f"{PREFIX}pulumi:providers:macie::default_0_1_0"]
    assert [r["type"] for r in out["resources"]] == [
        "pulumi:pulumi:Stack",
        "pulumi:providers:macie",
        "macie:index:MacieS3Resource",
        "macie:index:MacieMemberAccount",
        "macie:index:MacieS3Resource",
    ]
    assert provider["inputs"] == {"endpointUrl": ENDPOINT, "region": "us-east-1", "version": "0.1.0", "__internal": {}}
    assert provider["outputs"] == {"endpointUrl": ENDPOINT, "region": "us-east-1", "version": "0.1.0"}
    assert member_logs["id"] == "111122223333:upgrade-logs/2024/"
    assert member_logs["provider"] == f"{provider['urn']}::{ids()}"
    assert member_logs["dependencies"] == [audit]
    assert member_logs["propertyDependencies"] == {
        "bucketName": [],
        "memberAccountId": [audit],
        "prefix": [],
    }
    assert "__provider" not in member_logs["inputs"] and "__provider" not in member_logs["outputs"]
    assert member_logs["inputs"]["classificationType"] == {"continuous": "FULL", "oneTime": "NONE"}
    assert member_logs["parent"] == STACK
    assert DYNAMIC_PROVIDER not in {r["urn"] for r in out["resources"]}
    assert plan.dropped == [DYNAMIC_PROVIDER]


def test_migrate_keeps_resource_options_and_renames_children() -> None:
    """protect, customTimeouts and a component parent stay; a resource whose parent moves is renamed
    under it; another provider's resources and the dynamic provider they still use stay as they are."""
    deployment = fixture_deployment()
    resources = deployment["resources"]
    logs = resources[2]
    logs.update(protect=True, customTimeouts={"create": 300, "delete": 420})
    logs["parent"] = f"{PREFIX}acme:index:Group::group"
    logs["urn"] = f"{PREFIX}acme:index:Group$pulumi-python:dynamic:Resource::master-logs"
    group = {"urn": logs["parent"], "custom": False, "type": "acme:index:Group", "parent": STACK}
    child = {
        "urn": f"{PREFIX}pulumi-python:dynamic:Resource$acme:index:Note::note",
        "custom": False,
        "type": "acme:index:Note",
        "parent": f"{PREFIX}pulumi-python:dynamic:Resource::audit",
    }
    other = {
        "urn": f"{PREFIX}pulumi-python:dynamic:Resource::someone-elses",
        "custom": True,
        "id": "x",
        "type": "pulumi-python:dynamic:Resource",
        "inputs": {"__provider": "bm90IG91cnM="},
        "provider": resources[1]["urn"] + "::" + resources[1]["id"],
    }
    deployment["resources"] = [resources[0], resources[1], group, *resources[2:], child, other]
    out = rewritten(deployment, plan_moves(deployment, {"macie:endpointUrl": ENDPOINT}, new_id=ids))
    by_name = {r["urn"].rsplit("::", 1)[1]: r for r in out["resources"]}
    assert by_name["master-logs"]["urn"] == f"{PREFIX}acme:index:Group$macie:index:MacieS3Resource::master-logs"
    assert by_name["master-logs"]["protect"] is True
    assert by_name["master-logs"]["customTimeouts"] == {"create": 300, "delete": 420}
    assert by_name["note"]["urn"] == f"{PREFIX}macie:index:MacieMemberAccount$acme:index:Note::note"
    assert by_name["note"]["parent"] == f"{PREFIX}macie:index:MacieMemberAccount::audit"
    assert by_name["someone-elses"] == other
    assert by_name["default"]["type"] == "pulumi:providers:pulumi-python"  # still in use


def test_migrate_puts_resources_living_elsewhere_under_an_explicit_provider() -> None:
    """A resource whose recorded location is not where the stack config points goes under an explicit
    provider of that place (a child of the stack); the others under the default provider."""
    deployment = fixture_deployment()
    elsewhere = {"region": "us-west-2", "endpointUrl": "http://other.example:9000/"}
    deployment["resources"][2]["outputs"]["__location"] = elsewhere
    plan = plan_moves(deployment, {"macie:endpointUrl": ENDPOINT}, new_id=ids)
    out = {r["urn"].rsplit("::", 1)[1]: r for r in rewritten(deployment, plan)["resources"]}
    explicit = out["macie-us-west-2"]
    assert explicit["inputs"] == {"region": "us-west-2", "endpointUrl": "http://other.example:9000", "maxAttempts": 8}
    advice = explicit_provider_advice(plan)
    assert 'macie_us_west_2 = pulumi_macie_native.Provider("macie-us-west-2", region="us-west-2"' in advice
    assert "give master-logs opts=pulumi.ResourceOptions(provider=macie_us_west_2)" in advice
    assert explicit["parent"] == STACK
    assert out["master-logs"]["provider"] == f"{explicit['urn']}::{ids()}"
    assert "__location" not in out["master-logs"]["outputs"]
    assert out["audit"]["provider"].split("::")[-2] == "default_0_1_0"


def test_migrate_records_secret_settings_as_secrets() -> None:
    """Keys in the stack config are recorded in the default provider as secrets (the engine encrypts
    them on import), as CheckConfig records them, and so is any setting the stack keeps secret."""
    config = {"macie:endpointUrl": ENDPOINT, "macie:accessKey": "AKID", "macie:secretKey": "s3cret"}
    plan = plan_moves(fixture_deployment(), config, new_id=ids)
    inputs = plan.providers[0].inputs
    assert inputs["accessKey"] == {SECRET_SIG[0]: SECRET_SIG[1], "plaintext": '"AKID"'}
    assert inputs["secretKey"] == {SECRET_SIG[0]: SECRET_SIG[1], "plaintext": '"s3cret"'}
    assert inputs["endpointUrl"] == ENDPOINT
    hidden = plan_moves(fixture_deployment(), config, new_id=ids, secret_keys=["endpointUrl"]).providers[0]
    assert hidden.inputs["endpointUrl"] == {SECRET_SIG[0]: SECRET_SIG[1], "plaintext": json.dumps(ENDPOINT)}


def test_migrate_of_a_moved_stack_has_nothing_to_move() -> None:
    """Once moved, a stack holds no dynamic resource of ours: the plan is empty and rewrites nothing."""
    deployment = fixture_deployment()
    moved = rewritten(deployment, plan_moves(deployment, {"macie:endpointUrl": ENDPOINT}, new_id=ids))
    again = plan_moves(moved, {"macie:endpointUrl": ENDPOINT}, new_id=ids)
    assert again.moves == [] and again.providers == [] and again.dropped == []
    assert rewritten(moved, again) == moved


def test_migrate_refuses_pending_operations_and_pending_deletes() -> None:
    """Pending operations and resources waiting to be deleted are refused, each named."""
    deployment = fixture_deployment()
    resource = deployment["resources"][3]
    with pytest.raises(Refused, match=r"pending operations \(creating .*::audit\)"):
        refuse_unsettled({**deployment, "pending_operations": [{"type": "creating", "resource": resource}]})
    deployment["resources"][3] = {**resource, "delete": True}
    with pytest.raises(Refused, match=r"wait to be deleted .*::audit"):
        refuse_unsettled(deployment)


def test_migrate_refuses_an_association_held_twice() -> None:
    """A native resource already holding what a dynamic one holds (the `pulumi import` trap) is refused,
    naming both."""
    deployment = fixture_deployment()
    audit = deployment["resources"][3]
    native = {
        **audit,
        "urn": f"{PREFIX}macie:index:MacieMemberAccount::audit",
        "type": "macie:index:MacieMemberAccount",
    }
    deployment["resources"] = [*deployment["resources"][:2], audit, native]  # members: no STS call needed
    with pytest.raises(Refused, match=r"MacieMemberAccount 111122223333 is held by .*::audit and .*::audit"):
        refuse_double_holds(deployment, stack_settings({"macie:endpointUrl": ENDPOINT}))


def test_migrate_switches_a_python_program_to_the_native_sdk(tmp_path: Path) -> None:
    """Imports of pulumi_macie (not pulumi_macie_native or _provider) and the requirement change."""
    main = tmp_path / "__main__.py"
    main.write_text(
        "import pulumi_macie\nimport pulumi_macie as m\nfrom pulumi_macie import MacieS3Resource\n"
        "import pulumi_macie_provider\nx = pulumi_macie.MacieMemberAccount\n"
    )
    (tmp_path / "requirements.txt").write_text("pulumi==3.260.0\npulumi-macie>=0.1\npulumi-macie-native\n")
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "x.py").write_text("import pulumi_macie\n")
    edits = program_edits(tmp_path)
    assert set(edits) == {main, tmp_path / "requirements.txt"}
    assert edits[main] == (
        "import pulumi_macie_native\nimport pulumi_macie_native as m\nfrom pulumi_macie_native import MacieS3Resource\n"
        "import pulumi_macie_provider\nx = pulumi_macie_native.MacieMemberAccount\n"
    )
    assert edits[tmp_path / "requirements.txt"] == "pulumi==3.260.0\npulumi-macie-native>=0.1\npulumi-macie-native\n"
    assert switched(main, "from pulumi_macie_native import X\n") == "from pulumi_macie_native import X\n"


class FakeStack:
    """Stands for the CLI on a stack: ``stack export`` answers ``exports`` (plain, shown) in turn;
    ``stack import`` is recorded."""

    def __init__(self, *exports: tuple[str, str]) -> None:
        self.exports = list(exports)
        self.imports: list[str] = []

    def capture(self, *args: str) -> subprocess.CompletedProcess[str]:
        if args[:2] == ("stack", "import"):
            self.imports.append(args[-1])
            return subprocess.CompletedProcess(list(args), 0, "", "")
        plain, shown = self.exports[0]
        if "--show-secrets" in args:
            self.exports.pop(0)
            return subprocess.CompletedProcess(list(args), 0, shown, "")
        if len(self.exports) > 1:
            self.exports.pop(0)
        return subprocess.CompletedProcess(list(args), 0, plain, "")


def test_migrate_restore_puts_back_a_file_backends_checkpoint_bytes(tmp_path: Path) -> None:
    """On a file backend the checkpoint's own bytes go back (no stack import, which would encrypt the
    secrets again); elsewhere the backup is imported, and a stack whose only difference is new
    ciphertexts is reported as holding what it held."""
    checkpoint = tmp_path / "test.json"
    checkpoint.write_bytes(b"after")
    exact = FakeStack(("before", "shown"))
    said = restore(exact, tmp_path / "backup.json", ("before", "shown"), {checkpoint: b"before"})  # type: ignore[arg-type]
    assert checkpoint.read_bytes() == b"before" and exact.imports == []
    assert "byte for byte" in said

    reencrypted = FakeStack(("new ciphertexts", "shown"))
    said = restore(reencrypted, tmp_path / "backup.json", ("before", "shown"), {})  # type: ignore[arg-type]
    assert reencrypted.imports == [str(tmp_path / "backup.json")]
    assert "holds what it held (its secrets encrypted again)" in said

    lost = FakeStack(("other", "other shown"))
    said = restore(lost, tmp_path / "backup.json", ("before", "shown"), {})  # type: ignore[arg-type]
    assert "does NOT hold what it held" in said


def test_migrate_uses_the_native_default_provider_the_stack_holds() -> None:
    """A stack that holds native resources already keeps its default provider (its ID and record, placed
    before every resource it serves) and the moved resources join it; no second one is written."""
    deployment = fixture_deployment()
    recorded = {"endpointUrl": ENDPOINT, "region": "us-east-1", "version": "0.1.0"}
    provider = {
        "urn": f"{PREFIX}pulumi:providers:macie::default_0_1_0",
        "custom": True,
        "id": "held-id",
        "type": "pulumi:providers:macie",
        "inputs": {**recorded, "__internal": {}},
        "outputs": recorded,
    }
    native = {
        "urn": f"{PREFIX}macie:index:MacieMemberAccount::other",
        "custom": True,
        "id": "444455556666",
        "type": "macie:index:MacieMemberAccount",
        "provider": f"{provider['urn']}::held-id",
    }
    deployment["resources"] += [provider, native]
    out = rewritten(deployment, plan_moves(deployment, {"macie:endpointUrl": ENDPOINT}, new_id=ids))
    urns = [r["urn"] for r in out["resources"]]
    assert urns.count(provider["urn"]) == 1 and urns.index(provider["urn"]) == 1
    assert {r["provider"] for r in out["resources"] if r["type"].startswith("macie:")} == {
        f"{provider['urn']}::held-id"
    }
