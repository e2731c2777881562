"""The provider package's layers point one way: client → resources (hooks and their registry) → hosts →
entry points (the stable pickle paths, the importer, the plugin's command). Read from the modules'
import statements, lazy imports inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "provider" / "pulumi_macie_provider"
NAME = "pulumi_macie_provider"

#: What each layer may not import: everything above it.
ABOVE = {
    "client": ("resources", "hosts", "dynamic_entry", "importer", "file_backend"),
    "resources": ("hosts", "dynamic_entry", "importer", "file_backend"),
    "hosts": ("dynamic_entry", "importer", "file_backend"),
}


def imported(path: Path, root: Path = PACKAGE) -> set[str]:
    """The absolute names of the modules ``path`` (a module of the package at ``root``) imports
    (``from .. import x`` as ``package.x``)."""
    module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    """No module of a layer imports a module of a layer above it."""
    wrong = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for name in imported(path)
        for above in ABOVE[layer]
        if name == f"{NAME}.{above}" or name.startswith(f"{NAME}.{above}.")
    }
    assert not wrong, sorted(wrong)


def test_the_layer_check_sees_relative_and_lazy_imports(tmp_path: Path) -> None:
    """The check resolves ``from ..x import y`` and finds imports inside functions (it would miss none)."""
    names = imported(PACKAGE / "resources" / "member_account.py")
    assert f"{NAME}.errors" in names and f"{NAME}.resources.base" in names
    fake = tmp_path / NAME / "resources" / "x.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("def f():\n    from ..hosts.dynamic import DynamicProvider\n")
    assert f"{NAME}.hosts.dynamic" in imported(fake, tmp_path / NAME)
