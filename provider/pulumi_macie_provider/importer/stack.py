"""The stack, as the importer's commands reach it: the ``pulumi`` CLI, and what its state holds of ours.

``Pulumi`` runs the CLI on the stack the pass-through arguments name (its output captured, since it may
hold secrets, or shown); ``export_repaired`` exports the state, first repairing what a run killed on a
file backend left behind; ``stack_config`` reads the stack's ``macie:`` settings. In an exported state,
``resource_of`` recognises this package's resources, by type or, for the type all dynamic resources
once shared, by reading their pickled provider without loading anything (``_Reference``); ``claims``
lists the associations they hold, and ``refuse_second_claims`` keeps an import from giving one of them a
second resource.
"""

from __future__ import annotations

import base64
import io
import json
import pickle
import shutil
import subprocess
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..client import ClientSettings
from ..client.settings import Credentials
from ..dynamic_entry import LEGACY, PROVIDERS
from ..errors import MacieError
from ..file_backend import repair_checkpoint_metadata
from ..hosts.dynamic import LEGACY_TYPE, is_dynamic_type, own_inputs
from ..resources.config import credentials_from_values, settings_from_values
from ..resources.registry import BY_NAME, BY_TOKEN, ResourceType


@dataclass(frozen=True)
class Where(ClientSettings):
    """Where to look resources up, with the static keys to sign with (stack config's ``macie:accessKey``...,
    or a native provider's recorded keys): kept in memory only, never shown or compared."""

    credentials: Credentials | None = field(default=None, compare=False, repr=False, hash=False)


def keys_of(settings: ClientSettings) -> Credentials | None:
    """The static keys that go with ``settings`` (a ``Where``), if any."""
    return settings.credentials if isinstance(settings, Where) else None


def where_from_values(values: dict[str, Any]) -> tuple[Where, list[tuple[str, str]]]:
    """``Where`` from config values or a provider's recorded inputs (secrets decrypted), and the failures."""
    settings, failures = settings_from_values(values)
    if failures:
        return Where(), failures
    same = {f.name: getattr(settings, f.name) for f in fields(ClientSettings)}
    return Where(**same, credentials=credentials_from_values(values)), []


def decrypted(values: dict[str, Any]) -> dict[str, Any]:
    """Recorded inputs with their secrets, as ``pulumi stack export --show-secrets`` shows them, in the clear."""
    return {
        key: json.loads(value["plaintext"]) if isinstance(value, dict) and "plaintext" in value else value
        for key, value in values.items()
    }


def split_passthrough(argv: list[str]) -> tuple[list[str], list[str]]:
    """A command's own arguments, and those after ``--`` that go to every ``pulumi`` command it runs."""
    if "--" not in argv:
        return argv, []
    index = argv.index("--")
    return argv[:index], argv[index + 1 :]


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


def first_error(text: str) -> str:
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
        f"the stack's checkpoint could not be read ({first_error(exported.stderr)}): its metadata file "
        f"{files} was empty or cut, as a run killed while the file backend rewrote it leaves it. Removed it; "
        "the checkpoint, the last one the run saved whole, reads again"
    )
    if pulumi.capture("cancel", "--yes").returncode == 0:
        print("released the interrupted run's lock (`pulumi cancel`), which could not be released before")
    return again


def stack_config(pulumi: Pulumi) -> dict[str, Any]:
    """The stack's ``macie:`` settings, secrets decrypted (kept in memory); empty without a stack."""
    result = pulumi.capture("config", "--json", "--show-secrets")
    if result.returncode != 0:
        print(
            f"pulumi-macie-import: no stack config read ({first_error(result.stderr)}); "
            "using the flags and the AWS environment",
            file=sys.stderr,
        )
        return {}
    values = json.loads(result.stdout or "{}")
    return {key: entry.get("value") for key, entry in values.items() if key.startswith("macie:")}


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
            hooks[ours.name] = ours.hooks(settings, client, credentials=keys_of(settings))
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
            + (
                "; a stack moving from the dynamic provider to the native plugin moves with `pulumi-macie-migrate`"
                if any("pulumi-python:dynamic" in claimed.get(key, "") for _, key in entries)
                else ""
            )
        )
