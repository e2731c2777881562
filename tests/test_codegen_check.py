"""`python codegen/generate.py --check` as a command: its exit status and what it prints, on a copy of
the repository's generator inputs and outputs (the repository itself is never written)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegen import generate

ROOT = generate.ROOT
#: What the generators read and write, relative to the repository.
COPIED = ("codegen", "schema.json", "pyproject.toml", "sdk", *generate.SINGLE_FILES)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the generators, their inputs and their outputs, with the built Go generator linked."""
    ignore = shutil.ignore_patterns(*generate.NOT_GENERATED, "*.egg-info")
    for name in COPIED:
        source, target = ROOT / name, tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore)
        else:
            shutil.copy2(source, target)
    if not generate.GENERATOR.is_file():
        pytest.fail(f"{generate.GENERATOR.relative_to(ROOT)} is not built: run scripts/setup.sh")
    built = tmp_path / generate.GENERATOR.relative_to(ROOT)
    built.parent.mkdir(parents=True)
    built.symlink_to(generate.GENERATOR)
    shutil.copy2(generate.GENERATOR_STAMP, built.with_name(generate.GENERATOR_STAMP.name))
    if not generate.JAVA_HOST.is_file():
        pytest.fail(f"{generate.JAVA_HOST.relative_to(ROOT)} is not built: run scripts/setup.sh")
    host = tmp_path / generate.JAVA_HOST.relative_to(ROOT)
    host.parent.mkdir(parents=True)
    host.symlink_to(generate.JAVA_HOST)
    return tmp_path


def run(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(tree / "codegen" / "generate.py"), *args],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_of_fresh_files_exits_0(tree: Path) -> None:
    """With every generated file as the generators make it, --check exits 0 and names nothing stale."""
    result = run(tree, "--check")
    assert result.returncode == 0, result.stderr
    assert "generated files are fresh" in result.stdout and "stale" not in result.stderr


def test_check_of_stale_files_exits_1_naming_each(tree: Path) -> None:
    """A changed, a missing and an extra generated file make --check exit 1, naming each, and write
    nothing; the generator then repairs them and --check exits 0."""
    changed = tree / "sdk" / "python" / "pulumi_macie" / "_enums.py"
    changed.write_text(changed.read_text() + "# edited by hand\n")
    missing = tree / "sdk" / "nodejs" / "utilities.ts"
    missing.unlink()
    extra = tree / "sdk" / "go" / "macie" / "extra.go"
    extra.write_text("package macie\n")

    result = run(tree, "--check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "stale: sdk/go/macie/extra.go: no longer generated",
        "stale: sdk/nodejs/utilities.ts: missing",
        "stale: sdk/python/pulumi_macie/_enums.py: differs",
        "3 stale file(s): run `python codegen/generate.py`",
    ]
    assert changed.read_text().endswith("# edited by hand\n") and not missing.exists() and extra.exists()

    assert run(tree).returncode == 0
    assert run(tree, "--check").returncode == 0
    assert not extra.exists() and missing.exists()


def test_check_after_a_schema_change_exits_1(tree: Path) -> None:
    """A description changed in schema.json leaves the SDKs stale until they are regenerated."""
    schema_path = tree / "schema.json"
    schema = json.loads(schema_path.read_text())
    schema["resources"]["macie:index:MacieMemberAccount"]["description"] += " Changed."
    schema_path.write_text(json.dumps(schema, indent=2) + "\n")
    result = run(tree, "--check")
    assert result.returncode == 1
    stale = [line for line in result.stderr.splitlines() if line.startswith("stale: ")]
    assert "stale: sdk/python/pulumi_macie/macie_member_account.py: differs" in stale
    assert any(line.startswith("stale: sdk/nodejs/") for line in stale)
    assert any(line.startswith("stale: sdk/go/") for line in stale)
    assert any(line.startswith("stale: sdk/python-native/") for line in stale)
    assert "stale: sdk/java/src/main/java/com/pulumi/macie/MacieMemberAccount.java: differs" in stale
