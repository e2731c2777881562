"""Where a provider's resources live (a region and an endpoint), how that is recorded, and what a move means.

Both hosts record it: the native plugin in its provider's inputs (``region``, ``endpointUrl``), the
dynamic provider in each resource's outputs (it has no provider state of its own). The rules:

- a change of region or endpoint replaces the resources: they are deleted where they live and created
  where the configuration now points (as pulumi-aws's ``region``);
- a region left to the environment is resolved and recorded, so that the state says where its
  resources live; a run whose environment has no region keeps the recorded one (it does not move them);
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


def location(settings: ClientSettings) -> dict[str, str]:
    """Where ``settings`` reach Macie, as recorded: the region, and the endpoint without any user or
    password, query or fragment in its URL."""
    endpoint = ""
    if settings.endpoint_url:
        parts = urlsplit(settings.endpoint_url)
        port = f":{parts.port}" if parts.port else ""
        host = parts.hostname or ""
        netloc = (f"[{host}]" if ":" in host else host) + port
        endpoint = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return {"region": settings.region or "", "endpointUrl": endpoint}


def moved(recorded: dict[str, Any], here: dict[str, str]) -> list[str]:
    """Which of ``LOCATION_KEYS`` differ between a recorded location and the config's. A region that
    either side leaves to the environment does not count as a move."""
    keys = []
    if here["region"] and recorded.get("region") and here["region"] != recorded["region"]:
        keys.append("region")
    if (recorded.get("endpointUrl") or "") != here["endpointUrl"]:
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


def replaced_by(changes: list[str]) -> list[str]:
    """Of the provider settings that change, those that replace its resources."""
    return [key for key in changes if key in LOCATION_KEYS]
