"""The Python dynamic-provider host: Pulumi's ``ResourceProvider`` around a resource's hooks.

It translates between ``pulumi.dynamic`` types and the hooks contract, and keeps nothing on the
instance that would be serialised into the stack's state (the engine pickles the provider object
into every resource). Settings come from the stack config handed to ``configure`` and the AWS
environment, inside the provider process.
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

from ..errors import ConfigurationError
from ..resources.base import Hooks
from ..resources.context import settings_from_config


class DynamicProvider(ResourceProvider):
    """The Pulumi dynamic provider around a ``Hooks`` class. Holds no state that is serialised."""

    HOOKS: ClassVar[type[Hooks]]

    def __getstate__(self) -> dict[str, Any]:
        return {}  # nothing on the instance ever reaches the stack's state

    def __setstate__(self, state: dict[str, Any]) -> None:
        pass

    def configure(self, req: ConfigureRequest) -> None:
        settings, failures = settings_from_config(req.config.get)
        self._config_failures = failures
        self._hooks = self.HOOKS(settings)

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

    def diff(self, _id: str, _olds: Any, _news: Any) -> DiffResult:
        result = self.hooks().diff(_id, _inputs(_olds), _inputs(_news))
        return DiffResult(changes=result.changed, replaces=result.replaces, delete_before_replace=False)

    def create(self, props: Any) -> CreateResult:
        result = self.hooks().create(_inputs(props))
        return CreateResult(id_=result.id, outs=result.outputs)

    def read(self, id_: str, props: Any) -> ReadResult:
        result = self.hooks().read(id_, _inputs(props or {}))
        if not result.exists:
            return ReadResult(None, {})
        return ReadResult(result.id, result.outputs, result.inputs)

    def update(self, _id: str, _olds: Any, _news: Any) -> UpdateResult:
        return UpdateResult(outs=self.hooks().update(_id, _inputs(_olds), _inputs(_news)).outputs)

    def delete(self, _id: str, _props: Any) -> None:
        self.hooks().delete(_id, _inputs(_props))


class _NoConfig:
    def get(self, key: str) -> Any:
        return None


def _inputs(props: Any) -> dict[str, Any]:
    """Properties without the engine's and the dynamic provider's own (``__provider``...)."""
    return {k: v for k, v in dict(props).items() if not k.startswith("__")}
