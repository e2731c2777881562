"""What a program changes to use the native plugin: the edits ``pulumi-macie-migrate`` prints, or writes.

The two Python SDKs have the same names (``MacieS3Resource``, ``ClassificationTypeArgs``...), so a
Python program changes its imports only: ``pulumi_macie`` becomes ``pulumi_macie_native``, and its
requirements name the native SDK. Resources that live where the stack config does not point go under
an explicit provider, which the program declares. Other languages are told the types and packages.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from .moves import Plan

#: ``pulumi_macie`` as a module name, not the start of ``pulumi_macie_native`` or ``pulumi_macie_provider``.
_DYNAMIC_MODULE = re.compile(r"\bpulumi_macie\b(?![_\w])")
#: The dynamic SDK's distribution in a requirements file.
_DYNAMIC_REQUIREMENT = re.compile(r"^pulumi[-_]macie(?=\s*(?:[<>=!~;\[#]|$))", re.MULTILINE)
_SKIPPED = {"venv", ".venv", "node_modules", "__pycache__", ".git"}


def python_files(folder: Path) -> list[Path]:
    """The program's Python files and requirements (not those of a virtualenv inside the project)."""
    found = []
    for path in sorted(folder.rglob("*")):
        if any(part in _SKIPPED for part in path.relative_to(folder).parts):
            continue
        if path.is_file() and (path.suffix == ".py" or path.name == "requirements.txt"):
            found.append(path)
    return found


def switched(path: Path, text: str) -> str:
    """``text`` of ``path`` with the dynamic SDK replaced by the native one."""
    if path.name == "requirements.txt":
        return _DYNAMIC_REQUIREMENT.sub("pulumi-macie-native", text)
    return _DYNAMIC_MODULE.sub("pulumi_macie_native", text)


def program_edits(folder: Path) -> dict[Path, str]:
    """The new text of each file of the Python program in ``folder`` that still uses the dynamic SDK."""
    edits = {}
    for path in python_files(folder):
        text = path.read_text(encoding="utf-8")
        new = switched(path, text)
        if new != text:
            edits[path] = new
    return edits


def edits_diff(folder: Path, edits: dict[Path, str]) -> str:
    """The edits as a unified diff, paths relative to ``folder``."""
    lines: list[str] = []
    for path, new in edits.items():
        name = str(path.relative_to(folder))
        old = path.read_text(encoding="utf-8")
        lines += difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{name}", f"b/{name}"
        )
    return "".join(lines)


def write_edits(edits: dict[Path, str]) -> None:
    for path, new in edits.items():
        path.write_text(new, encoding="utf-8")


def explicit_provider_advice(plan: Plan) -> str:
    """What the program declares for the resources that go under explicit providers ("" when none do)."""
    explicit = [provider for provider in plan.providers if not provider.default]
    if not explicit:
        return ""
    lines = ["These resources live where the stack config does not point; declare their providers:"]
    for provider in explicit:
        region, endpoint = provider.place
        names = [move.new_urn.rsplit("::", 1)[1] for move in plan.moves if move.provider == provider.urn]
        variable = re.sub(r"\W", "_", provider.name)
        lines.append(
            f'  {variable} = pulumi_macie_native.Provider("{provider.name}", region="{region}", '
            f'endpoint_url="{endpoint}")'
        )
        lines.append(f"    and give {', '.join(names)} opts=pulumi.ResourceOptions(provider={variable})")
    return "\n".join(lines)


#: For programs in other languages (the dynamic SDK is Python only: a program that moves language is rewritten).
OTHER_LANGUAGES = (
    "A program in another language declares the same resources and names with the native SDK: YAML "
    "`type: macie:MacieS3Resource` (and `macie:MacieMemberAccount`), TypeScript `@pulumi-macie/macie`, Go "
    "`github.com/pulumi-macie/pulumi-macie/sdk/go/macie`; the inputs keep their names."
)
