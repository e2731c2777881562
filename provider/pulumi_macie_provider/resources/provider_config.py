"""The provider's own check and diff: what a provider's inputs record, and which changes replace its resources.

A provider's inputs (an explicit provider's, or the default provider's from ``macie:*`` stack config)
are checked with the rules and messages of ``config``, and recorded as the client uses them
(``location``): the region and endpoint whatever set them, the endpoint in its canonical form. The keys
(``accessKey``, ``secretKey``, ``token``) and an endpoint URL with a user and password are recorded as
secrets. A change of region, endpoint, or the account of ``assumeRole`` replaces the resources, each
deleted before it is made again (their IDs stay the same); every other setting, the keys included,
updates the provider in place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .config import CONFIG_KEYS, SECRET_KEYS, config_values, endpoint_from_environment, settings_from_values
from .location import canonical_endpoint, endpoint_in_use, has_userinfo, resolved_region
from .validation import contains_unknown

#: Keys that the engine itself adds to a provider's inputs.
ENGINE_KEYS = ("version", "pluginDownloadURL")


@dataclass
class ProviderCheck:
    """Checked inputs, the failures (property, reason), and the keys whose values are to be kept secret."""

    inputs: dict[str, Any]
    failures: list[tuple[str, str]] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)


@dataclass
class ProviderDiff:
    """Which provider inputs differ, which of those replace the resources, and whether those go first."""

    changes: list[str] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)
    delete_before_replace: bool = False


def check_provider(olds: dict[str, Any], news: dict[str, Any]) -> ProviderCheck:
    """Check a provider's new inputs (``olds``: what its state recorded, if anything)."""
    failures = [
        (key, f"unknown setting macie:{key}; the settings are {', '.join('macie:' + k for k in CONFIG_KEYS)}")
        for key in sorted(news)
        if key not in CONFIG_KEYS and key not in ENGINE_KEYS
    ]
    known = {k: v for k, v in news.items() if k in CONFIG_KEYS and not contains_unknown(v)}
    values = config_values(lambda key: known.get(key.split(":", 1)[1]))
    # Properties as the engine knows them (its message then shows them): "region", not "macie:region".
    failures += [(key.removeprefix("macie:"), reason) for key, reason in settings_from_values(values)[1]]
    inputs = dict(news)
    inputs.update({k: v for k, v in values.items() if v is not None})
    if not inputs.get("region"):
        region = resolved_region(olds.get("region"))
        if region:
            inputs["region"] = region
    if not contains_unknown(news.get("endpointUrl")) and not contains_unknown(inputs.get("region")):
        # Recorded as used: the configured endpoint, else the environment's, else the one recorded before
        # (a run without the variable does not move the resources), else AWS's own in the region.
        given = inputs.get("endpointUrl") or endpoint_from_environment() or olds.get("endpointUrl")
        endpoint = endpoint_in_use(given, inputs.get("region"), userinfo=True) if isinstance(given, str | None) else ""
        if endpoint:
            inputs["endpointUrl"] = endpoint
    secrets = [key for key in SECRET_KEYS if inputs.get(key)]
    if isinstance(inputs.get("endpointUrl"), str) and has_userinfo(inputs["endpointUrl"]):
        secrets.append("endpointUrl")
    return ProviderCheck(inputs, failures, secrets)


def _canonical(key: str, value: Any) -> Any:
    if key == "endpointUrl" and isinstance(value, str) and value:
        return canonical_endpoint(value, userinfo=True)
    if isinstance(value, str) and key in CONFIG_KEYS and value[:1] in "[{":
        try:
            return json.loads(value)  # a list or object sent as JSON by the SDKs
        except ValueError:
            return value
    return value


def _role_account(value: Any) -> str | None:
    role = _canonical("assumeRole", value)
    arn = role.get("roleArn") if isinstance(role, dict) else None
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[4] if len(parts) > 5 else None


def diff_provider(olds: dict[str, Any], news: dict[str, Any]) -> ProviderDiff:
    """Compare a provider's recorded inputs with its checked new ones, in canonical forms. A location
    that the old inputs do not record (a state written by ``pulumi import``, which records the
    configuration unchecked, or by an older version) is completed in place, not a move."""
    changes = sorted(
        key
        for key in set(olds) | set(news)
        if key not in ENGINE_KEYS
        and (contains_unknown(news.get(key)) or _canonical(key, olds.get(key)) != _canonical(key, news.get(key)))
    )
    replaces: list[str] = [key for key in ("endpointUrl", "region") if key in changes and olds.get(key)]
    urls = [value for value in (olds.get("endpointUrl"), news.get("endpointUrl")) if isinstance(value, str)]
    if len(urls) == 2 and canonical_endpoint(urls[0]) == canonical_endpoint(urls[1]):
        # Only the user or password in the URL changed: the same endpoint, so an update in place.
        replaces = [key for key in replaces if key != "endpointUrl"]
    if "assumeRole" in changes:
        old, new = _role_account(olds.get("assumeRole")), _role_account(news.get("assumeRole"))
        if contains_unknown(news.get("assumeRole")) or (old and new and old != new):
            replaces.append("assumeRole")
    # The resources keep their IDs wherever they live: each old one goes first, so that a new one that turns
    # out to be the same association (an endpoint under another name, a role in the same account) is
    # never refused as held already.
    return ProviderDiff(changes, sorted(replaces), delete_before_replace=bool(replaces))
