"""Fixtures: an in-process macie-local on 127.0.0.1 with throwaway state, and clients for it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from macie_local.backend import Account
from macie_local.server import (
    DEFAULT_ACCESS_KEY,
    DEFAULT_ACCOUNT,
    DEFAULT_SECRET_KEY,
    LocalEndpoint,
)
from pulumi_macie_provider.client import ClientSettings, make_client, make_session

from .e2e_support import Scenario, example_stack, holdings, unique_bucket

DEFAULT_CREDENTIALS = {
    "aws_access_key_id": DEFAULT_ACCESS_KEY,
    "aws_secret_access_key": DEFAULT_SECRET_KEY,
}
#: A second master and an account whose Macie is disabled, known to the test endpoint.
OTHER = Account("AKIAOTHERMASTER00001", "other-secret-key-0000000000000000000000", "210987654321")
DISABLED = Account("AKIADISABLED00000001", "disabled-secret-0000000000000000000000", "333344445555", False)
MEMBER = Account("AKIAMEMBERKEY0000001", "member-secret-00000000000000000000000", "111122223333")


def credentials_of(account: Account) -> dict[str, str]:
    return {"aws_access_key_id": account.access_key, "aws_secret_access_key": account.secret_key}


@pytest.fixture(scope="session", autouse=True)
def current_event_loop() -> asyncio.AbstractEventLoop:
    """An event loop, current in the main thread from the first test on.

    Pulumi's mocks make asyncio futures outside a running loop (``set_mocks`` builds the root stack
    resource; a resource's constructor makes its outputs), which take the current loop: since Python
    3.12 asyncio warns when there is none (3.14 raises). The loop stays open to the end of the process,
    as the loop asyncio used to make on demand did: Pulumi's mock monitor answers on the threads of its
    default executor, each with a loop of its own that Pulumi never closes, and closing this loop would
    end those threads and leave their loops to be collected unclosed.
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return loop


@pytest.fixture
def endpoint() -> Iterator[LocalEndpoint]:
    """A fresh endpoint with in-memory state, stopped after the test."""
    with LocalEndpoint(accounts=[DEFAULT_ACCOUNT, OTHER, DISABLED, MEMBER]) as running:
        yield running


@pytest.fixture
def client_for(endpoint: LocalEndpoint) -> Callable[..., Any]:
    """Build a macie client for an account of the endpoint (retries off unless asked)."""

    def build(account: Account = DEFAULT_ACCOUNT, max_attempts: int = 1, region: str = "us-east-1") -> Any:
        settings = ClientSettings(region=region, endpoint_url=endpoint.url, max_attempts=max_attempts)
        return make_client(settings, credentials=credentials_of(account))

    return build


@pytest.fixture
def macie(client_for: Callable[..., Any]) -> Any:
    return client_for()


@pytest.fixture
def s3(endpoint: LocalEndpoint) -> Any:
    session = make_session(credentials=DEFAULT_CREDENTIALS)
    return session.client("s3", endpoint_url=endpoint.url, region_name="us-east-1")


@pytest.fixture
def bucket(s3: Any) -> Callable[[], str]:
    """Create a bucket with a unique name through the endpoint's S3 API and return the name."""

    def create() -> str:
        name = f"test-{uuid.uuid4().hex[:20]}"
        s3.create_bucket(Bucket=name)
        return name

    return create


FULL = {"oneTime": "FULL", "continuous": "FULL"}
NONE = {"oneTime": "NONE", "continuous": "FULL"}


@pytest.fixture
def scenario(tmp_path: Path) -> Iterator[Scenario]:
    """examples/basic as a fresh stack against a fresh endpoint; ends by destroying it and checking that
    nothing is left, in Macie or in the state."""
    with LocalEndpoint() as endpoint:
        bucket = unique_bucket()
        stack = example_stack(tmp_path, "basic", endpoint)
        stack.config_set("bucket", bucket)
        yield Scenario(endpoint, stack, bucket)
        stack.destroy()
        assert holdings(endpoint) == {"members": [], "s3": []}
        assert stack.dynamic_resources() == []
