"""The engine's signature of a secret value: the one place this project reads a private name of Pulumi.

The engine marks a secret with an object whose key ``4dabf18193072939515e22adb298388d`` holds
``1b47061264138c4ac30d75fd1eb44270``: beside ``value`` on the gRPC wire, beside ``ciphertext`` in a
stack's state, beside ``plaintext`` in an import file or ``pulumi stack export --show-secrets``. The pair
is fixed by the engine (``sdk/go/common/resource/sig`` in pulumi/pulumi) and written into every state,
so it cannot change without breaking them all.

Pulumi's Python SDK names the pair only privately, in ``pulumi.runtime.rpc``: ``_special_sig_key`` and
``_special_secret_sig``. Its public helpers (``is_rpc_secret``, ``wrap_rpc_secret``,
``unwrap_rpc_secret``) know only the gRPC form with ``value``, not the state's and the import file's, so
the native plugin (secrets in Configure's arguments) and the importer (secrets in an import file and an
exported state) need the pair itself. Both take it from here; ``tests/test_wire.py`` fails at once if
Pulumi renames these names or changes their values.
"""

from __future__ import annotations

from pulumi.runtime import rpc

#: How the engine marks a secret value: (signature key, the value that says "secret").
SECRET_SIG: tuple[str, str] = (rpc._special_sig_key, rpc._special_secret_sig)
