"""The provider's settings from its configuration: the ``macie:*`` stack config of the default provider, or
an explicit provider's inputs (``region``, ``endpointUrl``, ``profile``, ``maxAttempts``, the keys,
``assumeRole``, ``allowedAccountIds``, ``forbiddenAccountIds``), coerced and checked against schema.json,
with the standard AWS environment behind them."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from ..client import ClientSettings
from ..client.settings import AssumeRole, Credentials
from ..errors import ConfigurationError
from ._schema import SCHEMA
from .validation import check_config, coerce_deep

#: Every setting, as schema.json's ``config`` names them.
CONFIG_KEYS = tuple(SCHEMA["config"])
#: The settings that are keys: kept secret, and never part of ``ClientSettings``.
SECRET_KEYS = tuple(key for key, spec in SCHEMA["config"].items() if spec.get("secret"))
#: The settings' defaults as schema.json gives them: what the SDKs send for an explicit provider that
#: leaves the setting out (the engine sends a default provider only the stack config's).
CONFIG_DEFAULTS = {key: spec["default"] for key, spec in SCHEMA["config"].items() if "default" in spec}
#: The environment variables botocore reads Macie's endpoint from, the service's own first.
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_MACIE", "AWS_ENDPOINT_URL")


def config_values(get: Callable[[str], Any]) -> dict[str, Any]:
    """The provider's config values by key (``region``...), read with ``get("macie:region")``...; a whole
    number given as digits and a list or object given as JSON (stack config is text, and the SDKs send
    an explicit provider's non-string inputs as JSON) become values of their type, and so does a number
    inside a list or object (YAML sends ``allowedAccountIds: [444455556666]`` as a list of numbers)."""
    values: dict[str, Any] = {key: get(f"macie:{key}") for key in CONFIG_KEYS}
    for key, value in values.items():
        spec = SCHEMA["config"][key]
        if isinstance(value, str) and spec["type"] != "string":
            try:
                value = json.loads(value)
            except ValueError:
                continue
        if isinstance(value, dict) and spec["type"] == "object":
            value = _wire_names(spec, value)
        if value is not None:
            values[key] = coerce_deep(spec, value)
    return values


def _wire_names(spec: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    """An object's keys as the schema spells them: Pulumi's Python SDK sends a provider's object input
    given as a dict with the program's Python names (``role_arn``; pulumi/pulumi#18810)."""

    def camel(name: str) -> str:
        head, *rest = name.split("_")
        return head + "".join(part.title() for part in rest)

    names = spec.get("properties", {})
    return {camel(k) if k not in names and camel(k) in names else k: v for k, v in value.items()}


def endpoint_from_environment() -> str | None:
    """The endpoint URL the AWS environment gives Macie's clients, as botocore reads it."""
    if os.environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true":
        return None
    return next((os.environ[name] for name in ENDPOINT_VARIABLES if os.environ.get(name)), None)


def settings_from_values(values: dict[str, Any]) -> tuple[ClientSettings, list[tuple[str, str]]]:
    """Settings from config values (keys without the ``macie:`` namespace), and the failures of bad
    values, each naming its ``macie:`` key and the rule. The region and endpoint the environment gives
    are made explicit, so that what is recorded is what the client uses."""
    failures = check_config(values)
    if failures:
        return ClientSettings(), failures
    role = values.get("assumeRole") or None
    settings = ClientSettings(
        # botocore reads AWS_DEFAULT_REGION and the profile itself; AWS_REGION is the newer convention.
        region=values.get("region") or os.environ.get("AWS_REGION") or None,
        endpoint_url=values.get("endpointUrl") or endpoint_from_environment(),
        profile=values.get("profile") or None,
        max_attempts=values.get("maxAttempts") or 8,
        assume_role=None
        if role is None
        else AssumeRole(
            role_arn=role["roleArn"],
            session_name=role.get("sessionName"),
            external_id=role.get("externalId"),
            duration_seconds=role.get("durationSeconds"),
        ),
        allowed_account_ids=tuple(values.get("allowedAccountIds") or ()),
        forbidden_account_ids=tuple(values.get("forbiddenAccountIds") or ()),
    )
    try:
        settings.validate()
    except ConfigurationError as error:
        return ClientSettings(), [("macie:config", str(error))]
    if bool(values.get("accessKey")) != bool(values.get("secretKey")):
        return ClientSettings(), [("macie:secretKey", "accessKey and secretKey are given together, or neither")]
    return settings, []


def credentials_from_values(values: dict[str, Any]) -> Credentials | None:
    """The static keys among config values, or None (the profile or the standard credential chain)."""
    if not values.get("accessKey"):
        return None
    keys = Credentials(aws_access_key_id=values["accessKey"], aws_secret_access_key=values["secretKey"])
    if values.get("token"):
        keys["aws_session_token"] = values["token"]
    return keys


def settings_from_config(
    get: Callable[[str], Any],
) -> tuple[ClientSettings, Credentials | None, list[tuple[str, str]]]:
    """Settings and static keys from config values (``get("macie:region")``...), and the failures of
    bad values."""
    values = config_values(get)
    settings, failures = settings_from_values(values)
    return settings, (None if failures else credentials_from_values(values)), failures
