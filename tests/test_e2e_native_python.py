"""End to end: examples/python-native (the native plugin's Python SDK) through the real CLI, whose
Python language host is this project's, against macie-local; the endpoint is checked after each step."""

from __future__ import annotations

from pathlib import Path

import pytest

from macie_local.server import LocalEndpoint

from .e2e_support import MASTER, calls, example_stack, holdings, native_plugin_tarball, unique_bucket, writes

pytestmark = pytest.mark.e2e

MEMBER = "111122223333"


def test_python_native_example_up_preview_destroy(tmp_path: Path) -> None:
    """up creates macie:index:* resources; a no-change preview makes no call; destroy empties the endpoint."""
    with LocalEndpoint() as endpoint:
        bucket = unique_bucket()
        stack = example_stack(tmp_path, "python-native", endpoint, plugin=native_plugin_tarball(tmp_path / "plugin"))
        stack.config_set("bucket", bucket)

        assert "+ 4 to create" in stack.preview().stdout
        assert writes(endpoint) == 0
        stack.up()
        assert holdings(endpoint) == {
            "members": [MEMBER],
            "s3": sorted([(MASTER, bucket, "", "FULL", "FULL"), (MEMBER, bucket, "2024/", "NONE", "FULL")]),
        }
        types = sorted(r["type"] for r in stack.resources() if r.get("custom"))
        assert types == [
            "macie:index:MacieMemberAccount",
            "macie:index:MacieS3Resource",
            "macie:index:MacieS3Resource",
            "pulumi:providers:macie",
        ]
        outputs = stack.outputs()
        assert outputs["memberLogsId"] == f"{MEMBER}:{bucket}/2024/"
        assert outputs["memberLogsClassification"] == {"oneTime": "NONE", "continuous": "FULL"}

        before = calls(endpoint)
        stack.preview("--expect-no-changes")
        assert calls(endpoint) == before

        stack.destroy()
        assert holdings(endpoint) == {"members": [], "s3": []}
        assert [r for r in stack.resources() if r.get("custom")] == []
