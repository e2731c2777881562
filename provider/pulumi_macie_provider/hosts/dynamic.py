"""The Python dynamic-provider host: Pulumi's ``ResourceProvider`` around a resource's hooks.

It translates between ``pulumi.dynamic`` types and the hooks contract, and keeps nothing on the
instance that would be serialised into the stack's state (the engine pickles the provider object
into every resource). Settings come from the stack config handed to ``configure`` and the AWS
environment, inside the provider process.

Each resource registers its own type, ``pulumi-python:dynamic/macie:<Name>`` (``dynamic_type``); stacks
made when every dynamic resource was ``pulumi-python:dynamic:Resource`` (``LEGACY_TYPE``) upgrade in place
through the SDK's alias. The pickled provider is a reference to a class of
``pulumi_macie_provider.dynamic_entry``, the one module path stacks may name; see there.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.runtime.rpc import UNKNOWN, unwrap_rpc_secret

from ..client import ClientSettings
from ..errors import ConfigurationError
from ..resources.base import Hooks
from ..resources.config import settings_from_config
from ..resources.location import location, moved, settings_at

#: The type every dynamic resource registered before each had its own; the SDK aliases it.
LEGACY_TYPE = "pulumi-python:dynamic:Resource"
#: The module of the resources' own types.
TYPE_MODULE = "macie"
#: Where the dynamic runtime keeps the pickled provider, in inputs and outputs.
PROVIDER_KEY = "__provider"
#: The output in which a dynamic resource records where it lives (``resources.location``): the native
#: plugin's provider resource records the same in its state; a dynamic resource has only its own.
LOCATION_KEY = "__location"
#: How long a create whose outcome is unknown asks Macie again here (the native plugin: 15 s, as it can
#: record the resource as partly made and leave the rest to refresh).
DYNAMIC_SETTLE_SECONDS = 60.0


def dynamic_type(name: str) -> str:
    """The type a dynamic resource registers: ``pulumi-python:dynamic/macie:MacieS3Resource``."""
    return f"pulumi-python:dynamic/{TYPE_MODULE}:{name}"


def is_dynamic_type(type_: str) -> bool:
    """True for the type of one of our dynamic resources, today's or the legacy shared one."""
    return type_ == LEGACY_TYPE or type_.startswith(f"pulumi-python:dynamic/{TYPE_MODULE}:")


class DynamicProvider(ResourceProvider):
    """The Pulumi dynamic provider around a ``Hooks`` class. Holds no state that is serialised."""

    HOOKS: ClassVar[type[Hooks]]

    def __getstate__(self) -> dict[str, Any]:
        return {}  # nothing on the instance ever reaches the stack's state

    def __setstate__(self, state: dict[str, Any]) -> None:
        pass

    def configure(self, req: ConfigureRequest) -> None:
        settings, credentials, failures = settings_from_config(req.config.get)
        self._config_failures = failures
        self._credentials = credentials
        self._hooks = self._make_hooks(settings)

    def _make_hooks(self, settings: ClientSettings) -> Hooks:
        # Pulumi's dynamic-provider server (``python -m pulumi.dynamic``) serves on 4 threads and answers the
        # engine's Cancel with nothing: a hook waiting there for another resource of the run could hold
        # the thread that resource needs, and no Ctrl-C would end it. So hooks here never wait; the SDK
        # orders a member account declared in the program before the S3 resources that name it.
        # Nor can a dynamic provider record a resource as partly made: a create whose outcome is unknown
        # asks Macie longer (DYNAMIC_SETTLE_SECONDS) before it is reported as unknown.
        return self.HOOKS(
            settings,
            dependency_wait=0,
            credentials=getattr(self, "_credentials", None),
            settle_seconds=DYNAMIC_SETTLE_SECONDS,
        )

    def hooks(self) -> Hooks:
        hooks = getattr(self, "_hooks", None)
        if hooks is None:  # not configured (a direct call outside the engine): defaults and env only
            self.configure(ConfigureRequest(_NoConfig()))  # type: ignore[arg-type]
            hooks = self._hooks
        failures = getattr(self, "_config_failures", [])
        if failures:
            raise ConfigurationError("; ".join(f"{key}: {reason}" for key, reason in failures))
        return hooks

    def check(self, _olds: Any, news: Any) -> CheckResult:
        failures = list(getattr(self, "_config_failures", []))
        hooks = getattr(self, "_hooks", None) or self.HOOKS()
        result = hooks.check(dict(_olds or {}), dict(news or {}))
        failures += result.failures
        return CheckResult(result.inputs, [CheckFailure(prop, reason) for prop, reason in failures])

    def hooks_where(self, props: Any) -> tuple[Hooks, dict[str, str]]:
        """The hooks that reach where a resource with these outputs lives (``location.settings_at``),
        and that place."""
        hooks = self.hooks()
        wanted = settings_at(hooks.settings, (props or {}).get(LOCATION_KEY))
        if wanted == hooks.settings:
            return hooks, location(hooks.settings)
        cache = self.__dict__.setdefault("_elsewhere", {})
        if wanted not in cache:
            cache[wanted] = self._make_hooks(wanted)
        return cache[wanted], location(wanted)

    def diff(self, _id: str, _olds: Any, _news: Any) -> DiffResult:
        result = self.hooks().diff(_id, own_inputs(_olds), own_inputs(_news))
        recorded = (_olds or {}).get(LOCATION_KEY)
        moves = moved(recorded, location(self.hooks().settings)) if isinstance(recorded, dict) else []
        # A diff without changes makes the engine keep the old outputs, and the runtime's Read copies
        # the stored provider back: only an Update records the program's provider in the outputs.
        # So a provider recorded by an older version (another module path) is an update, once.
        return DiffResult(
            changes=result.changed or bool(moves) or provider_moved(_olds, _news),
            replaces=result.replaces + moves,
            delete_before_replace=result.delete_before_replace,
        )

    def create(self, props: Any) -> CreateResult:
        hooks = self.hooks()
        result = hooks.create(own_inputs(props))
        return CreateResult(id_=result.id, outs={**result.outputs, LOCATION_KEY: location(hooks.settings)})

    def read(self, id_: str, props: Any) -> ReadResult:
        hooks, where = self.hooks_where(props)
        known = own_inputs(props or {})
        # Nothing known but the ID: a `get` (or a lookup), which must find something.
        result = hooks.read(id_, known) if known else hooks.lookup(id_)
        if not result.exists:
            return ReadResult(None, {})
        return ReadResult(result.id, {**result.outputs, LOCATION_KEY: where}, result.inputs)

    def update(self, _id: str, _olds: Any, _news: Any) -> UpdateResult:
        hooks, where = self.hooks_where(_olds)
        olds, news = own_inputs(_olds), own_inputs(_news)
        if hooks.diff(_id, olds, news).changed:
            outs = hooks.update(_id, olds, news).outputs
        else:
            # Only the recorded provider moved: nothing changes in Macie and the outputs stay; the
            # runtime records the program's provider with them.
            outs = {k: v for k, v in dict(_olds).items() if k != PROVIDER_KEY}
        return UpdateResult(outs={**outs, LOCATION_KEY: where})

    def delete(self, _id: str, _props: Any) -> None:
        self.hooks_where(_props)[0].delete(_id, own_inputs(_props))


class _NoConfig:
    def get(self, key: str) -> Any:
        return None


def provider_moved(olds: Any, news: Any) -> bool:
    """True when the program's pickled provider differs from the one the state recorded."""
    new = unwrap_rpc_secret(dict(news or {}).get(PROVIDER_KEY))
    old = unwrap_rpc_secret(dict(olds or {}).get(PROVIDER_KEY))
    return isinstance(new, str) and new != UNKNOWN and new != old


def own_inputs(props: Any) -> dict[str, Any]:
    """Properties without the engine's and the dynamic provider's own (``__provider``, ``__location``...):
    the resource's own inputs, as its hooks take them."""
    return {k: v for k, v in dict(props).items() if not k.startswith("__")}
