"""The engine's secret signature, the one private name of Pulumi the project reads, is where and what it was."""

from __future__ import annotations

from pulumi.runtime import rpc

from pulumi_macie_provider.hosts.wire import SECRET_SIG


def test_secret_sig_is_pulumis_pair_with_the_engines_values() -> None:
    """SECRET_SIG is pulumi.runtime.rpc's ``_special_sig_key`` and ``_special_secret_sig``, with the values
    every stack's state holds: Pulumi renaming or changing them fails here, not in a user's stack."""
    assert hasattr(rpc, "_special_sig_key"), "pulumi.runtime.rpc no longer has _special_sig_key"
    assert hasattr(rpc, "_special_secret_sig"), "pulumi.runtime.rpc no longer has _special_secret_sig"
    assert (rpc._special_sig_key, rpc._special_secret_sig) == SECRET_SIG
    assert SECRET_SIG == ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")


def test_secret_sig_marks_what_pulumis_public_helpers_call_a_secret() -> None:
    """A value wrapped with SECRET_SIG is a secret to Pulumi's public ``is_rpc_secret``, and its
    ``wrap_rpc_secret`` wraps with the same pair."""
    assert rpc.is_rpc_secret({SECRET_SIG[0]: SECRET_SIG[1], "value": "x"})
    assert rpc.wrap_rpc_secret("x") == {SECRET_SIG[0]: SECRET_SIG[1], "value": "x"}
