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
declares that Macie holds, found with ``pulumi preview``, and says what ``pulumi up`` then does (what
it creates; what it would delete, named: what the stack holds and the program no longer declares). Only
this package's resources are rebuilt: a stack that also holds other providers' resources should
restore its backend's backup instead. With a state that loads, it keeps the state and imports only
what the program declares, the stack lacks and Macie holds.

The package is one module per command over one module that reaches the stack:

- ``cli``: the arguments, where Macie is (flags, stack config, environment), and which command runs;
- ``adopt``: ``TYPE NAME ID...``, and the import entry of a live association, which all three write;
- ``pending``: ``--pending-creates``;
- ``rebuild``: ``--rebuild``;
- ``creates``: the creates ``pending`` and ``rebuild`` find (what to look up in Macie, where), and the
  import file that puts those Macie holds back in their place;
- ``stack``: the ``pulumi`` CLI on the stack, its config, its exported state and the resources of ours
  in it, and the associations they hold (an import must not give one a second resource).

``pulumi-macie-migrate`` (``migrate``, over ``moves``, the state rewrite, and ``program``, the program's
edits) moves a stack from the dynamic provider to the native plugin; see ``migrate``.
"""

from __future__ import annotations

# The names the old single module had, for the tests, the scripts and the entry point; not ``adopt`` and
# ``rebuild``, the functions that run those commands, whose names are their modules'.
from ..hosts.wire import SECRET_SIG
from .adopt import import_entry, secret
from .cli import UsageError, main, parse, settings_for
from .creates import PendingCreate, entry_name, held_by_macie, import_file
from .pending import UNREADABLE, pending_creates, recover_pending_creates
from .rebuild import REBUILD_ROUNDS, adopt_declared, declared_creates, recreate_state
from .stack import (
    Pulumi,
    SecondClaim,
    claims,
    export_repaired,
    refuse_second_claims,
    resource_id,
    resource_of,
    stack_config,
    unreadable_checkpoint,
    urn_prefix,
)

__all__ = [
    "REBUILD_ROUNDS",
    "SECRET_SIG",
    "UNREADABLE",
    "PendingCreate",
    "Pulumi",
    "SecondClaim",
    "UsageError",
    "adopt_declared",
    "claims",
    "declared_creates",
    "entry_name",
    "export_repaired",
    "held_by_macie",
    "import_entry",
    "import_file",
    "main",
    "parse",
    "pending_creates",
    "recover_pending_creates",
    "recreate_state",
    "refuse_second_claims",
    "resource_id",
    "resource_of",
    "secret",
    "settings_for",
    "stack_config",
    "unreadable_checkpoint",
    "urn_prefix",
]
