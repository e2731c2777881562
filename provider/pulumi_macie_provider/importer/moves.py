"""The state rewrite of ``pulumi-macie-migrate``: a stack's dynamic resources of ours as the native plugin's.

``plan_moves`` reads an exported deployment (secrets shown, so that 0.1.0's shared type is recognised by
its pickled provider) and the stack's ``macie:`` config, and says what moves where: each resource of
this package's dynamic provider becomes ``macie:index:<Name>`` under the native provider that lives
where it does, recorded as the plugin's CheckConfig records it (``check_provider``): the default
provider, made from the stack config as the engine makes it, or an explicit one per other place.
``rewritten`` applies a plan to an exported deployment (its secrets left encrypted): types and URNs
(those of the resources' children too) change, and every reference to them; IDs, inputs and outputs
(less ``__provider`` and ``__location``), dependencies, property dependencies, parents, ``protect``,
custom timeouts and the rest stay; the dynamic default provider goes once nothing refers to it.
Nothing here calls Macie or the CLI.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..hosts.dynamic import LOCATION_KEY, PROVIDER_KEY, is_dynamic_type
from ..resources.config import CONFIG_DEFAULTS
from ..resources.location import canonical_endpoint, endpoint_in_use
from ..resources.provider_config import check_provider
from ..resources.registry import BY_NAME
from .adopt import secret
from .stack import resource_of, urn_prefix

#: The type of the native plugin's provider resources.
NATIVE_PROVIDER = "pulumi:providers:macie"
#: The dynamic resources' default provider, which goes with the last of them.
DYNAMIC_PROVIDER = "pulumi:providers:pulumi-python"

#: Where resources live: (region, canonical endpoint without user or password).
Place = tuple[str, str]


def place_of(region: Any, endpoint: Any) -> Place:
    """The place a region and an endpoint (as recorded or as a provider records them) name, canonical."""
    region = region if isinstance(region, str) else ""
    given = endpoint if isinstance(endpoint, str) and endpoint else None
    url = endpoint_in_use(given, region or None)
    return region, canonical_endpoint(url) if url else ""


@dataclass
class NativeProvider:
    """A native provider resource to write: its URN, ID, recorded inputs and the place they name."""

    urn: str
    id: str
    inputs: dict[str, Any]
    place: Place
    default: bool
    state: dict[str, Any] | None = None  # the stack's own, when it holds this provider already

    @property
    def reference(self) -> str:
        return f"{self.urn}::{self.id}"

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[1]


@dataclass(frozen=True)
class Move:
    """One resource of ours: its URN before and after, what it is, and the provider it goes under."""

    urn: str
    new_urn: str
    name: str  # MacieS3Resource
    id: str
    place: Place
    provider: str  # the new provider's URN


@dataclass
class Plan:
    """What a migration writes."""

    moves: list[Move] = field(default_factory=list)
    providers: list[NativeProvider] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # every URN that changes, children included
    dropped: list[str] = field(default_factory=list)  # dynamic default providers nothing refers to after


def recorded_provider(values: dict[str, Any], secret_keys: Collection[str] = ()) -> tuple[dict[str, Any], Place]:
    """What CheckConfig records for a provider given ``values`` (its inputs, or the stack's ``macie:``
    config without the namespace, as the engine hands a default provider), secrets as an import file
    carries them (those CheckConfig keeps secret, and ``secret_keys``, the settings the stack keeps
    secret); and the place it names."""
    checked = check_provider({}, {key: value for key, value in values.items() if value is not None})
    hidden = {*checked.secrets, *secret_keys}
    inputs = {key: secret(value) if key in hidden else value for key, value in checked.inputs.items()}
    return inputs, place_of(checked.inputs.get("region"), checked.inputs.get("endpointUrl"))


def default_provider_urn(prefix: str, version: str = __version__) -> str:
    """The URN of the native default provider that the SDKs of ``version`` ask for."""
    return f"{prefix}{NATIVE_PROVIDER}::default_{version.replace('.', '_').replace('-', '_')}"


def _split(urn: str) -> tuple[str, str, str]:
    """(``urn:pulumi:<stack>::<project>::``, qualified type, name) of a URN."""
    stack, project, qualified, name = urn.split("::", 3)
    return f"{stack}::{project}::", qualified, name


def _new_urn(urn: str, type_: str | None, parent: str | None) -> str:
    """``urn`` with its own type ``type_`` (None: unchanged) under the parent URN ``parent`` (None:
    unchanged), as the engine names a resource: the parent's qualified type, ``$``, its own type."""
    prefix, qualified, name = _split(urn)
    parents, _, own = qualified.rpartition("$")
    if parent is not None:
        parents = _split(parent)[1]
    return f"{prefix}{parents + '$' if parents else ''}{type_ or own}::{name}"


def _provider_urn(reference: str) -> str:
    return reference.rsplit("::", 1)[0] if reference else ""


def plan_moves(
    deployment: dict[str, Any],
    config: dict[str, Any],
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    version: str = __version__,
    secret_keys: Collection[str] = (),
) -> Plan:
    """The moves of the dynamic resources of ours in ``deployment`` (secrets shown). ``config``: the
    stack's ``macie:`` settings (``macie:region``...), decrypted; ``secret_keys`` those the stack keeps
    secret (``region``...), recorded as secrets. A resource that records no location
    (0.1.0's) lives where the stack config and the environment point, as the dynamic provider takes it."""
    resources = deployment.get("resources") or []
    prefix = urn_prefix(deployment)
    values = {key.split(":", 1)[1]: value for key, value in config.items() if key.startswith("macie:")}
    inputs, place = recorded_provider({**values, "version": version}, secret_keys)
    default = NativeProvider(default_provider_urn(prefix, version), "", {**inputs, "__internal": {}}, place, True)
    held = next((r for r in resources if r["urn"] == default.urn and not r.get("delete")), None)
    if held is not None:  # the stack has native resources already: theirs is the default provider, as recorded
        outputs = held.get("outputs") or {}
        default = NativeProvider(default.urn, held.get("id", ""), held.get("inputs") or {}, place, True, held)
        default.place = place_of(outputs.get("region"), outputs.get("endpointUrl"))
    else:
        default.id = new_id()
    plan = Plan()
    providers = {default.place: default}
    stacks = {r["urn"] for r in resources if r.get("type") == "pulumi:pulumi:Stack"}
    for resource in resources:
        type_, urn = resource.get("type", ""), resource["urn"]
        parent = resource.get("parent")
        new_parent = plan.renamed.get(parent) if parent and parent not in stacks else None
        ours = resource_of(type_, resource.get("inputs") or {}) if is_dynamic_type(type_) else None
        if ours is None:
            if new_parent:
                plan.renamed[urn] = _new_urn(urn, None, new_parent)
            continue
        where = (resource.get("outputs") or {}).get(LOCATION_KEY)
        here = place_of(where.get("region"), where.get("endpointUrl")) if isinstance(where, dict) else place
        if here not in providers:
            name = f"macie-{here[0] or 'default-region'}" + (f"-{len(providers)}" if len(providers) > 1 else "")
            given = {**CONFIG_DEFAULTS, "region": here[0] or None, "endpointUrl": here[1] or None}
            explicit, _ = recorded_provider(given)  # as the SDKs send it, their defaults filled in
            providers[here] = NativeProvider(f"{prefix}{NATIVE_PROVIDER}::{name}", new_id(), explicit, here, False)
        token = BY_NAME[ours.name].token
        plan.renamed[urn] = _new_urn(urn, token, new_parent)
        plan.moves.append(Move(urn, plan.renamed[urn], ours.name, resource.get("id", ""), here, providers[here].urn))
    used = {move.provider for move in plan.moves}
    plan.providers = [provider for provider in providers.values() if provider.urn in used]
    moved = {move.urn for move in plan.moves}
    still = {_provider_urn(r.get("provider", "")) for r in resources if r["urn"] not in moved}
    plan.dropped = [
        r["urn"]
        for r in resources
        if r.get("type") == DYNAMIC_PROVIDER and r["urn"].rsplit("::", 1)[1].startswith("default") and plan.moves
        if r["urn"] not in still
    ]
    return plan


def _own(values: Any) -> Any:
    if not isinstance(values, dict):
        return values
    return {key: value for key, value in values.items() if key not in (PROVIDER_KEY, LOCATION_KEY)}


def _provider_state(provider: NativeProvider, stacks: list[str]) -> dict[str, Any]:
    outputs = {key: value for key, value in provider.inputs.items() if key != "__internal"}
    state: dict[str, Any] = {
        "urn": provider.urn,
        "custom": True,
        "id": provider.id,
        "type": NATIVE_PROVIDER,
        "inputs": provider.inputs,
        "outputs": outputs,
    }
    if not provider.default and stacks:  # an explicit provider is the program's, under its stack
        state["parent"] = stacks[0]
    return state


def rewritten(deployment: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """``deployment`` (an export, secrets as they are) with ``plan`` applied; the input is not changed."""
    moves = {move.urn: move for move in plan.moves}
    providers = {provider.urn: provider for provider in plan.providers}
    renamed = plan.renamed

    def urn(value: Any) -> Any:
        return renamed.get(value, value) if isinstance(value, str) else value

    resources = deployment.get("resources") or []
    stacks = [r["urn"] for r in resources if r.get("type") == "pulumi:pulumi:Stack"]
    out: list[dict[str, Any]] = []
    placed = False
    held = {provider.urn for provider in plan.providers if provider.state is not None}
    for resource in resources:
        if resource["urn"] in plan.dropped:
            continue
        # The providers go before the first resource they serve (a default provider the stack holds
        # already, where it was if that comes first).
        if (resource["urn"] in moves or resource["urn"] in held) and not placed:
            out.extend(provider.state or _provider_state(provider, stacks) for provider in plan.providers)
            placed = True
        if resource["urn"] in held:
            continue
        state = dict(resource)
        state["urn"] = urn(state["urn"])
        for key in ("parent", "deletedWith"):
            if key in state:
                state[key] = urn(state[key])
        if "dependencies" in state:
            state["dependencies"] = [urn(dep) for dep in state["dependencies"] or []]
        if "aliases" in state and isinstance(state["aliases"], list):
            state["aliases"] = [urn(alias) for alias in state["aliases"]]
        if isinstance(state.get("propertyDependencies"), dict):
            state["propertyDependencies"] = {
                key: [urn(dep) for dep in deps or []]
                for key, deps in state["propertyDependencies"].items()
                if key not in (PROVIDER_KEY, LOCATION_KEY)
            }
        move = moves.get(resource["urn"])
        if move is not None:
            state["type"] = BY_NAME[move.name].token
            state["inputs"], state["outputs"] = _own(state.get("inputs")), _own(state.get("outputs"))
            state["provider"] = providers[move.provider].reference
        out.append(state)
    return {**deployment, "resources": out}
