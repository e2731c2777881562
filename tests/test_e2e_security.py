"""Credentials never reach the stack's state, the backend's files or the CLI's output."""

from __future__ import annotations

from pathlib import Path

import pytest

from macie_local.server import DEFAULT_SECRET_KEY, LocalEndpoint

from .e2e_support import example_stack, holdings, unique_bucket

pytestmark = pytest.mark.e2e

SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLE-session-token-e2e-9f8e7d6c5b4a"


def test_credentials_not_in_state_or_logs(tmp_path: Path) -> None:
    """With a key pair and session token in the environment, neither appears in the exported state,
    any file of the file backend, or anything the CLI printed (with verbose logs)."""
    with LocalEndpoint() as endpoint:
        stack = example_stack(tmp_path, "basic", endpoint, AWS_SESSION_TOKEN=SESSION_TOKEN)
        stack.config_set("bucket", unique_bucket())
        stack.up("--logtostderr", "-v=9")
        stack.refresh("--logtostderr", "-v=9")
        exported = stack.run("stack", "export", "--show-secrets").stdout
        assert "__provider" in exported and "memberAccountId" in exported
        texts = [exported, *stack.log]
        texts += [p.read_text(errors="replace") for p in (tmp_path / "backend").rglob("*") if p.is_file()]
        texts += [p.read_text(errors="replace") for p in stack.workdir.glob("Pulumi*.yaml")]
        for secret in (DEFAULT_SECRET_KEY, SESSION_TOKEN):
            assert not any(secret in text for text in texts)
        stack.destroy()
        assert holdings(endpoint) == {"members": [], "s3": []}
