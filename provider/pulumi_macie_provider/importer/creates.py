"""Creates to import: resources of ours found in a stack's state or a preview, and the import entries
of those Macie holds.

A create (``PendingCreate``) says where to look the resource up (the ID its inputs give, and the settings
of its provider) and where it belongs in the stack (its parent and explicit provider), so that
``import_file`` places it under the same URN and provider as before. ``--pending-creates`` finds them in
the state's pending operations, ``--rebuild`` in a preview's planned creates; ``create_of`` makes both.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from ..client import ClientSettings
from ..errors import MacieApiError, NotFoundError
from ..hosts.dynamic import own_inputs
from ..resources.config import config_values
from ..resources.registry import ResourceType, resource_type
from .adopt import import_entry
from .stack import decrypted, where_from_values


def explicit_provider(reference: str) -> str | None:
    """The URN of an explicit provider from a ``URN::ID`` reference; None for a default provider."""
    provider = reference.rsplit("::", 1)[0] if reference else None
    return provider if provider and not provider.rsplit("::", 1)[-1].startswith("default") else None


@dataclass(frozen=True)
class PendingCreate:
    """A create to import (one under way when a run stopped, or one a preview plans): where to look for it,
    and where it belongs."""

    urn: str
    kind: str  # a resource name (dynamic) or type token (native), as import_entry takes it
    id: str
    where: ClientSettings
    parent: str | None = None  # the parent's URN, unless it is the stack
    provider: str | None = None  # an explicit provider's URN (not a default provider)
    type: str | None = None  # the type a dynamic resource is registered as

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[1]


def parent_of(state: dict[str, Any], stacks: Collection[str]) -> str | None:
    """The URN of a resource's parent, unless it is the stack (one of ``stacks``)."""
    return state.get("parent") if state.get("parent") not in stacks else None


def create_of(
    ours: ResourceType,
    urn: str,
    state: dict[str, Any],
    stacks: Collection[str],
    providers: Mapping[str, dict[str, Any]],
    settings: ClientSettings,
) -> PendingCreate:
    """The create of ``ours`` at ``urn``, from its state in an exported deployment or a preview (type,
    inputs, parent, provider): the ID its inputs give, and where to look it up. A dynamic resource is
    looked up with ``settings``; a native one with the settings recorded in its provider's state
    (``providers``, by URN), or ``settings`` when that state is missing or its settings do not work."""
    inputs = state.get("inputs") or {}
    parent = parent_of(state, stacks)
    id_ = ours.hooks().id_for(own_inputs(inputs))
    if state["type"] != ours.token:  # a dynamic resource
        return PendingCreate(urn, ours.name, id_, settings, parent, type=state["type"])
    reference = state.get("provider", "")
    where = settings
    provider_state = providers.get(reference.rsplit("::", 1)[0])
    if provider_state:
        given = decrypted(provider_state.get("inputs") or {})
        recorded, failures = where_from_values(config_values(lambda key: given.get(key.split(":", 1)[1])))
        where = settings if failures else recorded
    return PendingCreate(urn, ours.token, id_, where, parent, explicit_provider(reference))


def import_file(entries: list[tuple[PendingCreate, dict[str, Any]]]) -> dict[str, Any]:
    """The file ``pulumi import --file`` takes: the entries, with their parents and explicit providers
    named in its name table, so that each lands under the same URN and provider as before."""
    names: dict[str, str] = {}

    def name_of(urn: str) -> str:
        return names.setdefault(urn, f"ref{len(names)}")

    resources = []
    for pending, entry in entries:
        if pending.parent:
            entry = {**entry, "parent": name_of(pending.parent)}
        if pending.provider:
            entry = {**entry, "provider": name_of(pending.provider)}
        resources.append(entry)
    return {"nameTable": {name: urn for urn, name in names.items()}, "resources": resources}


def held_by_macie(wanted: list[PendingCreate]) -> list[tuple[PendingCreate, dict[str, Any]]]:
    """The import entries of those of ``wanted`` that Macie holds. Any other failure to look one up
    (Macie out of reach, a setting that does not work) is raised: nothing is guessed."""
    held = []
    for create in wanted:
        try:
            entry = import_entry(create.kind, create.name, create.id, create.where, type_=create.type)
        except NotFoundError:
            continue  # Macie holds nothing for it: there is nothing to import
        except MacieApiError as error:
            if error.code != "AccessDeniedException":
                raise
            continue  # S3 resources of an account that is not a member: there are none
        held.append((create, entry))
    return held


def entry_name(create: PendingCreate) -> str:
    """The resource name (``MacieS3Resource``) of a pending or declared create."""
    return resource_type(create.kind).name
