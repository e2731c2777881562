"""``pulumi-macie-import --rebuild``: the way back from a checkpoint that cannot be read.

It replaces the stack's state with an empty one (``pulumi stack import --force``, or ``pulumi stack
init`` when the backend cannot even open the old one), then imports every resource the program declares
that Macie holds, found with ``pulumi preview``, in rounds (an import can make known the IDs of
resources that depend on it). With a state that loads, it keeps the state and imports only what the
program declares, the stack lacks and Macie holds. It ends by saying what ``pulumi up`` then does, from
a preview of the stack as it now is: what it creates, and any resource the stack holds that the program
no longer declares, which ``up`` deletes (named: an association among them would be disassociated).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from ..client import ClientSettings
from ..hosts.dynamic import own_inputs
from ..resources.validation import contains_unknown
from .creates import PendingCreate, create_of, entry_name, explicit_provider, held_by_macie, import_file, parent_of
from .stack import (
    Pulumi,
    claims,
    export_repaired,
    first_error,
    refuse_second_claims,
    resource_of,
    unreadable_checkpoint,
)

#: The most rounds of preview-then-import ``--rebuild`` makes: a round can make the IDs of resources
#: that depend on the ones it imported known to the next preview.
REBUILD_ROUNDS = 5


def recreate_state(pulumi: Pulumi) -> str | None:
    """Give the stack an empty state in place of one that cannot be read; answers None once it loads,
    else the CLI's error."""
    empty = {"version": 3, "deployment": {"manifest": {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}}}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "empty.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(empty, handle)
        imported = pulumi.capture("stack", "import", "--force", "--file", path)
    if pulumi.capture("stack", "export").returncode == 0:
        return None
    error = first_error(imported.stderr)
    # The backend cannot even open the old checkpoint: it takes the stack for missing, and `stack
    # init` writes a new one in its place.
    name = pulumi.stack_name()
    if name:
        created = subprocess.run(
            [pulumi.binary, "stack", "init", name, "--non-interactive"], capture_output=True, text=True, check=False
        )
        error = first_error(created.stderr) if created.returncode != 0 else error
    return None if pulumi.capture("stack", "export").returncode == 0 else error


def declared_creates(preview: dict[str, Any], settings: ClientSettings) -> tuple[list[PendingCreate], list[str]]:
    """The resources of ours that a ``pulumi preview --json`` would create, with the IDs they would have;
    and the URNs of those whose ID is not known yet or whose parent or explicit provider is not in
    the stack either (they are left to ``pulumi up``)."""
    steps = preview.get("steps") or []
    states = {step["urn"]: step.get("newState") or step.get("oldState") or {} for step in steps if "urn" in step}
    creating = {step["urn"] for step in steps if step.get("op") == "create"}
    stacks = {urn for urn, state in states.items() if state.get("type") == "pulumi:pulumi:Stack"}
    found: list[PendingCreate] = []
    waiting: list[str] = []
    for step in steps:
        state = step.get("newState") or {}
        inputs = state.get("inputs") or {}
        ours = resource_of(state.get("type", ""), inputs) if step.get("op") == "create" else None
        if ours is None:
            continue
        parent = parent_of(state, stacks)
        provider = explicit_provider(state.get("provider", ""))
        if contains_unknown(own_inputs(inputs)) or parent in creating or provider in creating:
            waiting.append(step["urn"])
            continue
        found.append(create_of(ours, step["urn"], state, stacks, states, settings))
    return found, waiting


def adopt_declared(pulumi: Pulumi, settings: ClientSettings, import_path: str) -> int:
    """Import what the program declares, the stack lacks and Macie holds, in rounds of preview-then-import
    (an import can make known the IDs of resources that depend on the ones imported); then say what
    ``pulumi up`` would do, from a preview of the stack as it now is."""
    adopted = 0
    tried: set[tuple[str, str]] = set()
    current: dict[str, Any] | None = None  # a preview of the state as it is now
    for _ in range(REBUILD_ROUNDS):
        preview = pulumi.capture("preview", "--json")
        if preview.returncode != 0:
            print(f"pulumi-macie-import: pulumi preview failed: {first_error(preview.stderr)}", file=sys.stderr)
            return preview.returncode
        current = json.loads(preview.stdout)
        declared, _ = declared_creates(current, settings)
        fresh = [create for create in declared if (create.urn, create.id) not in tried]
        tried.update((create.urn, create.id) for create in fresh)
        held = held_by_macie(fresh)
        if not held:
            break
        exported = pulumi.capture("stack", "export", "--show-secrets")
        if exported.returncode != 0:
            print(f"pulumi-macie-import: pulumi stack export failed: {first_error(exported.stderr)}", file=sys.stderr)
            return exported.returncode
        refuse_second_claims(
            [(create.urn, (entry_name(create), entry["id"])) for create, entry in held],
            claims(json.loads(exported.stdout).get("deployment", {}), settings),
        )
        code = pulumi.import_resources(import_path, import_file(held))
        if code != 0:
            return code
        adopted += len(held)
        current = None
    if current is None:  # the last round imported: what `up` does now needs a new look
        preview = pulumi.capture("preview", "--json")
        current = json.loads(preview.stdout) if preview.returncode == 0 else {}
    print(f"imported {adopted} resources the program declares and Macie holds; " + what_up_does(current, settings))
    return 0


def what_up_does(preview: dict[str, Any], settings: ClientSettings) -> str:
    """What ``pulumi up`` does after an adoption, from a preview of the stack as it is: the creates (and
    how many wait on others), and any update, replacement or delete, deletes named."""
    steps = preview.get("steps") or []
    if not steps:
        return "run `pulumi preview` to see what `pulumi up` does next"
    ops = Counter(step.get("op") for step in steps)
    deletes = [step["urn"] for step in steps if step.get("op") == "delete"]
    waiting = declared_creates(preview, settings)[1]
    parts = [f"`pulumi up` creates the rest ({ops['create']})" if ops["create"] else "`pulumi up` creates nothing"]
    if waiting:
        parts[0] += f", {len(waiting)} of them waiting on others"
    changes = ops["update"] + ops["replace"]
    if changes:
        parts.append(f"updates or replaces {changes}")
    if deletes:
        parts.append(
            f"and DELETES {len(deletes)} the stack holds and the program no longer declares ({', '.join(deletes)}): "
            "a Macie resource among them is disassociated. Keep one with `aliases` if the program declares it "
            "under another name; a stack moving from the dynamic provider to the native plugin moves with "
            "`pulumi-macie-migrate`"
        )
    return "; ".join(parts)


def rebuild(pulumi: Pulumi, settings: Callable[[], ClientSettings], import_path: str) -> int:
    """A stack whose checkpoint cannot be read, rebuilt from what Macie holds and the program declares."""
    exported = export_repaired(pulumi)
    if unreadable_checkpoint(exported):
        failure = recreate_state(pulumi)
        if failure is not None:
            print(
                f"pulumi-macie-import: the stack's checkpoint cannot be read ({first_error(exported.stderr)}) "
                f"and could not be replaced by an empty one ({failure})",
                file=sys.stderr,
            )
            return 1
        print(f"the stack's checkpoint could not be read ({first_error(exported.stderr)}); replaced by an empty one")
    elif exported.returncode != 0:
        print(f"pulumi-macie-import: pulumi stack export failed: {first_error(exported.stderr)}", file=sys.stderr)
        return exported.returncode
    return adopt_declared(pulumi, settings(), import_path)  # the stack's config reads once its state loads
