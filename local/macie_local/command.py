"""The ``macie-local`` command: checks that the endpoint's extra is installed, then runs the server.

``pip install pulumi-macie`` installs the command but not what the endpoint runs on (moto's S3,
cheroot, itsdangerous); those come with the ``local`` extra. Without them the command says, in one
line, what to install, rather than failing with a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

#: The top-level modules of the ``local`` extra's distributions (and of what they bring).
EXTRA_MODULES = frozenset(
    {"moto", "cheroot", "itsdangerous", "flask", "flask_cors", "werkzeug", "yaml", "py_partiql_parser"}
)
INSTALL_HINT = "pip install 'pulumi-macie[local]'"


def main(argv: Sequence[str] | None = None) -> int:
    try:
        # moto's S3 server, loaded at start in any case. moto only warns when Flask is missing: ask first.
        import flask  # noqa: F401
        import flask_cors  # noqa: F401
        import moto.moto_server.werkzeug_app
        import moto.s3.models  # noqa: F401

        from .server import main as serve  # the endpoint: cheroot, itsdangerous
    except ModuleNotFoundError as error:
        missing = (error.name or "").partition(".")[0]
        if missing not in EXTRA_MODULES:
            raise
        print(
            f"macie-local: {missing} is not installed; the endpoint needs the 'local' extra: {INSTALL_HINT}",
            file=sys.stderr,
        )
        return 1
    return serve(argv)
