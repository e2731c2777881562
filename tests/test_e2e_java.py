"""End to end in Java: the real CLI runs examples/java (``runtime: java``) through Pulumi's own Java
language host (pulumi-language-java, which builds and runs it with ``mvn compile exec:java``) and the
Java SDK (com.pulumi:macie, from .tools/maven) on the native plugin, against macie-local."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from macie_local.server import LocalEndpoint

from .e2e_support import (
    MASTER,
    example_stack,
    holdings,
    native_plugin_tarball,
    no_change_preview_then_update_in_place,
    unique_bucket,
)
from .java_support import JAVA_BIN, maven_env, offline, require_setup
from .pulumi_harness import pulumi_binary

pytestmark = pytest.mark.e2e

MEMBER = "111122223333"
TYPES = {"macie:index:MacieMemberAccount", "macie:index:MacieS3Resource"}


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_setup()
    return native_plugin_tarball(tmp_path_factory.mktemp("plugin"))


def test_java_program_lifecycle(tmp_path: Path, plugin: Path) -> None:
    """up → no-change preview making no Macie call → in-place update → destroy leaving the endpoint and
    the state empty, all through the official Java host and the Java SDK. (Each `pulumi` command runs
    Maven twice, a few seconds each: the steps are the ones only Java can break; the YAML and Python
    tests drive the native plugin through the rest.)"""
    path = os.pathsep.join(
        [str(JAVA_BIN), os.path.dirname(pulumi_binary()), os.path.dirname(sys.executable), os.environ["PATH"]]
    )
    with LocalEndpoint() as endpoint:
        bucket = unique_bucket()
        stack = example_stack(tmp_path, "java", endpoint, plugin=plugin, PATH=path, **maven_env())
        offline(stack.workdir)
        stack.config_set("bucket", bucket)

        up = stack.up()
        assert "macie:index:MacieS3Resource" in up.stdout
        assert holdings(endpoint) == {
            "members": [MEMBER],
            "s3": sorted([(MASTER, bucket, "", "FULL", "FULL"), (MEMBER, bucket, "2024/", "NONE", "FULL")]),
        }
        assert {r["type"] for r in stack.resources() if not r["type"].startswith("pulumi:")} == TYPES
        assert stack.outputs() == {
            "memberAccountId": MEMBER,
            "masterLogsId": bucket,
            "memberLogsId": f"{MEMBER}:{bucket}/2024/",
            "memberLogsClassification": {"oneTime": "NONE", "continuous": "FULL"},
        }

        no_change_preview_then_update_in_place(stack, endpoint, bucket)

        stack.destroy()
        assert holdings(endpoint) == {"members": [], "s3": []}
        assert [r["type"] for r in stack.resources() if r["type"] in TYPES] == []
