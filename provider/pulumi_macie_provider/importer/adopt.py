"""``pulumi-macie-import TYPE NAME ID...``: the import file that adopts existing associations.

The Pulumi engine imports a resource by calling its provider's Read with no inputs; a Python dynamic
provider is serialised into those inputs, so ``pulumi import TYPE NAME ID`` cannot reach it. This
command reads each association from Macie (failing if it does not exist), refuses any that another
resource of the stack holds, then writes an import file whose entries carry the resource's live state
and its provider (a secret, as ``pulumi up`` records it), the form ``pulumi import --file`` takes
without calling Read; with ``--run`` it runs that import. ``import_entry`` makes the entries of the
other commands too.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from pulumi.dynamic.dynamic import serialize_provider

from ..client import ClientSettings
from ..dynamic_entry import PROVIDERS
from ..hosts.dynamic import dynamic_type
from ..hosts.wire import SECRET_SIG
from ..resources.clients import client_for
from ..resources.registry import resource_type
from .stack import Pulumi, claims, keys_of, refuse_second_claims, urn_prefix


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
    hooks = resource.hooks(settings, client if client is not None else client_for(settings, keys_of(settings)))
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


def adopt(pulumi: Pulumi, where: ClientSettings, triples: list[list[str]], path: str, run: bool) -> int:
    """Write the import file ``path`` for the associations that ``triples`` (TYPE NAME ID) name, found
    ``where``, unless the stack holds one of them already; with ``run``, run ``pulumi import`` on it."""
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
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"resources": entries}, handle, indent=2)
    command = ["pulumi", "import", "--file", path, "--generate-code=false", *pulumi.passthrough]
    print(f"wrote {path} ({len(entries)} resources); import with: {' '.join(command)}")
    if not run:
        return 0
    command[0] = pulumi.binary
    return subprocess.call(command)
