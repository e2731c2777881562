"""Where a provider's resources live (a region and an endpoint), how that is recorded, and what a move means.

Both hosts record it: the native plugin in its provider's inputs (``region``, ``endpointUrl``), the
dynamic provider in each resource's outputs (it has no provider state of its own). The rules:

- what is recorded is what the client uses: a region or endpoint from the environment is recorded as
  if configured, and AWS's own endpoint as its URL; the endpoint in one canonical form (scheme and host
  in lower case, no default port, no trailing slash), so the same endpoint written another way is no move;
- a change of region or endpoint replaces the resources: they are deleted where they live and created
  where the configuration now points (as pulumi-aws's ``region``); a side that records neither (a state
  from before these rules, or written by ``pulumi import``, which records the configuration unchecked)
  is no move;
- a run whose environment has no region or endpoint keeps the recorded ones (it does not move them);
- ``refresh``, ``update`` and ``delete`` of a resource go where it lives, whatever the config says now.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..client import ClientSettings

#: The settings that say where the resources live: a change replaces them.
LOCATION_KEYS = ("region", "endpointUrl")


#: AWS's own Macie endpoint in a region.
AWS_ENDPOINT = "https://macie.{region}.amazonaws.com"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_endpoint(url: str, userinfo: bool = False) -> str:
    """``url`` in one form: scheme and host in lower case, no default port, no trailing slash, no query
    or fragment; its user and password only when ``userinfo`` (what is recorded must still reach it)."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port if parts.port and parts.port != _DEFAULT_PORTS.get(scheme) else None
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    if userinfo and parts.username is not None:
        netloc = parts.username + (f":{parts.password}" if parts.password is not None else "") + "@" + netloc
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


def has_userinfo(url: str) -> bool:
    """Whether ``url`` carries a user (and password): then it is recorded as a secret."""
    return urlsplit(url.strip()).username is not None


def endpoint_in_use(endpoint_url: str | None, region: str | None, userinfo: bool = False) -> str:
    """The endpoint a client of these settings calls, canonical: the configured one, else AWS's own in
    the region ("" when neither is known)."""
    if endpoint_url:
        return canonical_endpoint(endpoint_url, userinfo)
    return AWS_ENDPOINT.format(region=region) if region else ""


def location(settings: ClientSettings) -> dict[str, str]:
    """Where ``settings`` reach Macie, as recorded in a dynamic resource's state: the region, and the
    endpoint (without any user or password)."""
    return {"region": settings.region or "", "endpointUrl": endpoint_in_use(settings.endpoint_url, settings.region)}


def moved(recorded: dict[str, Any], here: dict[str, str]) -> list[str]:
    """Which of ``LOCATION_KEYS`` differ between a recorded location and the config's. A value that
    either side leaves unknown does not count as a move, nor does an endpoint written another way."""
    keys = []
    if here["region"] and recorded.get("region") and here["region"] != recorded["region"]:
        keys.append("region")
    old, new = recorded.get("endpointUrl") or "", here["endpointUrl"]
    if old and new and canonical_endpoint(old, True) != canonical_endpoint(new, True):
        keys.append("endpointUrl")
    return keys


def settings_at(settings: ClientSettings, recorded: Any) -> ClientSettings:
    """The settings that reach where a resource recorded at ``recorded`` lives: its recorded region and
    endpoint where they differ from ``settings`` (or ``settings`` leave the region to an environment
    that has none), else ``settings`` themselves."""
    if not isinstance(recorded, dict):
        return settings
    keys = moved(recorded, location(settings))
    region = settings.region
    if recorded.get("region") and ("region" in keys or not region):
        region = recorded["region"]
    endpoint = (recorded.get("endpointUrl") or None) if "endpointUrl" in keys else settings.endpoint_url
    return replace(settings, region=region, endpoint_url=endpoint)


def resolved_region(recorded: str | None) -> str | None:
    """The region to record for a provider whose config leaves it to the environment: the
    environment's, else the one recorded before."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or recorded or None
