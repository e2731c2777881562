"""``pulumi-macie-import --pending-creates``: recover a stack after ``pulumi up`` was interrupted.

Creates that were under way are "pending" in the state, and Macie may or may not hold them. IDs follow
from the inputs, so it looks each one up in Macie (dynamic resources with the stack's settings, native
ones where their provider's recorded settings say), clears the pending creates (``pulumi refresh
--clear-pending-creates``) and imports those Macie holds; the next ``pulumi up`` converges. A checkpoint
that a run killed on a file backend left unreadable is repaired first (``export_repaired``); one that
still cannot be read changes nothing and exits ``UNREADABLE``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from ..client import ClientSettings
from .creates import PendingCreate, create_of, entry_name, held_by_macie, import_file
from .stack import (
    Pulumi,
    claims,
    export_repaired,
    first_error,
    refuse_second_claims,
    resource_of,
    unreadable_checkpoint,
)

#: The exit status of ``--pending-creates`` when the stack's checkpoint cannot be read.
UNREADABLE = 3


def pending_creates(deployment: dict[str, Any], settings: ClientSettings) -> list[PendingCreate]:
    """Each pending create of our resources in an exported deployment: dynamic resources are looked up
    with ``settings``, native ones where their provider's recorded settings say."""
    resources = deployment.get("resources") or []
    stacks = {r["urn"] for r in resources if r.get("type") == "pulumi:pulumi:Stack"}
    by_urn = {r.get("urn"): r for r in reversed(resources)}  # of two with one URN, the one listed first
    found = []
    for operation in deployment.get("pending_operations") or []:
        resource = operation.get("resource", {})
        if operation.get("type") != "creating":
            continue
        ours = resource_of(resource.get("type", ""), resource.get("inputs") or {})
        if ours is None:
            continue
        found.append(create_of(ours, resource["urn"], resource, stacks, by_urn, settings))
    return found


def recover_pending_creates(pulumi: Pulumi, settings: Callable[[], ClientSettings], import_path: str) -> int:
    """Clear the stack's pending creates, then import those Macie holds, so the next up converges."""
    exported = export_repaired(pulumi, "--show-secrets")
    if unreadable_checkpoint(exported):
        print(
            f"pulumi-macie-import: the stack's checkpoint cannot be read ({first_error(exported.stderr)}); "
            "restore the backend's backup of it, or rebuild it from Macie and the program with "
            "`pulumi-macie-import --rebuild`"
            + (
                ""
                if pulumi.stack
                else " (or name the stack, `-- --stack <stack>`: a metadata file a killed run broke on a "
                "file backend is repaired only when the stack is named)"
            ),
            file=sys.stderr,
        )
        return UNREADABLE
    if exported.returncode != 0:
        print(f"pulumi-macie-import: pulumi stack export failed: {first_error(exported.stderr)}", file=sys.stderr)
        return exported.returncode
    deployment = json.loads(exported.stdout).get("deployment", {})
    pending = pending_creates(deployment, settings())
    if not pending:
        print("no pending creates of Macie resources; nothing to recover")
        return 0
    held = held_by_macie(pending)
    refuse_second_claims(
        [(create.urn, (entry_name(create), entry["id"])) for create, entry in held], claims(deployment, settings())
    )
    print(f"{len(pending)} pending creates; {len(held)} of them exist in Macie and are imported")
    code = pulumi.call("refresh", "--clear-pending-creates", "--yes", "--skip-preview")
    if code != 0 or not held:
        return code
    return pulumi.import_resources(import_path, import_file(held))
