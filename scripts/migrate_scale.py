"""Move a large dynamic stack to the native plugin with pulumi-macie-migrate, counting Macie's calls.

    python scripts/migrate_scale.py [--count 198]

Builds tests/test_e2e_migrate.py's program (2 member accounts and COUNT S3 resources: two protected,
a dependency chain, two under a component) as a dynamic stack against macie-local, then runs
``pulumi-macie-migrate --write-program`` and, after it, ``preview --expect-no-changes``, ``refresh``,
``up`` and ``destroy`` through the native plugin. Prints each step's wall time and the Macie calls
each made, by action; fails if the move made any write.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from macie_local.server import LocalEndpoint
from tests.e2e_support import WRITE_ACTIONS, both_hosts_stack, calls, holdings
from tests.test_e2e_migrate import DYNAMIC, migrate


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--count", type=int, default=198, help="S3 resources (plus 2 members)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, LocalEndpoint() as endpoint:
        stack, _ = both_hosts_stack(Path(folder), DYNAMIC, endpoint)
        stack.config_set("count", str(args.count))
        last = dict(calls(endpoint))

        def step(name: str, run: object) -> None:
            nonlocal last
            start = time.monotonic()
            result = run() if callable(run) else None
            took = time.monotonic() - start
            now = calls(endpoint)
            made = {action: now[action] - last.get(action, 0) for action in now if now[action] != last.get(action, 0)}
            last = dict(now)
            print(f"{name}: {took:.1f}s, calls {dict(sorted(made.items()))}", flush=True)
            returncode = getattr(result, "returncode", 0)
            if returncode:
                print(getattr(result, "stdout", ""), getattr(result, "stderr", ""))
                raise SystemExit(f"{name} failed")
            if name.startswith("pulumi-macie-migrate") and any(made.get(action) for action in WRITE_ACTIONS):
                raise SystemExit(f"{name} wrote to Macie: {made}")

        step("dynamic up", stack.up)
        held = holdings(endpoint)
        print(f"Macie holds {len(held['members'])} members and {len(held['s3'])} S3 resources", flush=True)
        step("pulumi-macie-migrate --dry-run", lambda: migrate(stack, "--dry-run"))
        step("pulumi-macie-migrate --write-program", lambda: migrate(stack, "--write-program"))
        types = {r["type"] for r in stack.resources()}
        print(f"types after: {sorted(types)}")
        assert holdings(endpoint) == held
        step("pulumi-macie-migrate (again)", lambda: migrate(stack))
        step("preview --expect-no-changes", lambda: stack.preview("--expect-no-changes"))
        step("refresh", stack.refresh)
        step("up", stack.up)
        stack.run("state", "unprotect", "--all", "--yes")
        step("destroy", stack.destroy)
        assert holdings(endpoint) == {"members": [], "s3": []}
    return 0


if __name__ == "__main__":
    sys.exit(main())
