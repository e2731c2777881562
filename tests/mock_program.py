"""The program of N MacieS3Resources under Pulumi's mocks, shared by tests/test_sdk_scale.py and scripts/mock_scale.py.

Run as ``python -c PROGRAM N SDK [nogc]`` in a fresh interpreter, as a Pulumi program runs (``nogc``:
with Python's garbage collector off, to measure the program's own work): SDK is ``dynamic``
(``pulumi_macie``), ``native`` (``pulumi_macie_native``) or ``floor``, a bare ``pulumi.CustomResource``
with the native SDK's type and inputs (what Pulumi itself costs). It prints one JSON line: how many
resources the mocks registered, how many distinct IDs came back, how many distinct ``__provider`` values
they carried and which types.
"""

from __future__ import annotations

import textwrap

SDKS = ("dynamic", "native", "floor")

PROGRAM = textwrap.dedent(
    """
    import asyncio, gc, json, sys
    import pulumi

    count, sdk = int(sys.argv[1]), sys.argv[2]
    if sys.argv[3:] == ["nogc"]:
        gc.disable()
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
    elif sdk == "native":
        from pulumi_macie_native import MacieS3Resource
    else:
        class MacieS3Resource(pulumi.CustomResource):
            def __init__(self, name, bucket_name, prefix):
                props = {"bucketName": bucket_name, "classificationType": None, "memberAccountId": None,
                         "prefix": prefix}
                super().__init__("macie:index:MacieS3Resource", name, props)
    resources = [MacieS3Resource(f"r{i}", bucket_name=f"b-{i}", prefix=f"p{i}/") for i in range(count)]
    ids = asyncio.get_event_loop().run_until_complete(
        asyncio.gather(*(resource.id.future() for resource in resources))
    )
    providers = {json.dumps(args.inputs.get("__provider"), sort_keys=True) for args in registered}
    print(json.dumps({"registered": len(registered), "ids": len(set(ids)), "providers": len(providers),
                      "types": sorted({args.typ for args in registered})}))
    """
)
