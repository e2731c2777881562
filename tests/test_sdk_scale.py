"""Programs of thousands of resources construct under Pulumi's mocks, on both SDKs.

Pulumi's Python SDK serialises a dynamic resource's provider on every construction with a function that
wraps pickle's item-saving method once more each time: past about 970 dynamic resources a program failed
with RecursionError. The dynamic SDK serialises each provider class once (``_utilities.register_dynamic``).
Each program runs in a fresh interpreter, as a Pulumi program does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

PROGRAM = textwrap.dedent(
    """
    import asyncio, json, sys
    import pulumi

    count, sdk = int(sys.argv[1]), sys.argv[2]
    registered = []

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            registered.append(args)
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args):
            return {}, []

    pulumi.runtime.set_mocks(Mocks(), preview=False)
    if sdk == "dynamic":
        from pulumi_macie import MacieS3Resource
    else:
        from pulumi_macie_native import MacieS3Resource
    resources = [MacieS3Resource(f"r{i}", bucket_name=f"b-{i}", prefix=f"p{i}/") for i in range(count)]
    ids = asyncio.get_event_loop().run_until_complete(
        asyncio.gather(*(resource.id.future() for resource in resources))
    )
    providers = {json.dumps(args.inputs.get("__provider"), sort_keys=True) for args in registered}
    print(json.dumps({"registered": len(registered), "ids": len(set(ids)), "providers": len(providers),
                      "types": sorted({args.typ for args in registered})}))
    """
)


@pytest.mark.parametrize("sdk", ["dynamic", "native"])
def test_three_thousand_resources_construct_under_mocks(sdk: str) -> None:
    count = 3000
    run = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(count), sdk], capture_output=True, text=True, timeout=600, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["registered"] == count and seen["ids"] == count
    # The same provider, serialised once, in every dynamic resource; none in a native one.
    assert seen["providers"] == 1
    expected = "pulumi-python:dynamic/macie:MacieS3Resource" if sdk == "dynamic" else "macie:index:MacieS3Resource"
    assert seen["types"] == [expected]
