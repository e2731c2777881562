"""The main job: examples/basic through `pulumi up` against macie-local, then what the endpoint holds.

Run by scripts/demo.sh after setup. Everything it makes lives in .tools/demo (made afresh each run):
the endpoint's SQLite state, the stack's file backend and a copy of the example.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from macie_local.server import (
    DEFAULT_ACCESS_KEY,
    DEFAULT_SECRET_KEY,
    LocalEndpoint,
)
from pulumi_macie_provider.client import ClientSettings, make_client

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".tools" / "demo"
BUCKET = "corp-logs"


def pulumi(args: list[str], env: dict[str, str], cwd: Path, capture: bool = False) -> str:
    print(f"\n$ pulumi {' '.join(args)}", flush=True)
    result = subprocess.run(
        ["pulumi", *args, "--non-interactive"], cwd=cwd, env=env, text=True, capture_output=capture, check=False
    )
    if result.returncode != 0:
        if capture:
            print(result.stdout, result.stderr, file=sys.stderr)
        raise SystemExit(f"demo: pulumi {args[0]} failed (exit {result.returncode})")
    return result.stdout if capture else ""


def main() -> int:
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "backend").mkdir(parents=True)
    project = WORK / "basic"
    shutil.copytree(ROOT / "examples" / "basic", project)
    settings = project / "Pulumi.yaml"
    settings.write_text(settings.read_text().replace("virtualenv: ../../.venv", f"virtualenv: {sys.prefix}"))

    with LocalEndpoint(state=str(WORK / "macie-local.sqlite3"), buckets=[BUCKET]) as endpoint:
        print(f"macie-local listening on {endpoint.url} (bucket {BUCKET} created in its S3)")
        env = dict(
            os.environ,
            PULUMI_BACKEND_URL=(WORK / "backend").as_uri(),
            PULUMI_CONFIG_PASSPHRASE="demo-passphrase",
            AWS_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY,
            AWS_SECRET_ACCESS_KEY=DEFAULT_SECRET_KEY,
            AWS_REGION="us-east-1",
        )
        started = time.perf_counter()
        pulumi(["stack", "init", "demo"], env, project)
        pulumi(["config", "set", "macie:endpointUrl", endpoint.url], env, project)
        pulumi(["up", "--yes"], env, project)
        outputs = json.loads(pulumi(["stack", "output", "--json"], env, project, capture=True))
        print(json.dumps(outputs, indent=2))

        macie = make_client(
            ClientSettings(region="us-east-1", endpoint_url=endpoint.url),
            credentials={"aws_access_key_id": DEFAULT_ACCESS_KEY, "aws_secret_access_key": DEFAULT_SECRET_KEY},
        )
        print("\nWhat macie-local now holds:")
        members = [m["accountId"] for m in macie.list_member_accounts()["memberAccounts"]]
        print(f"  ListMemberAccounts: {', '.join(members)} (the first is the master)")
        for member in members:
            scope = {} if member == members[0] else {"memberAccountId": member}
            for item in macie.list_s3_resources(**scope)["s3Resources"]:
                where = f"{item['bucketName']}/{item.get('prefix', '')}"
                kind = item["classificationType"]
                print(
                    f"  ListS3Resources({member}): {where:<20} oneTime={kind['oneTime']} "
                    f"continuous={kind['continuous']}"
                )
        print(
            f"\nDone in {time.perf_counter() - started:.1f}s. The stack and the endpoint's state are in "
            f"{WORK.relative_to(ROOT)}."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
