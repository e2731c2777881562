"""The clients of the provider process: one per settings and keys, made on first use and shared by its
threads (a client is never serialised: the dynamic provider's state holds none).

Before a client is handed out for the first time, the account its credentials belong to is checked
against the settings' ``allowedAccountIds`` and ``forbiddenAccountIds`` (when either is set), so that a
provider pointed at the wrong account makes no call to Macie at all.
"""

from __future__ import annotations

import threading
from typing import Any

from ..client import ClientSettings
from ..client.settings import Credentials
from ..errors import ConfigurationError
from .api import api_call

_clients: dict[tuple[ClientSettings, tuple[tuple[str, object], ...]], Any] = {}
_clients_lock = threading.Lock()


def client_for(settings: ClientSettings, credentials: Credentials | None = None) -> Any:
    """The shared client for ``settings`` and static ``credentials``, made (and its account checked) on
    first use; boto3 is imported only then."""
    from botocore.exceptions import NoRegionError

    from ..client.factory import make_client

    key = (settings, tuple(sorted((credentials or {}).items())))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            try:
                client = make_client(settings, credentials=credentials)
            except NoRegionError:
                raise ConfigurationError(
                    "no AWS region: set it with `pulumi config set macie:region us-east-1` or AWS_REGION"
                ) from None
            check_account(settings, client)
            _clients[key] = client
        return client


def check_account(settings: ClientSettings, client: Any) -> None:
    """Refuse a client whose credentials belong to an account that the settings do not allow."""
    if not (settings.allowed_account_ids or settings.forbidden_account_ids):
        return
    from ..client.factory import caller_account

    with api_call("GetCallerIdentity", "the account of the provider's credentials"):
        account = caller_account(client)
    if settings.allowed_account_ids and account not in settings.allowed_account_ids:
        raise ConfigurationError(
            f"allowedAccountIds: the provider's credentials belong to account {account}, which is not one of "
            f"{', '.join(settings.allowed_account_ids)}; nothing was done in it"
        )
    if account in settings.forbidden_account_ids:
        raise ConfigurationError(
            f"forbiddenAccountIds: the provider's credentials belong to account {account}, which is forbidden; "
            "nothing was done in it"
        )
