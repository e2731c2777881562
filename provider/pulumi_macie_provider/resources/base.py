"""The hooks contract that both hosts (the dynamic provider and the native plugin) sit on.

A resource's hooks take and return plain dicts keyed by wire names, as schema.json spells them, and
answer with the typed results below. A host only translates its protocol into these calls and the
results back; no behaviour lives in a host.

    check(olds, news)        -> CheckResult   validate and normalise inputs; no API call
    diff(id, olds, news)     -> DiffResult    which properties change, which of those replace
    id_for(inputs)           -> str           the ID create gives these inputs
    create(inputs)           -> CreateResult  all or nothing
    read(id, state)          -> ReadResult    ReadResult.gone() when Macie no longer holds it
    update(id, olds, news)   -> UpdateResult  in-place changes only
    delete(id, state)        -> None          deleting what is already gone succeeds

``state`` is what the host has of the resource: its outputs, or nothing at all when it is being
imported or looked up by ID alone. Errors are ``MacieError``s (see ``errors``).

A stack owns only what it made. Whether a create made an association is decided from what Macie
held before the call (this process's list of the account, kept current by its own writes):

- held before: the create is refused, whatever its retries answered, with the way to import it;
- absent before, and the call succeeded: ours;
- absent before, and the call's outcome is unknown (an answer lost, a 5xx, a retried attempt refused
  as "already associated", a deadline or a cancel mid-call): Macie is asked again (``settle``); held
  now means our lost attempt made it, so it is ours; absent means the create failed; and when Macie
  cannot be asked, ``UnknownOutcomeError`` carries the resource so that it is reported, not forgotten.

Import and lookup apply the create's rules: the master is not its own member, and an ID names an
association in one canonical form (the master's own account ID is never written in it).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

from ..client import ClientSettings
from ..client.deadline import SETTLE_SECONDS, settling
from ..client.settings import Credentials
from ..errors import MacieApiError, MacieError, NotFoundError, UnknownOutcomeError
from ._schema import IDENTITY
from .api import api_call
from .clients import client_for
from .list_cache import ListCache
from .validation import check_inputs, contains_unknown
from .waits import DEPENDENCY_WAIT


class Failure(NamedTuple):
    """One input that breaks a rule: the property (a path such as ``classificationType.oneTime``)
    and the reason, which names the value and the rule."""

    property: str
    reason: str


@dataclass(frozen=True)
class CheckResult:
    """Normalised inputs (defaults filled) and the failures; inputs are stored only without failures."""

    inputs: dict[str, Any]
    failures: list[Failure] = field(default_factory=list)


@dataclass(frozen=True)
class DiffResult:
    """Which properties differ, which of those force a replacement, and whether the old resource must go
    before its replacement is made (when both could be the same object in Macie)."""

    changes: list[str] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)
    delete_before_replace: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.changes)


@dataclass(frozen=True)
class CreateResult:
    """The new resource's ID and its outputs."""

    id: str
    outputs: dict[str, Any]


@dataclass(frozen=True)
class ReadResult:
    """What Macie holds for an ID: its outputs and the inputs a program would declare for it.

    ``id`` is None when Macie holds nothing for it any more (``ReadResult.gone()``).
    """

    id: str | None
    outputs: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def gone(cls) -> ReadResult:
        return cls(None)

    @property
    def exists(self) -> bool:
        return self.id is not None


@dataclass(frozen=True)
class UpdateResult:
    """The resource's outputs after an in-place update."""

    outputs: dict[str, Any]


class Hooks(ABC):
    """A resource's hooks: what it is (token, identity, ID form) and what it does.

    The class attributes are the resource's entry in the registry (``registry.RESOURCES``): the
    hosts, the generators, the importer and the tests read them there.
    """

    #: The package and the resource's name: ``<PACKAGE>:index:<NAME>`` is its type token.
    PACKAGE: ClassVar[str] = "macie"
    NAME: ClassVar[str] = ""
    #: The property whose value is the resource's ID, when one is (a member account's account ID).
    ID_PROPERTY: ClassVar[str | None] = None
    #: Properties whose value is the ID of another resource of the package, by that resource's name: a
    #: program that names it by a literal value means that resource (the dynamic SDK orders the two).
    REFERENCES: ClassVar[dict[str, str]] = {}
    #: The form of the resource's ID, and an example of one.
    ID_FORMAT: ClassVar[str] = ""
    ID_EXAMPLE: ClassVar[str] = ""

    def __init__(
        self,
        settings: ClientSettings | None = None,
        client: Any = None,
        *,
        dependency_wait: float = DEPENDENCY_WAIT,
        credentials: Credentials | None = None,
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        """``dependency_wait``: how long a hook may wait for another resource of the same run (a member
        account being associated, its S3 resources going); 0 in a host that cannot cancel a wait.
        ``credentials``: static keys the client signs with (else the profile or the credential chain).
        ``settle_seconds``: how long ``settle`` may ask Macie whether a create was carried out; longer in a
        host that cannot record a resource as partly made."""
        self.settings = settings or ClientSettings()
        self.settle_seconds = settle_seconds
        self.credentials = credentials
        self.dependency_wait = dependency_wait
        self._client = client
        self._master: str | None = None
        self.cache = ListCache()

    @classmethod
    def token(cls) -> str:
        return f"{cls.PACKAGE}:index:{cls.NAME}"

    def master_account(self) -> str:
        """The master's own account ID: the account whose credentials reach Macie (asked of STS once)."""
        if self._master is None:
            from ..client.factory import caller_account

            with api_call("GetCallerIdentity", "the account of the provider's credentials"):
                self._master = caller_account(self.client)
        return self._master

    def import_hint(self, id_: str) -> str:
        """How to bring an association that exists already under a stack's management."""
        return (
            f"to manage it in this stack, import it: `pulumi import {self.token()} <name> {id_}` "
            f"(with the dynamic provider: `pulumi-macie-import {self.NAME} <name> {id_}`)"
        )

    def held_before(self, error: MacieApiError, id_: str) -> MacieApiError:
        """``error`` of a create whose association Macie held before the call: never ours."""
        return type(error)(
            error.action,
            error.code,
            f"{error.message}. {id_} was associated before this create, outside this stack; {self.import_hint(id_)}",
            error.subject,
            error.attempts,
            maybe_done=error.maybe_done,
        )

    def settle(
        self,
        error: MacieApiError,
        holds: Callable[[], bool],
        created: CreateResult,
        inputs: dict[str, Any],
    ) -> CreateResult:
        """A create that Macie may have carried out (``error.maybe_done``) of an association absent before
        it: ours when Macie holds it now; otherwise the create failed (``error``). When Macie cannot be
        asked, UnknownOutcomeError carries ``created`` so that the host reports it."""
        try:
            with settling(self.settle_seconds):
                held = holds()
        except MacieError as check:
            raise UnknownOutcomeError(
                f"{error} Whether Macie carried out this create is unknown: it held no {created.id} before, "
                f"and asking it since failed ({check}). Run `pulumi refresh`: the native plugin records "
                f"{created.id} as partly created, and refresh keeps it if Macie holds it. The dynamic provider "
                "records nothing: if the next `pulumi up` refuses it as already associated, import it with "
                f"`pulumi-macie-import {self.NAME} <name> {created.id}`",
                created.id,
                created.outputs,
                inputs,
            ) from None
        if held:
            return created
        raise error

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = client_for(self.settings, self.credentials)
        return self._client

    def normalise(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """Inputs with defaults filled, as they would be stored."""
        return check_inputs(self.token(), inputs)[0]

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate and normalise new inputs; makes no API call."""
        inputs, failures = check_inputs(self.token(), news)
        return CheckResult(inputs, [Failure(*failure) for failure in failures])

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare normalised old outputs with new inputs: identity changes replace, others update.

        Whenever the new inputs give the same ID, a replacement (the program's ``replaceOnChanges``, or
        an identity written another way) deletes the old resource first: made first, the new one would
        be the same association in Macie, and refused as held already."""
        old, new = self.normalise(olds), self.normalise(news)
        changes, replaces = [], []
        for key in sorted(set(old) | set(new)):
            if contains_unknown(new.get(key)) or old.get(key) != new.get(key):
                changes.append(key)
                if key in IDENTITY[self.token()]:
                    replaces.append(key)
        same_id = False
        if changes and not contains_unknown(new):
            try:
                same_id = self.id_for(new) == id_
            except (MacieError, ValueError, KeyError, TypeError):
                pass
        return DiffResult(changes, replaces, delete_before_replace=same_id)

    @abstractmethod
    def id_for(self, inputs: dict[str, Any]) -> str:
        """The ID that ``create`` gives a resource with these inputs (IDs follow from identity)."""

    @abstractmethod
    def create(self, inputs: dict[str, Any]) -> CreateResult:
        """Make the resource in Macie from checked inputs."""

    @abstractmethod
    def read(self, id_: str, state: dict[str, Any]) -> ReadResult:
        """What Macie holds for ``id_`` (state may be empty: import, or a lookup by ID)."""

    def canonical_id(self, id_: str) -> str:
        """``id_`` in the one form create, import and lookup give the association it names."""
        return id_

    def lookup(self, id_: str) -> ReadResult:
        """What Macie holds for ``id_`` when nothing else is known of it (an import, a lookup by ID);
        raises NotFoundError when Macie holds nothing for it."""
        result = self.read(id_, {})
        if not result.exists:
            raise NotFoundError(
                f"{self.NAME} {id_!r} does not exist in Macie ({self.settings.where()}): "
                "there is nothing to import or read"
            )
        return result

    @abstractmethod
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Apply in-place changes (never identity changes, which replace)."""

    @abstractmethod
    def delete(self, id_: str, state: dict[str, Any]) -> None:
        """Remove the resource from Macie; what is already gone counts as deleted."""
