"""The runtime packages use other libraries through their public interfaces, in modules of one purpose.

Read from the source (no import): no attribute of another library's object whose name starts with an
underscore, and no underscore name imported from another library, except in the places listed in
``PRIVATE`` — one per library, each with a comment at the place and a guard test below that fails
loudly when the library changes what it relies on. The provider package's modules stay small and open
with a line that says what they are.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = [ROOT / "provider" / "pulumi_macie_provider", ROOT / "local" / "macie_local"]
OWN = ("pulumi_macie_provider", "macie_local")
#: The allowed private uses: (module, the name read) -> the library it belongs to.
PRIVATE = {
    ("provider/pulumi_macie_provider/client/factory.py", "_session"): "boto3",
    ("provider/pulumi_macie_provider/hosts/wire.py", "_special_sig_key"): "pulumi",
    ("provider/pulumi_macie_provider/hosts/wire.py", "_special_secret_sig"): "pulumi",
}
#: Names with a leading underscore that the standard library documents as public.
PUBLIC_UNDERSCORE = {"_exit", "_replace", "_asdict", "_fields", "_make", "_field_defaults", "_missing_", "_value_"}
MAX_LINES = 300


def _modules() -> list[Path]:
    return sorted(path for package in RUNTIME for path in package.rglob("*.py") if path.name != "_schema.py")


def _private_uses(path: Path) -> list[tuple[int, str]]:
    """(line, name) of each private name of another object or library the module reads."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and not (node.module or "").startswith(OWN):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("_")]
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, alias.name)
                for alias in node.names
                if any(part.startswith("_") and not part.startswith("__") for part in alias.name.split("."))
            ]
        elif isinstance(node, ast.Attribute):
            name = node.attr
            if not name.startswith("_") or name.startswith("__") or name in PUBLIC_UNDERSCORE:
                continue
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
                continue
            found.append((node.lineno, name))
    return found


def test_no_private_attribute_of_another_library_outside_the_listed_places() -> None:
    offences = []
    for path in _modules():
        relative = path.relative_to(ROOT).as_posix()
        for line, name in _private_uses(path):
            if (relative, name) not in PRIVATE:
                offences.append(f"{relative}:{line}: {name}")
    assert not offences, "private names of other objects or libraries read outside PRIVATE:\n" + "\n".join(offences)


def test_each_listed_place_is_still_used_and_commented() -> None:
    for (relative, name), library in PRIVATE.items():
        path = ROOT / relative
        assert any(found == name for _, found in _private_uses(path)), f"{relative} no longer reads {name}: drop it"
        assert library in path.read_text(encoding="utf-8"), f"{relative} must say why it reads {library}'s {name}"


def test_at_most_one_listed_place_per_library() -> None:
    places = {
        library: {module for (module, _), named in PRIVATE.items() if named == library} for library in PRIVATE.values()
    }
    assert all(len(modules) == 1 for modules in places.values()), places


PROVIDER_MODULES = [path for path in _modules() if RUNTIME[0] in path.parents]


@pytest.mark.parametrize("path", PROVIDER_MODULES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_modules_are_small_and_say_what_they_are(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines: split it by purpose (at most {MAX_LINES})"
    docstring = ast.get_docstring(ast.parse(text))
    if path.name == "__init__.py" and not text.strip():
        return
    first = docstring.strip().splitlines()[0].strip() if docstring else ""
    assert first, f"{path.name} must open with a line saying what it is"


def test_boto3_session_keeps_its_botocore_session() -> None:
    """Guard of ``client/factory.py``'s ``botocore_session``: boto3 keeps the session it wraps in
    ``_session``. If this fails, boto3 changed; find the new way to the loader before upgrading."""
    import boto3
    import botocore.session

    from pulumi_macie_provider.client.factory import botocore_session, register_model

    core = botocore.session.Session()
    session = boto3.Session(botocore_session=core, region_name="us-east-1")
    assert botocore_session(session) is core, "boto3.Session no longer keeps its botocore session in _session"
    register_model(session)
    assert "macie" in session.get_available_services()
