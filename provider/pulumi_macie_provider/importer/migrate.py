"""``pulumi-macie-migrate``: move a stack from the dynamic provider to the native plugin, with no write to Macie.

    pulumi-macie-migrate [--dry-run] [--write-program] [--backup FILE] [-- PULUMI_ARGS...]

Run in the program's folder (``-- --stack NAME`` names the stack). It moves the stack's resources of
``pulumi_macie``'s dynamic provider (``pulumi-python:dynamic/macie:*``, and 0.1.0's shared
``pulumi-python:dynamic:Resource``, recognised by its pickled provider) to the native plugin's
``macie:index:*`` resources, in the state only:

- it refuses while the stack has pending operations or resources waiting to be deleted, while any
  association is missing in Macie (it reads, naming each one missing), and while two resources of the
  stack would hold one association;
- it rewrites types and URNs, keeping IDs, inputs and outputs (less ``__provider`` and ``__location``),
  dependencies, parents, ``protect`` and custom timeouts, under the native provider recorded as the
  plugin records it: the default provider (the stack's ``macie:`` config) where the stack config
  points, an explicit provider elsewhere;
- it keeps a backup (``pulumi stack export``), imports the new state (``pulumi stack import``), and runs
  ``pulumi preview --expect-no-changes`` with the program switched to ``pulumi_macie_native``
  (``--write-program`` switches a Python program's imports; otherwise it prints the edits and refuses
  while the program still imports ``pulumi_macie``); if the preview fails, it imports the backup back.

``--dry-run`` prints the plan and the edits, and changes nothing. A second run finds nothing to move.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .. import help_description
from ..errors import MacieError
from ..file_backend import checkpoint_files, put_back
from ..resources.config import config_values
from ..resources.location import settings_at
from ..resources.registry import BY_NAME
from .moves import Plan, plan_moves, rewritten
from .program import OTHER_LANGUAGES, edits_diff, explicit_provider_advice, program_edits, write_edits
from .stack import (
    Pulumi,
    Where,
    export_repaired,
    first_error,
    resource_of,
    split_passthrough,
    stack_config,
    where_from_values,
)

#: Exit status of a refusal (the stack is left as it was, nothing was written).
REFUSED = 2


class Refused(MacieError):
    """The stack cannot be moved as it is; the message says why and what to do."""


def refuse_unsettled(deployment: dict[str, Any]) -> None:
    """Refuse a stack with pending operations or resources waiting to be deleted, naming them."""
    pending = [
        f"{op.get('type')} {op.get('resource', {}).get('urn')}" for op in deployment.get("pending_operations") or []
    ]
    if pending:
        raise Refused(
            "the stack has pending operations (" + "; ".join(pending) + "): resolve them first "
            "(`pulumi-macie-import --pending-creates`, or `pulumi refresh --clear-pending-creates`)"
        )
    waiting = [r["urn"] for r in deployment.get("resources") or [] if r.get("delete")]
    if waiting:
        raise Refused(f"resources wait to be deleted ({', '.join(waiting)}): run `pulumi up` first")


def refuse_double_holds(deployment: dict[str, Any], settings: Where) -> None:
    """Refuse when two resources of the stack (moved or not) would hold one association."""
    holders: dict[tuple[str, str], list[str]] = {}
    hooks: dict[str, Any] = {}
    for resource in deployment.get("resources") or []:
        ours = resource_of(resource.get("type", ""), resource.get("inputs") or {})
        if ours is None or not resource.get("id") or resource.get("external"):
            continue
        if ours.name not in hooks:
            hooks[ours.name] = ours.hooks(settings, credentials=settings.credentials)
        key = (ours.name, hooks[ours.name].canonical_id(resource["id"]))
        holders.setdefault(key, []).append(resource["urn"])
    twice = {key: urns for key, urns in holders.items() if len(urns) > 1}
    if twice:
        named = "; ".join(f"{name} {id_} is held by {' and '.join(urns)}" for (name, id_), urns in twice.items())
        raise Refused(
            f"two resources of the stack hold one association ({named}): the `up` that deletes one would "
            "disassociate it. Remove the newer one from the state (`pulumi state delete <urn>`) first"
        )


def stack_settings(config: dict[str, Any]) -> Where:
    """Where the dynamic provider reaches Macie: the stack config, else the environment."""
    settings, failures = where_from_values(config_values(config.get))
    if failures:
        raise Refused("; ".join(f"{key} (stack config): {reason}" for key, reason in failures))
    return settings


def refuse_missing(plan: Plan, stack_settings: Where) -> int:
    """Read each association from Macie where it lives (reads only); refuse naming those missing.
    Answers how many were read."""
    hooks: dict[tuple[str, tuple[str, str]], Any] = {}
    missing = []
    for move in plan.moves:
        key = (move.name, move.place)
        if key not in hooks:
            recorded = {"region": move.place[0], "endpointUrl": move.place[1]}
            where = settings_at(stack_settings, recorded)
            hooks[key] = BY_NAME[move.name].hooks(where, credentials=stack_settings.credentials)
        if not hooks[key].read(move.id, {}).exists:
            missing.append(f"{move.urn} ({move.name} {move.id})")
    if missing:
        raise Refused(
            f"{len(missing)} associations of the stack are missing in Macie: " + "; ".join(missing) + ". Run "
            "`pulumi refresh` (it drops them from the state) or `pulumi up` (it makes them again) first"
        )
    return len(plan.moves)


def secret_settings(pulumi: Pulumi) -> list[str]:
    """The ``macie:`` settings the stack config keeps secret (``endpointUrl``...): recorded as secrets."""
    result = pulumi.capture("config", "--json")
    values = json.loads(result.stdout or "{}") if result.returncode == 0 else {}
    return [key.split(":", 1)[1] for key, entry in values.items() if key.startswith("macie:") and entry.get("secret")]


def describe(plan: Plan) -> str:
    kinds = Counter(move.name for move in plan.moves)
    lines = [
        f"{len(plan.moves)} resources move to the native plugin ({', '.join(f'{n} {k}' for k, n in kinds.items())}):"
    ]
    for provider in plan.providers:
        served = sum(1 for move in plan.moves if move.provider == provider.urn)
        kind = "default provider" if provider.default else "explicit provider"
        lines.append(f"  {served} under the {kind} {provider.name} (region {provider.place[0]}, {provider.place[1]})")
    for move in plan.moves[:10]:
        lines.append(f"  {move.urn}\n    -> {move.new_urn}  (id {move.id})")
    if len(plan.moves) > 10:
        lines.append(f"  ... and {len(plan.moves) - 10} more")
    for urn in plan.dropped:
        lines.append(f"  the dynamic provider {urn} goes (nothing else uses it)")
    return "\n".join(lines)


def _import(pulumi: Pulumi, deployment: dict[str, Any]) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "state.json")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w", encoding="utf-8") as handle:
            json.dump(deployment, handle, indent=4)
        return pulumi.capture("stack", "import", "--file", path)


def restore(pulumi: Pulumi, backup: Path, before: tuple[str, str], saved: dict[Path, bytes]) -> str:
    """Put the stack back as it was (``before``: its export, and with secrets shown): on a file backend
    its checkpoint's own bytes (``saved``); else, or if that does not export as before, ``pulumi stack
    import`` of the backup, which gives every secret a new ciphertext. Answers what it achieved."""
    if saved:
        put_back(saved)
        if pulumi.capture("stack", "export").stdout == before[0]:
            return "the stack is as it was: it exports byte for byte as before"
    pulumi.capture("stack", "import", "--file", str(backup))
    if pulumi.capture("stack", "export").stdout == before[0]:
        return "the stack is as it was: it exports byte for byte as before"
    if pulumi.capture("stack", "export", "--show-secrets").stdout == before[1]:
        return f"the stack holds what it held (its secrets encrypted again); the backup stays at {backup}"
    return f"the stack does NOT hold what it held: import the backup, `pulumi stack import --file {backup}`"


def migrate(pulumi: Pulumi, args: argparse.Namespace) -> int:
    exported = export_repaired(pulumi)
    shown = pulumi.capture("stack", "export", "--show-secrets")
    if exported.returncode != 0 or shown.returncode != 0:
        print(f"pulumi-macie-migrate: pulumi stack export failed: {first_error(exported.stderr)}", file=sys.stderr)
        return 1
    deployment = json.loads(shown.stdout).get("deployment", {})
    config = stack_config(pulumi)
    refuse_unsettled(deployment)
    plan = plan_moves(deployment, config, secret_keys=secret_settings(pulumi))
    if not plan.moves:
        native = sum(1 for r in deployment.get("resources") or [] if r.get("type", "").startswith("macie:index:"))
        print(f"nothing to move: the stack holds no resources of the dynamic provider ({native} native ones)")
        return 0
    settings = stack_settings(config)
    refuse_double_holds(deployment, settings)
    refuse_missing(plan, settings)
    print(describe(plan))
    folder = Path.cwd()
    edits = program_edits(folder)
    advice = explicit_provider_advice(plan)
    if edits:
        print("Program edits (written):\n" if args.write_program and not args.dry_run else "Program edits:\n")
        print(edits_diff(folder, edits))
    if advice:
        print(advice)
    if not edits and not any(path.suffix == ".py" for path in folder.glob("*.py")):
        print(OTHER_LANGUAGES)
    if args.dry_run:
        print("dry run: nothing was written")
        return 0
    if edits and not args.write_program:
        raise Refused(
            "the program still imports pulumi_macie: make the edits above (or pass --write-program), then run "
            "pulumi-macie-migrate again; the stack is unchanged"
        )
    originals = {path: path.read_text(encoding="utf-8") for path in edits}
    write_edits(edits)
    backup = Path(args.backup or f"macie-migrate-backup-{pulumi.stack_name() or 'stack'}-{int(time.time())}.json")
    backup.write_text(exported.stdout, encoding="utf-8")
    print(f"backup of the stack's state: {backup}")
    saved = {path: path.read_bytes() for path in checkpoint_files(pulumi.backend_url(), folder, pulumi.stack_name())}
    raw = json.loads(exported.stdout)
    imported = _import(pulumi, {**raw, "deployment": rewritten(raw["deployment"], plan)})
    if imported.returncode != 0:
        print(f"pulumi-macie-migrate: pulumi stack import failed: {first_error(imported.stderr)}", file=sys.stderr)
        print(restore(pulumi, backup, (exported.stdout, shown.stdout), saved), file=sys.stderr)
        write_edits(originals)
        return 1
    code = pulumi.call("preview", "--expect-no-changes")
    if code != 0:
        print(
            "pulumi-macie-migrate: the program does not match the moved state; putting the backup back", file=sys.stderr
        )
        print(restore(pulumi, backup, (exported.stdout, shown.stdout), saved), file=sys.stderr)
        write_edits(originals)
        if originals:
            print("the program's edits are undone too", file=sys.stderr)
        return 1
    print(
        f"moved {len(plan.moves)} resources to the native plugin with no call that writes to Macie; "
        f"`pulumi preview` shows no changes. The backup stays at {backup}"
    )
    return 0


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    argv, passthrough = split_passthrough(argv)
    parser = argparse.ArgumentParser(
        prog="pulumi-macie-migrate",
        description=help_description(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan and the program edits only")
    parser.add_argument("--write-program", action="store_true", help="switch the Python program's imports")
    parser.add_argument("--backup", default=None, help="where to keep the state before (default: a new file here)")
    return parser.parse_args(argv), passthrough


def main(argv: list[str] | None = None) -> int:
    args, passthrough = parse(list(sys.argv[1:] if argv is None else argv))
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)
    try:
        return migrate(Pulumi(passthrough), args)
    except Refused as error:
        print(f"pulumi-macie-migrate: {error}", file=sys.stderr)
        return REFUSED
    except MacieError as error:
        print(f"pulumi-macie-migrate: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
