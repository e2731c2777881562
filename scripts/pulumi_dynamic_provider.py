"""Pulumi's Python dynamic-provider host (``python -m pulumi.dynamic``), ended with its engine.

The engine runs Python dynamic providers through ``pulumi-resource-pulumi-python``; the SDK's own shim
starts ``python -u -m pulumi.dynamic ENGINE_ADDRESS`` as a child of ``/bin/sh`` and that server runs
until it is killed, so a killed CLI leaves it (and the shell) behind. ``scripts/setup.sh`` installs a
shim that chooses the interpreter as the SDK's does and ``exec``s this script with it, which serves
exactly as ``python -m pulumi.dynamic`` does (same module, same arguments, the program's folder first
on ``sys.path`` so that providers pickled by reference import as they were written) and exits once
the engine that started it no longer answers (``pulumi_macie_provider.hosts.engine_health``).

Usage (as the shim runs it): python -u pulumi_dynamic_provider.py ENGINE_ADDRESS
"""

from __future__ import annotations

import os
import runpy
import sys


def main() -> None:
    # Pulumi first: where it is loaded, this project's package puts 0.1.0's pickled class paths in place
    # when it is imported (see pulumi_macie_provider.dynamic_entry), as the dynamic-provider server needs.
    import pulumi  # noqa: F401

    try:
        from pulumi_macie_provider.hosts.engine_health import exit_with_engine
    except ImportError:  # a program without this package: served as the SDK serves it, without the check
        pass
    else:
        exit_with_engine(sys.argv[1] if len(sys.argv) > 1 else None)
    # As under `python -m`: the working folder (the program's), not this script's, leads sys.path.
    sys.path[0] = os.getcwd()
    sys.argv = ["pulumi.dynamic", *sys.argv[1:]]
    runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
