"""Programs of thousands of resources construct under Pulumi's mocks, on both SDKs.

Pulumi's Python SDK serialises a dynamic resource's provider on every construction with a function that
wraps pickle's item-saving method once more each time: past about 970 dynamic resources a program failed
with RecursionError. The dynamic SDK serialises each provider class once (``_utilities.register_dynamic``).
Each program (``tests/mock_program.py``) runs in a fresh interpreter, as a Pulumi program does. Its time
is ``scripts/mock_scale.py``'s to measure, not this test's.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .mock_program import PROGRAM


@pytest.mark.parametrize("sdk", ["dynamic", "native"])
def test_three_thousand_resources_construct_under_mocks(sdk: str) -> None:
    """3,000 MacieS3Resources register under mocks, each with its own ID, the dynamic ones sharing one provider."""
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
