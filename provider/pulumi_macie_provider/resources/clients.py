"""The clients of the provider process: one per settings, made on first use and shared by its threads
(a client is never serialised: the dynamic provider's state holds none)."""

from __future__ import annotations

import threading
from typing import Any

from ..client import ClientSettings
from ..errors import ConfigurationError

_clients: dict[ClientSettings, Any] = {}
_clients_lock = threading.Lock()


def client_for(settings: ClientSettings) -> Any:
    """The shared client for ``settings``, made on first use (boto3 is imported only then)."""
    from botocore.exceptions import NoRegionError

    from ..client.factory import make_client

    with _clients_lock:
        client = _clients.get(settings)
        if client is None:
            try:
                client = make_client(settings)
            except NoRegionError:
                raise ConfigurationError(
                    "no AWS region: set it with `pulumi config set macie:region us-east-1` or AWS_REGION"
                ) from None
            _clients[settings] = client
        return client
