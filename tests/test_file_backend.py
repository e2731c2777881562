"""The file backend's one repair: a checkpoint metadata file a killed run left empty or cut."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pulumi_macie_provider.client import ClientSettings
from pulumi_macie_provider.file_backend import (
    backend_root,
    checkpoint_sidecars,
    project_name,
    repair_checkpoint_metadata,
    unreadable,
)
from pulumi_macie_provider.importer import UNREADABLE, export_repaired, recover_pending_creates

WHOLE = '{"user.content_type":"application/octet-stream","md5":"AAAA"}\n'


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file:///srv/state?no_tmp_dir=true", Path("/srv/state")),
        ("file:///srv/my%20state", Path("/srv/my state")),
        ("file://~/state", Path.home() / "state"),
        ("file://state", Path("/home/user/project/state")),
        ("s3://bucket?endpoint=127.0.0.1:9000", None),
        ("https://api.pulumi.com", None),
        ("", None),
    ],
)
def test_backend_root(url: str, expected: Path | None) -> None:
    assert backend_root(url, Path("/home/user/project")) == expected


def test_project_name_from_the_nearest_pulumi_yaml(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    assert project_name(tmp_path / "sub" / "deeper") == "shop"
    (tmp_path / "sub" / "Pulumi.yml").write_text("name: inner\nruntime: yaml\n")
    assert project_name(tmp_path / "sub" / "deeper") == "inner"


def test_no_project_name_without_pulumi_yaml(tmp_path: Path) -> None:
    assert project_name(tmp_path) is None


@pytest.mark.parametrize(("content", "broken"), [("", True), ('{"md5":', True), ("[]", True), (WHOLE, False)])
def test_unreadable(tmp_path: Path, content: str, broken: bool) -> None:
    sidecar = tmp_path / "dev.json.attrs"
    sidecar.write_text(content)
    assert unreadable(sidecar) is broken


def backend(tmp_path: Path) -> Path:
    """A file backend holding stacks `dev` of projects `shop` and `other`, and a legacy-layout `dev`."""
    stacks = tmp_path / "state" / ".pulumi" / "stacks"
    for folder in (stacks / "shop", stacks / "other", stacks):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "dev.json").write_text('{"version": 3}')
        (folder / "dev.json.attrs").write_text(WHOLE)
        (folder / "dev.json.bak.attrs").write_text("")
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    return stacks


def test_checkpoint_sidecars_of_the_project_and_the_legacy_layout(tmp_path: Path) -> None:
    stacks = backend(tmp_path)
    (stacks / "shop" / "dev.json.gz.attrs").write_text(WHOLE)
    root = tmp_path / "state"
    found = checkpoint_sidecars(root, "shop", "dev")
    assert found == [
        stacks / "shop" / "dev.json.attrs",
        stacks / "shop" / "dev.json.gz.attrs",
        stacks / "dev.json.attrs",
    ]
    assert checkpoint_sidecars(root, None, "organization/other/dev") == [
        stacks / "other" / "dev.json.attrs",
        stacks / "dev.json.attrs",
    ]


def test_repair_removes_only_the_stacks_broken_checkpoint_metadata(tmp_path: Path) -> None:
    stacks = backend(tmp_path)
    for folder in (stacks / "shop", stacks / "other"):
        (folder / "dev.json.attrs").write_text("")
    url = (tmp_path / "state").as_uri() + "?no_tmp_dir=true"

    removed = repair_checkpoint_metadata(url, tmp_path / "project", "dev")

    assert removed == [stacks / "shop" / "dev.json.attrs"]
    assert not (stacks / "shop" / "dev.json.attrs").exists()
    assert (stacks / "shop" / "dev.json").read_text() == '{"version": 3}'  # the checkpoint is left as it is
    assert (stacks / "other" / "dev.json.attrs").read_text() == ""  # another project's stack: not touched
    assert (stacks / "shop" / "dev.json.bak.attrs").exists()  # the backup's: not what loads the stack
    assert (stacks / "dev.json.attrs").read_text() == WHOLE  # whole: kept
    assert repair_checkpoint_metadata(url, tmp_path / "project", "dev") == []


def test_repair_touches_nothing_on_other_backends(tmp_path: Path) -> None:
    stacks = backend(tmp_path)
    (stacks / "shop" / "dev.json.attrs").write_text("")
    assert repair_checkpoint_metadata("s3://state-bucket", tmp_path / "project", "dev") == []
    assert (stacks / "shop" / "dev.json.attrs").exists()


class ScriptedPulumi:
    """The CLI as `export_repaired` and `recover_pending_creates` use it, answering from a script."""

    def __init__(self, url: str, exports: list[subprocess.CompletedProcess[str]], stack: str | None) -> None:
        self.url, self.exports = url, exports
        self.calls: list[tuple[str, ...]] = []
        self.stack = ["--stack", stack] if stack else []

    def capture(self, *args: str) -> subprocess.CompletedProcess[str]:
        self.calls.append(args)
        if args[:2] == ("stack", "export"):
            return self.exports.pop(0)
        return subprocess.CompletedProcess(args, 0, "", "")

    def stack_name(self) -> str:
        return self.stack[1] if self.stack else ""

    def backend_url(self) -> str:
        return self.url


def answer(code: int, stderr: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess(["pulumi"], code, '{"deployment": {}}' if code == 0 else "", stderr)


EOF_ERROR = "error: failed to load checkpoint: EOF\n"


@pytest.fixture
def stacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The backend of ``backend()`` with the `shop` project's `dev` checkpoint metadata emptied, as a
    killed run leaves it, run from the project's folder; answers the backend's stacks folder."""
    folder = backend(tmp_path)
    (folder / "shop" / "dev.json.attrs").write_text("")
    monkeypatch.chdir(tmp_path / "project")
    return folder


def test_export_repaired_removes_the_broken_metadata_then_releases_the_lock(
    tmp_path: Path, stacks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pulumi = ScriptedPulumi((tmp_path / "state").as_uri(), [answer(255, EOF_ERROR), answer(0)], "dev")

    assert export_repaired(pulumi, "--show-secrets").returncode == 0

    assert pulumi.calls == [("stack", "export", "--show-secrets")] * 2 + [("cancel", "--yes")]
    assert not (stacks / "shop" / "dev.json.attrs").exists()
    printed = capsys.readouterr().out
    assert f"its metadata file {stacks / 'shop' / 'dev.json.attrs'} was empty or cut" in printed
    assert "released the interrupted run's lock" in printed


@pytest.mark.usefixtures("stacks")
def test_export_repaired_leaves_the_lock_when_the_checkpoint_still_cannot_be_read(tmp_path: Path) -> None:
    pulumi = ScriptedPulumi((tmp_path / "state").as_uri(), [answer(255, EOF_ERROR), answer(255, EOF_ERROR)], "dev")

    assert export_repaired(pulumi).returncode == 255
    assert ("cancel", "--yes") not in pulumi.calls


def test_unreadable_checkpoint_of_an_unnamed_stack_says_to_name_it(
    tmp_path: Path, stacks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pulumi = ScriptedPulumi((tmp_path / "state").as_uri(), [answer(255, EOF_ERROR)], None)

    code = recover_pending_creates(pulumi, lambda: ClientSettings(), "import.json")

    assert code == UNREADABLE
    assert "name the stack, `-- --stack <stack>`" in capsys.readouterr().err
    assert (stacks / "shop" / "dev.json.attrs").exists()  # which stack's file it is, is not guessed
