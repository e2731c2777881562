"""The one repair a killed run can need on Pulumi's file (``file://``) state backend.

The file backend stores each object through gocloud's ``fileblob``: the object itself is written to a
temporary file and renamed into place (a kill leaves the old one whole), but its metadata file, the
``<object>.attrs`` sidecar beside it, is truncated and then written in place. A run killed between the
two leaves an empty (or cut) ``<stack>.json.attrs``, and from then on every command that loads the
stack fails with ``failed to load checkpoint: EOF`` — ``pulumi cancel`` too, so the killed run's lock
stays. The checkpoint next to it is the last one the run saved whole; the sidecar holds only its
content type and checksum, which fileblob does without (it reads a missing sidecar as defaults). So
removing a sidecar that is not JSON gives the stack back its own checkpoint, with nothing lost.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote

import yaml

#: Where the file backend keeps checkpoints, below its root.
STACKS = Path(".pulumi") / "stacks"
#: The checkpoint's names the backend reads: plain, gzip or zstd.
CHECKPOINTS = (".json", ".json.gz", ".json.zst")
#: gocloud fileblob's metadata file beside each object.
SIDECAR = ".attrs"


def backend_root(url: str, cwd: Path) -> Path | None:
    """The folder a ``file://`` backend URL names (``~`` and relative paths as the CLI reads them);
    None for any other backend."""
    if not url.startswith("file://"):
        return None
    path = unquote(url.removeprefix("file://").split("?", 1)[0])
    root = Path(os.path.expanduser(path))
    return root if root.is_absolute() else cwd / root


def project_name(cwd: Path) -> str | None:
    """The name in the ``Pulumi.yaml`` (or ``.yml``) of ``cwd`` or the nearest folder above it."""
    for folder in (cwd, *cwd.parents):
        for name in ("Pulumi.yaml", "Pulumi.yml"):
            path = folder / name
            if path.is_file():
                document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                found = document.get("name") if isinstance(document, dict) else None
                return str(found) if found else None
    return None


def checkpoint_sidecars(root: Path, project: str | None, stack: str) -> list[Path]:
    """The metadata files of the stack's checkpoint that exist: in the project's folder (the layout
    of backends made since Pulumi 3.61), or at the top (the layout before). ``stack`` may be fully
    qualified (``organization/project/stack``)."""
    parts = stack.split("/")
    name = parts[-1]
    if len(parts) == 3:
        project = parts[1]
    folders = ([root / STACKS / project] if project else []) + [root / STACKS]
    return [
        folder / f"{name}{suffix}{SIDECAR}"
        for folder in folders
        for suffix in CHECKPOINTS
        if (folder / f"{name}{suffix}{SIDECAR}").is_file()
    ]


def unreadable(sidecar: Path) -> bool:
    """Whether a metadata file does not hold the JSON object fileblob writes (empty, cut, garbled)."""
    try:
        return not isinstance(json.loads(sidecar.read_bytes() or b"null"), dict)
    except ValueError:
        return True


def repair_checkpoint_metadata(url: str, cwd: Path, stack: str) -> list[Path]:
    """Remove the stack's checkpoint metadata files that cannot be read, on a file backend; answers
    those removed (none on other backends, or when each is whole)."""
    root = backend_root(url, cwd)
    if root is None:
        return []
    broken = [path for path in checkpoint_sidecars(root, project_name(cwd), stack) if unreadable(path)]
    for path in broken:
        path.unlink()
    return broken


def checkpoint_files(url: str, cwd: Path, stack: str) -> list[Path]:
    """The stack's checkpoint and its metadata file on a file backend, those that exist (none on other
    backends). ``pulumi-macie-migrate`` keeps their bytes to put a stack back exactly as it was:
    ``pulumi stack import`` encrypts every secret again, with new ciphertexts."""
    root = backend_root(url, cwd)
    if root is None:
        return []
    parts = stack.split("/")
    project = parts[1] if len(parts) == 3 else project_name(cwd)
    folders = ([root / STACKS / project] if project else []) + [root / STACKS]
    for folder in folders:
        found = [
            folder / f"{parts[-1]}{suffix}" for suffix in CHECKPOINTS if (folder / f"{parts[-1]}{suffix}").is_file()
        ]
        if found:
            return [
                path for checkpoint in found for path in (checkpoint, Path(f"{checkpoint}{SIDECAR}")) if path.is_file()
            ]
    return []


def put_back(saved: dict[Path, bytes]) -> None:
    """Write files back as ``saved`` holds them (each replaced whole, as the backend writes them)."""
    for path, data in saved.items():
        temporary = path.with_name(f".{path.name}.restoring")
        temporary.write_bytes(data)
        os.replace(temporary, path)
