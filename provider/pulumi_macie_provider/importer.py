"""``pulumi-macie-import``: bring existing Macie Classic associations under a stack's management.

The Pulumi engine imports a resource by calling its provider's Read with no inputs; a Python dynamic
provider is serialised into those inputs, so ``pulumi import TYPE NAME ID`` cannot reach it. This
command reads each association from Macie (failing if it does not exist), then writes an import file
whose entries carry the resource's live state and its provider, the form ``pulumi import --file``
takes without calling Read. With ``--run`` it runs that import too.

    pulumi-macie-import [--file import.json] [--run] [--region R] [--endpoint-url URL] [--profile P]
                        TYPE NAME ID [TYPE NAME ID ...] [-- PULUMI_IMPORT_ARGS...]
    pulumi-macie-import --pending-creates [-- PULUMI_ARGS...]

TYPE is a resource name (MacieMemberAccount, MacieS3Resource) or type token; NAME the resource's name in the
program; ID the resource ID (a member account ID, or ``[<memberAccountId>:]<bucketName>[/<prefix>]``).

``--pending-creates`` recovers a stack after ``pulumi up`` was interrupted: creates that were under
way are "pending" in the state, and Macie may or may not hold them. IDs here follow from the inputs,
so it looks each one up in Macie, clears the pending creates (``pulumi refresh
--clear-pending-creates``) and imports those Macie holds; the next ``pulumi up`` converges. It
recovers the resources of both hosts: native ones are looked up where their provider's recorded
settings say, and imported by type and ID.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from pulumi.dynamic.dynamic import serialize_provider

from .client import ClientSettings
from .errors import MacieError
from .hosts.dynamic import is_dynamic_type
from .resources.context import client_for, settings_from_values
from .resources.registry import BY_TOKEN, RESOURCES, resource_type


def import_entry(kind: str, name: str, id_: str, settings: ClientSettings, client: Any = None) -> dict[str, Any]:
    """One import-file entry for the live resource ``id_``; raises MacieError if it does not exist.

    ``kind`` is a name (``MacieS3Resource``: the dynamic resource) or a type token
    (``macie:index:MacieS3Resource``: the native plugin's resource)."""
    resource = resource_type(kind)
    hooks = resource.hooks(settings, client if client is not None else client_for(settings))
    found = hooks.lookup(id_)
    if kind == resource.token:  # a native resource: the engine reads it itself during the import
        return {"type": resource.token, "name": name, "id": found.id}
    provider = serialize_provider(resource.dynamic_provider())
    return {
        "type": resource.dynamic_type,
        "name": name,
        "id": found.id,
        "inputs": {**found.inputs, "__provider": provider},
        "outputs": {**found.outputs, "__provider": provider},
    }


def resource_id(inputs: dict[str, Any]) -> tuple[str, str] | None:
    """(TYPE, ID) of a dynamic resource's inputs if they are one of ours, else None."""
    provider = inputs.get("__provider", "")
    if isinstance(provider, dict) and "plaintext" in provider:  # a secret, as `stack export --show-secrets` shows
        provider = json.loads(provider["plaintext"])
    if not isinstance(provider, str):
        return None
    try:
        raw = base64.b64decode(provider)
    except ValueError:
        return None
    for resource in RESOURCES:
        if resource.dynamic_provider.__name__.encode() in raw:
            hooks = resource.hooks()
            return resource.name, hooks.id_for(inputs)
    return None


def _native_settings(deployment: dict[str, Any], provider_ref: str) -> ClientSettings | None:
    """The settings recorded in the state for the native provider ``provider_ref`` (``URN::ID``)."""
    urn = provider_ref.rsplit("::", 1)[0]
    for resource in deployment.get("resources") or []:
        if resource.get("urn") == urn:
            settings, failures = settings_from_values(resource.get("inputs") or {})
            return None if failures else settings
    return None


@dataclass(frozen=True)
class PendingCreate:
    """A create that was under way when a run stopped: where to look for it, and where it belongs."""

    urn: str
    kind: str  # a resource name (dynamic) or type token (native), as import_entry takes it
    id: str
    where: ClientSettings
    parent: str | None = None  # the parent's URN, unless it is the stack
    provider: str | None = None  # an explicit provider's URN (not a default provider)

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
        parent = resource.get("parent") if resource.get("parent") not in stacks else None
        if is_dynamic_type(resource.get("type", "")):
            known = resource_id(resource.get("inputs") or {})
            if known is not None:
                found.append(PendingCreate(resource["urn"], *known, settings, parent))
        elif resource.get("type") in BY_TOKEN:
            native = BY_TOKEN[resource["type"]]
            reference = resource.get("provider", "")
            provider = reference.rsplit("::", 1)[0] if reference else None
            explicit = provider if provider and not provider.rsplit("::", 1)[-1].startswith("default") else None
            found.append(
                PendingCreate(
                    resource["urn"],
                    native.token,
                    native.hooks().id_for(resource.get("inputs") or {}),
                    _native_settings(deployment, reference) or settings,
                    parent,
                    explicit,
                )
            )
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


def recover_pending_creates(settings: ClientSettings, import_path: str, passthrough: list[str]) -> int:
    """Clear the stack's pending creates, then import those Macie holds, so the next up converges."""
    pulumi = shutil.which("pulumi") or "pulumi"
    stack = _stack_args(passthrough)
    exported = subprocess.run(
        [pulumi, "stack", "export", "--show-secrets", "--non-interactive", *stack], capture_output=True, text=True
    )
    if exported.returncode != 0:
        print(f"pulumi-macie-import: pulumi stack export failed: {exported.stderr.strip()}", file=sys.stderr)
        return exported.returncode
    pending = pending_creates(json.loads(exported.stdout).get("deployment", {}), settings)
    if not pending:
        print("no pending creates of Macie resources; nothing to recover")
        return 0
    held = []
    for create in pending:
        try:
            held.append((create, import_entry(create.kind, create.name, create.id, create.where)))
        except MacieError:
            pass  # the create never happened: clearing it is all there is to do
    print(f"{len(pending)} pending creates; {len(held)} of them exist in Macie and are imported")
    code = subprocess.call(
        [pulumi, "refresh", "--clear-pending-creates", "--yes", "--skip-preview", "--non-interactive", *passthrough]
    )
    if code != 0 or not held:
        return code
    with open(import_path, "w", encoding="utf-8") as handle:
        json.dump(import_file(held), handle, indent=2)
    return subprocess.call(
        [
            pulumi,
            "import",
            "--file",
            import_path,
            "--generate-code=false",
            "--yes",
            "--protect=false",
            "--non-interactive",
            *passthrough,
        ]
    )


def _stack_args(passthrough: list[str]) -> list[str]:
    for flag in ("--stack", "-s"):
        if flag in passthrough and passthrough.index(flag) + 1 < len(passthrough):
            return ["--stack", passthrough[passthrough.index(flag) + 1]]
    return []


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    passthrough: list[str] = []
    if "--" in argv:
        index = argv.index("--")
        argv, passthrough = argv[:index], argv[index + 1 :]
    parser = argparse.ArgumentParser(
        prog="pulumi-macie-import",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("triples", nargs="*", metavar="TYPE NAME ID")
    parser.add_argument(
        "--pending-creates",
        action="store_true",
        help="resolve the stack's pending creates with pulumi refresh, then stop",
    )
    parser.add_argument("--file", default="macie-import.json", help="import file to write (default %(default)s)")
    parser.add_argument("--run", action="store_true", help="run `pulumi import --file` afterwards")
    parser.add_argument("--region", default=None)
    parser.add_argument("--endpoint-url", default=None)
    parser.add_argument("--profile", default=None)
    args = parser.parse_args(argv)
    if not args.pending_creates and not args.triples:
        parser.error("give TYPE NAME ID triples, or --pending-creates")
    if len(args.triples) % 3:
        parser.error("resources are given as TYPE NAME ID triples")
    return args, passthrough


def main(argv: list[str] | None = None) -> int:
    args, passthrough = parse(list(sys.argv[1:] if argv is None else argv))
    settings = ClientSettings(
        region=args.region or os.environ.get("AWS_REGION"), endpoint_url=args.endpoint_url, profile=args.profile
    )
    if args.pending_creates:
        return recover_pending_creates(settings, args.file, passthrough)
    try:
        triples = zip(args.triples[0::3], args.triples[1::3], args.triples[2::3], strict=True)
        entries = [import_entry(kind, name, id_, settings) for kind, name, id_ in triples]
    except MacieError as error:
        print(f"pulumi-macie-import: {error}", file=sys.stderr)
        return 1
    with open(args.file, "w", encoding="utf-8") as handle:
        json.dump({"resources": entries}, handle, indent=2)
    command = ["pulumi", "import", "--file", args.file, "--generate-code=false", *passthrough]
    print(f"wrote {args.file} ({len(entries)} resources); import with: {' '.join(command)}")
    if not args.run:
        return 0
    command[0] = shutil.which("pulumi") or "pulumi"
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
