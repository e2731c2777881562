"""The command line of ``pulumi-macie-import``: its arguments, where Macie is, and which command runs.

The manual is the package's docstring (``pulumi_macie_provider.importer``); its first line is the
``--help`` description.
"""

from __future__ import annotations

import argparse
import io
import sys
from typing import Any

from .. import help_description
from ..client import ClientSettings
from ..errors import MacieError
from ..resources.config import config_values
from . import __doc__ as manual  # the package's docstring: the manual, whose first line --help shows
from .adopt import adopt
from .pending import recover_pending_creates
from .rebuild import rebuild
from .stack import Pulumi, split_passthrough, stack_config, where_from_values


class UsageError(Exception):
    """A flag or a stack setting that cannot be used; the message names it and the rule."""


def settings_for(args: argparse.Namespace, config: dict[str, Any]) -> ClientSettings:
    """Where Macie is: the flags, else the stack's config, else the AWS environment."""
    values = config_values(config.get)
    flags = {"region": args.region, "endpointUrl": args.endpoint_url, "profile": args.profile}
    values.update({key: value for key, value in flags.items() if value is not None})
    settings, failures = where_from_values(values)
    if failures:
        flag_names = {"region": "--region", "endpointUrl": "--endpoint-url", "profile": "--profile"}
        named = []
        for key, reason in failures:
            short = key.removeprefix("macie:")
            source = flag_names[short] if flags.get(short) is not None else f"macie:{short} (stack config)"
            named.append(f"{source}: {reason}")
        raise UsageError("; ".join(named))
    return settings


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    argv, passthrough = split_passthrough(argv)
    parser = argparse.ArgumentParser(
        prog="pulumi-macie-import",
        description=help_description(manual),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("triples", nargs="*", metavar="TYPE NAME ID")
    parser.add_argument(
        "--pending-creates",
        action="store_true",
        help="resolve the stack's pending creates: clear them, import those Macie holds",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="replace a checkpoint that cannot be read by an empty state, then import what the program "
        "declares and Macie holds",
    )
    parser.add_argument("--file", default="macie-import.json", help="import file to write (default %(default)s)")
    parser.add_argument("--run", action="store_true", help="run `pulumi import --file` afterwards")
    parser.add_argument("--region", default=None, help="default: macie:region of the stack, then AWS_REGION")
    parser.add_argument("--endpoint-url", default=None, help="default: macie:endpointUrl of the stack")
    parser.add_argument("--profile", default=None, help="default: macie:profile of the stack, then AWS_PROFILE")
    args = parser.parse_args(argv)
    if args.pending_creates and args.rebuild:
        parser.error("--pending-creates and --rebuild are two steps: run one, then the other")
    if (args.pending_creates or args.rebuild) and args.triples:
        parser.error("TYPE NAME ID triples are not taken with --pending-creates or --rebuild")
    if not args.pending_creates and not args.rebuild and not args.triples:
        parser.error("give TYPE NAME ID triples, or --pending-creates, or --rebuild")
    if len(args.triples) % 3:
        parser.error("resources are given as TYPE NAME ID triples")
    return args, passthrough


def main(argv: list[str] | None = None) -> int:
    args, passthrough = parse(list(sys.argv[1:] if argv is None else argv))
    pulumi = Pulumi(passthrough)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # in order with the output of the pulumi commands it runs

    def settings() -> ClientSettings:
        return settings_for(args, stack_config(pulumi))

    try:
        if args.pending_creates:
            return recover_pending_creates(pulumi, settings, args.file)
        if args.rebuild:
            return rebuild(pulumi, settings, args.file)
        triples = [args.triples[i : i + 3] for i in range(0, len(args.triples), 3)]
        return adopt(pulumi, settings(), triples, args.file, args.run)
    except UsageError as error:
        print(f"pulumi-macie-import: {error}", file=sys.stderr)
        return 2
    except MacieError as error:
        print(f"pulumi-macie-import: {error}", file=sys.stderr)
        return 1
