"""Build boto3 clients for service ``macie`` from the service model shipped in this package.

Current botocore releases no longer ship the Macie Classic model. ``register_model`` adds this
package's ``data`` folder (laid out as botocore's ``<service>/<api-version>/service-2.json``) to a
session's loader search path, so ``session.client("macie")`` works on any current boto3. Everything in
the project that talks to Macie builds its client through ``make_client``.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

import botocore.session
from botocore.config import Config
from botocore.loaders import Loader

if TYPE_CHECKING:
    import boto3

from . import DATA_PATH
from .deadline import bound_by_deadline, retry_config
from .settings import ClientSettings, Credentials
from .sts import role_credentials, sts_client


def botocore_session(session: boto3.Session | botocore.session.Session) -> botocore.session.Session:
    """The botocore session under ``session`` (itself, for a botocore session).

    boto3 offers no public way to reach the botocore session a ``boto3.Session`` wraps, and the model
    must be added to that session's loader. This is the one place the project reads a private
    attribute of boto3 (``Session._session``); ``tests/test_client_serialization.py`` fails loudly if
    boto3 changes it.
    """
    if isinstance(session, botocore.session.Session):
        return session
    core = session._session
    if not isinstance(core, botocore.session.Session):
        raise TypeError(f"boto3.Session no longer keeps its botocore session in _session (found {type(core)!r})")
    return core


def register_model(session: boto3.Session | botocore.session.Session) -> None:
    """Make ``macie`` known to ``session`` (a boto3 or botocore session); idempotent."""
    loader = botocore_session(session).get_component("data_loader")
    if DATA_PATH not in loader.search_paths:
        loader.search_paths.insert(0, DATA_PATH)


_session_lock = threading.Lock()


def make_session(
    profile: str | None = None,
    credentials: Credentials | None = None,
) -> boto3.Session:
    """A boto3 session that knows ``macie``.

    ``credentials`` (``aws_access_key_id``, ``aws_secret_access_key``, optional
    ``aws_session_token``) are used when given; otherwise the profile or the standard credential chain.
    """
    import boto3

    with _session_lock:
        session = boto3.Session(profile_name=profile, **(credentials or {}))
        register_model(session)
    return session


class _MacieLoader(Loader):
    """A loader for sessions that build ``macie`` clients, and the ``sts`` clients their credentials may
    need (a profile with ``role_arn`` assumes its role through the same session).

    botocore checks that a service exists by listing every service folder it ships (twice per client,
    some 25 ms); a session made here knows those two services and the data they need: Macie's model and
    paginators (this package's), STS's model and endpoint rule set (botocore's). For anything else
    botocore hears "unknown", as it would."""

    KNOWN: ClassVar[dict[str, list[str]]] = {
        "service-2": ["macie", "sts"],
        "paginators-1": ["macie"],
        "endpoint-rule-set-1": ["sts"],
    }

    def list_available_services(self, type_name: str) -> list[str]:
        return self.KNOWN.get(type_name, [])


def _macie_session(profile: str | None) -> botocore.session.Session:
    session = botocore.session.Session(profile=profile)
    loader = _MacieLoader()
    loader.search_paths.insert(0, DATA_PATH)
    session.register_component("data_loader", loader)
    return session


def make_client(
    settings: ClientSettings | None = None,
    *,
    credentials: Credentials | None = None,
    session: boto3.Session | botocore.session.Session | None = None,
) -> Any:
    """Build a ``macie`` client. Every caller in the project goes through here.

    Without a ``session`` it uses a botocore session of its own (boto3 is not imported), with the
    profile or the standard credential chain, or ``credentials`` when given. Its calls honour the
    time limit set with ``deadline.time_limit``.
    """
    settings = settings or ClientSettings()
    settings.validate()
    config = Config(
        retries=retry_config(settings),
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        **settings.extra,
    )
    keys = Credentials(**(credentials or {}))
    resolver = None
    with _session_lock:
        if session is None:
            core = _macie_session(settings.profile)
        elif settings.assume_role is not None:
            raise TypeError(
                "make_client: assume a role with settings.assume_role on a session of its own, not a caller's"
            )
        else:
            register_model(session)
            core = botocore_session(session)
        if settings.assume_role is not None:
            # The client signs with the role's credentials, assumed with the given keys or the chain's.
            resolver = role_credentials(settings, keys)
            core.register_component("credential_provider", resolver)
            keys = Credentials()
        client = core.create_client(
            "macie",
            region_name=settings.region,
            endpoint_url=settings.endpoint_url,
            config=config,
            **keys,
        )
    bound_by_deadline(client, settings.max_attempts)
    _MADE[client] = _Made(settings, keys, resolver, None if session is None else core)
    return client


class _Made(NamedTuple):
    settings: ClientSettings
    keys: Credentials
    resolver: Any
    core: Any


#: How each client that ``make_client`` made was made, so that a client for STS can reach the same
#: account the same way (``caller_account``).
_MADE: weakref.WeakKeyDictionary[Any, _Made] = weakref.WeakKeyDictionary()


def caller_account(client: Any) -> str:
    """The ID of the account whose credentials ``client`` (made by ``make_client``) signs with: STS
    GetCallerIdentity, asked the same way (``sts.sts_client``). Raises botocore's errors."""
    made = _MADE[client]
    with _session_lock:
        sts = sts_client(made.settings, made.keys, made.resolver, client.meta.region_name, made.core)
    account: str = sts.get_caller_identity()["Account"]
    return account
