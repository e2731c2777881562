"""``pulumi-macie-import``: bring existing Macie Classic associations under a stack's management.

The Pulumi engine imports a resource by calling its provider's Read with no inputs; a Python dynamic
provider is serialised into those inputs, so ``pulumi import TYPE NAME ID`` cannot reach it. This
command reads each association from Macie (failing if it does not exist), then writes an import file
whose entries carry the resource's live state and its provider (a secret, as ``pulumi up`` records
it), the form ``pulumi import --file`` takes without calling Read. With ``--run`` it runs that import.

    pulumi-macie-import [--file import.json] [--run] [--region R] [--endpoint-url URL] [--profile P]
                        TYPE NAME ID [TYPE NAME ID ...] [-- PULUMI_IMPORT_ARGS...]
    pulumi-macie-import --pending-creates [-- PULUMI_ARGS...]
    pulumi-macie-import --rebuild [-- PULUMI_ARGS...]

TYPE is a resource name (MacieMemberAccount, MacieS3Resource) or type token; NAME the resource's name in
the program; ID the resource ID (a member account ID, or ``[<memberAccountId>:]<bucketName>[/<prefix>]``).

Where Macie is: the flags, else the stack's config (``macie:region``, ``macie:endpointUrl``,
``macie:profile``, ``macie:maxAttempts`` of the stack named after ``--``, or the selected one; secret
values are read decrypted into memory and never shown), else the AWS environment.

``--pending-creates`` recovers a stack after ``pulumi up`` was interrupted: creates that were under
way are "pending" in the state, and Macie may or may not hold them. IDs here follow from the inputs,
so it looks each one up in Macie, clears the pending creates (``pulumi refresh
--clear-pending-creates``) and imports those Macie holds; the next ``pulumi up`` converges. It
recovers the resources of both hosts: native ones are looked up where their provider's recorded
settings say, and imported by type and ID. On a file backend, a checkpoint metadata file that a killed
run left empty or cut (``failed to load checkpoint: EOF``, ``pulumi cancel`` included) is removed
first, and the killed run's lock released (see ``file_backend``). When the stack's checkpoint still
cannot be read it changes nothing else and exits 3.

``--rebuild`` is the way back from a checkpoint that cannot be read (``failed to load checkpoint``):
it replaces the stack's state with an empty one (``pulumi stack import --force``, or ``pulumi stack
init`` when the backend cannot even open the old one), then imports every resource the program
declares that Macie holds, found with ``pulumi preview``; ``pulumi up`` then creates the rest. Only
this package's resources are rebuilt: a stack that also holds other providers' resources should
restore its backend's backup instead. With a state that loads, it keeps the state and imports only
what the program declares, the stack lacks and Macie holds.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi.dynamic.dynamic import serialize_provider

from .client import ClientSettings
from .dynamic_entry import LEGACY, PROVIDERS
from .errors import MacieApiError, MacieError, NotFoundError
from .file_backend import repair_checkpoint_metadata
from .hosts.dynamic import LEGACY_TYPE, dynamic_type, is_dynamic_type, own_inputs
from .hosts.wire import SECRET_SIG
from .resources.clients import client_for
from .resources.config import config_values, settings_from_values
from .resources.registry import BY_NAME, BY_TOKEN, ResourceType, resource_type
from .resources.validation import contains_unknown

#: The exit status of ``--pending-creates`` when the stack's checkpoint cannot be read.
UNREADABLE = 3
#: The most rounds of preview-then-import ``--rebuild`` makes: a round can make the IDs of resources
#: that depend on the ones it imported known to the next preview.
REBUILD_ROUNDS = 5


class UsageError(Exception):
    """A flag or a stack setting that cannot be used; the message names it and the rule."""


def secret(value: Any) -> dict[str, Any]:
    """``value`` as a secret, the way an import file carries one (the engine encrypts it into the state)."""
    return {SECRET_SIG[0]: SECRET_SIG[1], "plaintext": json.dumps(value)}


def import_entry(
    kind: str,
    name: str,
    id_: str,
    settings: ClientSettings,
    client: Any = None,
    type_: str | None = None,
) -> dict[str, Any]:
    """One import-file entry for the live resource ``id_``; raises MacieError if it does not exist.

    ``kind`` is a name (``MacieS3Resource``: the dynamic resource) or a type token
    (``macie:index:MacieS3Resource``: the native plugin's resource); ``type_`` the type the stack
    knows the dynamic resource by, when it is not its own (``pulumi-python:dynamic/macie:<name>``)."""
    resource = resource_type(kind)
    hooks = resource.hooks(settings, client if client is not None else client_for(settings))
    found = hooks.lookup(id_)
    if kind == resource.token:  # a native resource: the engine reads it itself during the import
        return {"type": resource.token, "name": name, "id": found.id}
    # The provider is a secret, as `pulumi up` records it, so the state never holds it in the clear.
    provider = secret(serialize_provider(PROVIDERS[resource.name]()))
    return {
        "type": type_ or dynamic_type(resource.name),
        "name": name,
        "id": found.id,
        "inputs": {**found.inputs, "__provider": provider},
        "outputs": {**found.outputs, "__provider": provider},
    }


#: The provider classes a stack's pickles may name, by (module, class name): this version's and 0.1.0's.
_PROVIDER_PATHS = {(cls.__module__, cls.__qualname__): name for name, cls in (*PROVIDERS.items(), *LEGACY.items())}


class _Reference(pickle.Unpickler):
    """Reads a pickled provider without importing or running anything: it must be a reference to one of
    our provider classes (``_PROVIDER_PATHS``), made with no arguments and no state, as ours are."""

    class Stub:
        """Stands for the class the pickle names."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self.names: list[str] = []

    def find_class(self, module: str, name: str) -> Any:
        found = _PROVIDER_PATHS.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not a provider of this package")
        self.names.append(found)
        return self.Stub


def _by_provider(inputs: dict[str, Any]) -> ResourceType | None:
    """Which of our resources a dynamic resource is, from its serialised provider: a reference to one of
    our provider classes (read without loading anything), or None."""
    provider = inputs.get("__provider", "")
    if isinstance(provider, dict) and "plaintext" in provider:  # a secret, as `stack export --show-secrets` shows
        provider = json.loads(provider["plaintext"])
    if not isinstance(provider, str):
        return None
    try:
        reader = _Reference(base64.b64decode(provider))
        reader.load()
    except Exception:  # noqa: BLE001 - whatever it is, it is not a reference to one of ours
        return None
    return BY_NAME[reader.names[0]] if len(reader.names) == 1 else None


def resource_of(type_: str, inputs: dict[str, Any]) -> ResourceType | None:
    """Which of this package's resources a resource of type ``type_`` with these inputs is, if any."""
    if type_ in BY_TOKEN:
        return BY_TOKEN[type_]
    if not is_dynamic_type(type_):
        return None
    if type_ != LEGACY_TYPE:  # pulumi-python:dynamic/macie:MacieS3Resource
        return BY_NAME.get(type_.rsplit(":", 1)[-1])
    # The type all dynamic resources shared before each had its own (a state written then): the
    # provider pickled into it says which it is.
    return _by_provider(inputs)


def resource_id(inputs: dict[str, Any]) -> tuple[str, str] | None:
    """(TYPE, ID) of a dynamic resource's inputs if they are one of ours, else None."""
    resource = _by_provider(inputs)
    return None if resource is None else (resource.name, resource.hooks().id_for(own_inputs(inputs)))


def _native_settings(deployment: dict[str, Any], provider_ref: str) -> ClientSettings | None:
    """The settings recorded in the state for the native provider ``provider_ref`` (``URN::ID``)."""
    urn = provider_ref.rsplit("::", 1)[0]
    for resource in deployment.get("resources") or []:
        if resource.get("urn") == urn:
            settings, failures = settings_from_values(resource.get("inputs") or {})
            return None if failures else settings
    return None


def _explicit_provider(reference: str) -> str | None:
    """The URN of an explicit provider from a ``URN::ID`` reference; None for a default provider."""
    provider = reference.rsplit("::", 1)[0] if reference else None
    return provider if provider and not provider.rsplit("::", 1)[-1].startswith("default") else None


@dataclass(frozen=True)
class PendingCreate:
    """A create that was under way when a run stopped: where to look for it, and where it belongs."""

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


def pending_creates(deployment: dict[str, Any], settings: ClientSettings) -> list[PendingCreate]:
    """Each pending create of our resources in an exported deployment: dynamic resources are looked up
    with ``settings``, native ones where their provider's recorded settings say."""
    stacks = {r["urn"] for r in deployment.get("resources") or [] if r.get("type") == "pulumi:pulumi:Stack"}
    found = []
    for operation in deployment.get("pending_operations") or []:
        resource = operation.get("resource", {})
        if operation.get("type") != "creating":
            continue
        inputs = resource.get("inputs") or {}
        ours = resource_of(resource.get("type", ""), inputs)
        if ours is None:
            continue
        parent = resource.get("parent") if resource.get("parent") not in stacks else None
        id_ = ours.hooks().id_for(own_inputs(inputs))
        if resource["type"] != ours.token:  # a dynamic resource
            found.append(PendingCreate(resource["urn"], ours.name, id_, settings, parent, type=resource["type"]))
            continue
        reference = resource.get("provider", "")
        where = _native_settings(deployment, reference) or settings
        found.append(PendingCreate(resource["urn"], ours.token, id_, where, parent, _explicit_provider(reference)))
    return found


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


class SecondClaim(MacieError):
    """An import would give an association a second resource in the stack."""


def claims(deployment: dict[str, Any], settings: ClientSettings, client: Any = None) -> dict[tuple[str, str], str]:
    """The associations the stack's resources of this package hold, as (resource name, canonical ID),
    each with the URN of the resource that holds it. Resources pending deletion hold nothing."""
    found: dict[tuple[str, str], str] = {}
    hooks: dict[str, Any] = {}
    for resource in deployment.get("resources") or []:
        ours = resource_of(resource.get("type", ""), resource.get("inputs") or {})
        if ours is None or resource.get("delete") or not resource.get("id"):
            continue
        if ours.name not in hooks:
            hooks[ours.name] = ours.hooks(settings, client)
        found[(ours.name, hooks[ours.name].canonical_id(resource["id"]))] = resource["urn"]
    return found


def urn_prefix(deployment: dict[str, Any]) -> str:
    """``urn:pulumi:<stack>::<project>::``: how the URNs of the stack's top-level resources begin."""
    for resource in deployment.get("resources") or []:
        if resource.get("type") == "pulumi:pulumi:Stack":
            return str(resource["urn"]).split("pulumi:pulumi:Stack::", 1)[0]
    return ""


def refuse_second_claims(
    entries: list[tuple[str, tuple[str, str]]], claimed: dict[tuple[str, str], str], what: str = "import"
) -> None:
    """Raise SecondClaim when one of ``entries`` (URN or name, and the (resource name, canonical ID) it
    would hold) is an association that another resource of the stack holds already: the stack would
    then hold it twice, and the first `up` that deletes one of the two (the one the program no longer
    declares) would disassociate it in Macie while the state still lists the other."""
    refused = []
    for urn, key in entries:
        holder = claimed.get(key)
        if holder is not None and holder != urn:
            refused.append(f"{key[0]} {key[1]} is held by {holder}")
    if refused:
        raise SecondClaim(
            f"refusing to {what} what the stack already manages: " + "; ".join(refused) + ". One association is "
            "one resource: a second one for it would be deleted by the next `pulumi up` together with the "
            "association. Keep the resource the stack has (rename or move it with `aliases`), or remove it from "
            "the state first (`pulumi state delete <urn>`) if the new one is to take its place"
        )


def _held(wanted: list[PendingCreate]) -> list[tuple[PendingCreate, dict[str, Any]]]:
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


class Pulumi:
    """The ``pulumi`` CLI run on the stack the pass-through arguments name (or the selected one)."""

    def __init__(self, passthrough: list[str]) -> None:
        self.binary = shutil.which("pulumi") or "pulumi"
        self.passthrough = passthrough
        self.stack = _stack_args(passthrough)

    def capture(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``pulumi ARGS`` on the stack, its output captured (never shown: it may hold secrets)."""
        return subprocess.run(
            [self.binary, *args, "--non-interactive", *self.stack], capture_output=True, text=True, check=False
        )

    def call(self, *args: str) -> int:
        """Run ``pulumi ARGS`` with the pass-through arguments, its output shown."""
        return subprocess.call([self.binary, *args, "--non-interactive", *self.passthrough])

    def import_resources(self, path: str, document: dict[str, Any]) -> int:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
        return self.call("import", "--file", path, "--generate-code=false", "--yes", "--protect=false")

    def backend_url(self) -> str:
        """The URL of the backend the CLI is logged in to (it does not load the stack)."""
        result = subprocess.run(
            [self.binary, "whoami", "--json", "--non-interactive"], capture_output=True, text=True, check=False
        )
        try:
            return str(json.loads(result.stdout).get("url") or "") if result.returncode == 0 else ""
        except ValueError:
            return ""

    def stack_name(self) -> str:
        if self.stack:
            return self.stack[1]
        return subprocess.run(
            [self.binary, "stack", "--show-name", "--non-interactive"], capture_output=True, text=True, check=False
        ).stdout.strip()


def _stack_args(passthrough: list[str]) -> list[str]:
    for index, arg in enumerate(passthrough):
        if arg in ("--stack", "-s") and index + 1 < len(passthrough):
            return ["--stack", passthrough[index + 1]]
        if arg.startswith("--stack="):
            return ["--stack", arg.split("=", 1)[1]]
    return []


def _first_error(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return next((line for line in lines if line.startswith("error:")), lines[-1] if lines else "no output")


def unreadable_checkpoint(exported: subprocess.CompletedProcess[str]) -> bool:
    """Whether a failed ``pulumi stack export`` failed because the stack's checkpoint cannot be read."""
    return exported.returncode != 0 and "failed to load checkpoint" in exported.stderr


def export_repaired(pulumi: Pulumi, *flags: str) -> subprocess.CompletedProcess[str]:
    """``pulumi stack export FLAGS``. When the checkpoint cannot be read because a run killed on a file
    backend left its metadata file empty or cut, that file goes first (see ``file_backend``: the
    checkpoint itself is whole), and then the killed run's lock, which ``pulumi cancel`` could not
    release while the checkpoint could not be read."""
    exported = pulumi.capture("stack", "export", *flags)
    if not unreadable_checkpoint(exported):
        return exported
    stack = pulumi.stack_name()
    removed = repair_checkpoint_metadata(pulumi.backend_url(), Path.cwd(), stack) if stack else []
    if not removed:
        return exported
    again = pulumi.capture("stack", "export", *flags)
    files = ", ".join(str(path) for path in removed)
    if again.returncode != 0:
        print(f"pulumi-macie-import: removed the checkpoint's metadata file {files}, which could not be read")
        return again
    print(
        f"the stack's checkpoint could not be read ({_first_error(exported.stderr)}): its metadata file "
        f"{files} was empty or cut, as a run killed while the file backend rewrote it leaves it. Removed it; "
        "the checkpoint, the last one the run saved whole, reads again"
    )
    if pulumi.capture("cancel", "--yes").returncode == 0:
        print("released the interrupted run's lock (`pulumi cancel`), which could not be released before")
    return again


def entry_name(create: PendingCreate) -> str:
    """The resource name (``MacieS3Resource``) of a pending or declared create."""
    return resource_type(create.kind).name


def recover_pending_creates(pulumi: Pulumi, settings: Callable[[], ClientSettings], import_path: str) -> int:
    """Clear the stack's pending creates, then import those Macie holds, so the next up converges."""
    exported = export_repaired(pulumi, "--show-secrets")
    if unreadable_checkpoint(exported):
        print(
            f"pulumi-macie-import: the stack's checkpoint cannot be read ({_first_error(exported.stderr)}); "
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
        print(f"pulumi-macie-import: pulumi stack export failed: {_first_error(exported.stderr)}", file=sys.stderr)
        return exported.returncode
    deployment = json.loads(exported.stdout).get("deployment", {})
    pending = pending_creates(deployment, settings())
    if not pending:
        print("no pending creates of Macie resources; nothing to recover")
        return 0
    held = _held(pending)
    refuse_second_claims(
        [(create.urn, (entry_name(create), entry["id"])) for create, entry in held], claims(deployment, settings())
    )
    print(f"{len(pending)} pending creates; {len(held)} of them exist in Macie and are imported")
    code = pulumi.call("refresh", "--clear-pending-creates", "--yes", "--skip-preview")
    if code != 0 or not held:
        return code
    return pulumi.import_resources(import_path, import_file(held))


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
    error = _first_error(imported.stderr)
    # The backend cannot even open the old checkpoint: it takes the stack for missing, and `stack
    # init` writes a new one in its place.
    name = pulumi.stack_name()
    if name:
        created = subprocess.run(
            [pulumi.binary, "stack", "init", name, "--non-interactive"], capture_output=True, text=True, check=False
        )
        error = _first_error(created.stderr) if created.returncode != 0 else error
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
        parent = state.get("parent") if state.get("parent") not in stacks else None
        provider = _explicit_provider(state.get("provider", ""))
        if contains_unknown(own_inputs(inputs)) or parent in creating or provider in creating:
            waiting.append(step["urn"])
            continue
        id_ = ours.hooks().id_for(own_inputs(inputs))
        if state["type"] != ours.token:  # a dynamic resource
            found.append(PendingCreate(step["urn"], ours.name, id_, settings, parent, type=state["type"]))
            continue
        where = settings
        provider_state = states.get(state.get("provider", "").rsplit("::", 1)[0], {})
        if provider_state:
            recorded, failures = settings_from_values(provider_state.get("inputs") or {})
            where = settings if failures else recorded
        found.append(PendingCreate(step["urn"], ours.token, id_, where, parent, provider))
    return found, waiting


def adopt_declared(pulumi: Pulumi, settings: ClientSettings, import_path: str) -> int:
    """Import what the program declares, the stack lacks and Macie holds, in rounds of preview-then-import
    (an import can make known the IDs of resources that depend on the ones imported)."""
    adopted = 0
    tried: set[tuple[str, str]] = set()
    waiting: list[str] = []
    for _ in range(REBUILD_ROUNDS):
        preview = pulumi.capture("preview", "--json")
        if preview.returncode != 0:
            print(f"pulumi-macie-import: pulumi preview failed: {_first_error(preview.stderr)}", file=sys.stderr)
            return preview.returncode
        declared, waiting = declared_creates(json.loads(preview.stdout), settings)
        fresh = [create for create in declared if (create.urn, create.id) not in tried]
        tried.update((create.urn, create.id) for create in fresh)
        held = _held(fresh)
        if not held:
            break
        exported = pulumi.capture("stack", "export", "--show-secrets")
        if exported.returncode != 0:
            print(f"pulumi-macie-import: pulumi stack export failed: {_first_error(exported.stderr)}", file=sys.stderr)
            return exported.returncode
        refuse_second_claims(
            [(create.urn, (entry_name(create), entry["id"])) for create, entry in held],
            claims(json.loads(exported.stdout).get("deployment", {}), settings),
        )
        code = pulumi.import_resources(import_path, import_file(held))
        if code != 0:
            return code
        adopted += len(held)
    print(
        f"imported {adopted} resources the program declares and Macie holds; "
        f"`pulumi up` creates the rest" + (f" ({len(waiting)} of them wait on others)" if waiting else "")
    )
    return 0


def rebuild(pulumi: Pulumi, settings: Callable[[], ClientSettings], import_path: str) -> int:
    """A stack whose checkpoint cannot be read, rebuilt from what Macie holds and the program declares."""
    exported = export_repaired(pulumi)
    if unreadable_checkpoint(exported):
        failure = recreate_state(pulumi)
        if failure is not None:
            print(
                f"pulumi-macie-import: the stack's checkpoint cannot be read ({_first_error(exported.stderr)}) "
                f"and could not be replaced by an empty one ({failure})",
                file=sys.stderr,
            )
            return 1
        print(f"the stack's checkpoint could not be read ({_first_error(exported.stderr)}); replaced by an empty one")
    elif exported.returncode != 0:
        print(f"pulumi-macie-import: pulumi stack export failed: {_first_error(exported.stderr)}", file=sys.stderr)
        return exported.returncode
    return adopt_declared(pulumi, settings(), import_path)  # the stack's config reads once its state loads


def stack_config(pulumi: Pulumi) -> dict[str, Any]:
    """The stack's ``macie:`` settings, secrets decrypted (kept in memory); empty without a stack."""
    result = pulumi.capture("config", "--json", "--show-secrets")
    if result.returncode != 0:
        print(
            f"pulumi-macie-import: no stack config read ({_first_error(result.stderr)}); "
            "using the flags and the AWS environment",
            file=sys.stderr,
        )
        return {}
    values = json.loads(result.stdout or "{}")
    return {key: entry.get("value") for key, entry in values.items() if key.startswith("macie:")}


def settings_for(args: argparse.Namespace, config: dict[str, Any]) -> ClientSettings:
    """Where Macie is: the flags, else the stack's config, else the AWS environment."""
    values = config_values(config.get)
    flags = {"region": args.region, "endpointUrl": args.endpoint_url, "profile": args.profile}
    values.update({key: value for key, value in flags.items() if value is not None})
    settings, failures = settings_from_values(values)
    if failures:
        flag_names = {"region": "--region", "endpointUrl": "--endpoint-url", "profile": "--profile"}
        named = []
        for key, reason in failures:
            short = key.removeprefix("macie:")
            source = flag_names[short] if flags.get(short) is not None else f"macie:{short} (stack config)"
            named.append(f"{source}: {reason}")
        raise UsageError("; ".join(named))
    return settings


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    passthrough: list[str] = []
    if "--" in argv:
        index = argv.index("--")
        argv, passthrough = argv[:index], argv[index + 1 :]
    parser = argparse.ArgumentParser(
        prog="pulumi-macie-import",
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("triples", nargs="*", metavar="TYPE NAME ID")
    parser.add_argument(
        "--pending-creates",
        action="store_true",
        help="resolve the stack's pending creates: clear them, import those Macie holds",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="replace a checkpoint that cannot be read by an empty state, then import what the program "
        "declares and Macie holds",
    )
    parser.add_argument("--file", default="macie-import.json", help="import file to write (default %(default)s)")
    parser.add_argument("--run", action="store_true", help="run `pulumi import --file` afterwards")
    parser.add_argument("--region", default=None, help="default: macie:region of the stack, then AWS_REGION")
    parser.add_argument("--endpoint-url", default=None, help="default: macie:endpointUrl of the stack")
    parser.add_argument("--profile", default=None, help="default: macie:profile of the stack, then AWS_PROFILE")
    args = parser.parse_args(argv)
    if args.pending_creates and args.rebuild:
        parser.error("--pending-creates and --rebuild are two steps: run one, then the other")
    if (args.pending_creates or args.rebuild) and args.triples:
        parser.error("TYPE NAME ID triples are not taken with --pending-creates or --rebuild")
    if not args.pending_creates and not args.rebuild and not args.triples:
        parser.error("give TYPE NAME ID triples, or --pending-creates, or --rebuild")
    if len(args.triples) % 3:
        parser.error("resources are given as TYPE NAME ID triples")
    return args, passthrough


def main(argv: list[str] | None = None) -> int:
    args, passthrough = parse(list(sys.argv[1:] if argv is None else argv))
    pulumi = Pulumi(passthrough)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # in order with the output of the pulumi commands it runs

    def settings() -> ClientSettings:
        return settings_for(args, stack_config(pulumi))

    try:
        if args.pending_creates:
            return recover_pending_creates(pulumi, settings, args.file)
        if args.rebuild:
            return rebuild(pulumi, settings, args.file)
        where = settings()
        triples = [args.triples[i : i + 3] for i in range(0, len(args.triples), 3)]
        entries = [import_entry(kind, name, id_, where) for kind, name, id_ in triples]
        exported = pulumi.capture("stack", "export", "--show-secrets")
        if exported.returncode == 0:  # without a stack (the file is only written), there is nothing to hold
            deployment = json.loads(exported.stdout).get("deployment", {})
            prefix = urn_prefix(deployment)
            refuse_second_claims(
                [
                    (f"{prefix}{entry['type']}::{name}", (resource_type(kind).name, entry["id"]))
                    for (kind, name, _), entry in zip(triples, entries, strict=True)
                ],
                claims(deployment, where),
            )
    except UsageError as error:
        print(f"pulumi-macie-import: {error}", file=sys.stderr)
        return 2
    except MacieError as error:
        print(f"pulumi-macie-import: {error}", file=sys.stderr)
        return 1
    with open(args.file, "w", encoding="utf-8") as handle:
        json.dump({"resources": entries}, handle, indent=2)
    command = ["pulumi", "import", "--file", args.file, "--generate-code=false", *passthrough]
    print(f"wrote {args.file} ({len(entries)} resources); import with: {' '.join(command)}")
    if not args.run:
        return 0
    command[0] = pulumi.binary
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
