"""The provider's settings from its configuration: ``macie:region``, ``macie:endpointUrl``,
``macie:profile`` and ``macie:maxAttempts`` (stack config, or a provider's inputs), coerced and checked
against schema.json, with the standard AWS environment behind them."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..client import ClientSettings
from ..errors import ConfigurationError
from ._schema import SCHEMA
from .validation import check_config, coerce

CONFIG_KEYS = ("region", "endpointUrl", "profile", "maxAttempts")


def config_values(get: Callable[[str], Any]) -> dict[str, Any]:
    """The provider's config values by key (``region``...), read with ``get("macie:region")``...;
    a whole number given as digits (stack config is text) becomes a number."""
    values: dict[str, Any] = {key: get(f"macie:{key}") for key in CONFIG_KEYS}
    for key, value in values.items():
        if isinstance(value, str) and SCHEMA["config"][key]["type"] == "integer":
            try:
                values[key] = int(value)
            except ValueError:
                pass
        elif value is not None:
            values[key] = coerce(SCHEMA["config"][key], value)[0]
    return values


def settings_from_values(values: dict[str, Any]) -> tuple[ClientSettings, list[tuple[str, str]]]:
    """Settings from config values (keys without the ``macie:`` namespace), and the failures of bad
    values, each naming its ``macie:`` key and the rule."""
    failures = check_config(values)
    if failures:
        return ClientSettings(), failures
    settings = ClientSettings(
        # botocore reads AWS_DEFAULT_REGION and the profile itself; AWS_REGION is the newer convention.
        region=values.get("region") or os.environ.get("AWS_REGION") or None,
        endpoint_url=values.get("endpointUrl") or None,
        profile=values.get("profile") or None,
        max_attempts=values.get("maxAttempts") or 8,
    )
    try:
        settings.validate()
    except ConfigurationError as error:
        return ClientSettings(), [("macie:config", str(error))]
    return settings, []


def settings_from_config(get: Callable[[str], Any]) -> tuple[ClientSettings, list[tuple[str, str]]]:
    """Settings from config values (``get("macie:region")``...), and the failures of bad values."""
    return settings_from_values(config_values(get))
