"""What both resources share: hook results, the hooks' base, and the dynamic-provider wrapper.

Hooks take and return plain dicts (wire names, as schema.json spells them), so the same logic can sit
behind this Python dynamic provider or a native provider plugin. The wrapper only translates between
Pulumi's dynamic-provider types and the hooks, and keeps nothing on the instance that would be
serialised into the stack's state.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
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

from ..client import ClientSettings
from ..errors import ConfigurationError
from .context import ListCache, client_for, settings_from_config
from .validation import check_inputs, is_unknown


@dataclass
class Diff:
    """Which properties differ, and which of those force a replacement."""

    changes: list[str] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)


class Hooks:
    """Base of a resource's hooks: validation from the schema table, a client, a list cache."""

    TOKEN: ClassVar[str] = ""
    IDENTITY: ClassVar[tuple[str, ...]] = ()

    def __init__(self, settings: ClientSettings | None = None, client: Any = None) -> None:
        self.settings = settings or ClientSettings()
        self._client = client
        self.cache = ListCache()

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = client_for(self.settings)
        return self._client

    def normalise(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """Inputs with defaults filled, as they would be stored."""
        return check_inputs(self.TOKEN, inputs)[0]

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Validate and normalise new inputs; makes no API call."""
        return check_inputs(self.TOKEN, news)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Diff:
        """Compare normalised old outputs with new inputs: identity changes replace, others update."""
        old, new = self.normalise(olds), self.normalise(news)
        result = Diff()
        for key in sorted(set(old) | set(new)):
            if key.startswith("__"):
                continue
            if is_unknown(new.get(key)) or _contains_unknown(new.get(key)) or old.get(key) != new.get(key):
                result.changes.append(key)
                if key in self.IDENTITY:
                    result.replaces.append(key)
        return result


def _contains_unknown(value: Any) -> bool:
    if isinstance(value, dict):
        return any(is_unknown(v) or _contains_unknown(v) for v in value.values())
    return False


class DynamicProvider(ResourceProvider):
    """The Pulumi dynamic provider around a ``Hooks`` class. Holds no state that is serialised."""

    HOOKS: ClassVar[type[Hooks]] = Hooks

    def __getstate__(self) -> dict[str, Any]:
        return {}  # nothing on the instance ever reaches the stack's state

    def __setstate__(self, state: dict[str, Any]) -> None:
        pass

    def configure(self, req: ConfigureRequest) -> None:
        settings, failures = settings_from_config(req.config.get)
        self._config_failures = failures
        self._hooks = self.HOOKS(settings)
        self._lock = threading.Lock()

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
        inputs, input_failures = hooks.check(dict(_olds or {}), dict(news or {}))
        failures += input_failures
        return CheckResult(inputs, [CheckFailure(prop, reason) for prop, reason in failures])

    def diff(self, _id: str, _olds: Any, _news: Any) -> DiffResult:
        result = self.hooks().diff(_id, dict(_olds), dict(_news))
        return DiffResult(changes=bool(result.changes), replaces=result.replaces, delete_before_replace=False)

    def create(self, props: Any) -> CreateResult:
        id_, outs = self.hooks().create(_inputs(props))
        return CreateResult(id_=id_, outs=outs)

    def read(self, id_: str, props: Any) -> ReadResult:
        found, outs, inputs = self.hooks().read(id_, _inputs(props or {}))
        if found is None:
            return ReadResult(None, {})
        return ReadResult(found, outs, inputs)

    def update(self, _id: str, _olds: Any, _news: Any) -> UpdateResult:
        return UpdateResult(outs=self.hooks().update(_id, _inputs(_olds), _inputs(_news)))

    def delete(self, _id: str, _props: Any) -> None:
        self.hooks().delete(_id, _inputs(_props))


class _NoConfig:
    def get(self, key: str) -> Any:
        return None


def _inputs(props: Any) -> dict[str, Any]:
    return {k: v for k, v in dict(props).items() if not k.startswith("__")}
