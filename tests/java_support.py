"""What the Java tests share: Pulumi's Java language host and the project's Maven repository, both made
by scripts/setup_java.sh (which scripts/setup.sh runs), and how to run Maven on them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .pulumi_harness import ROOT

JAVA_BIN = ROOT / ".tools" / "java" / "bin"
JAVA_HOST = JAVA_BIN / "pulumi-language-java"
MAVEN_REPO = ROOT / ".tools" / "maven"
SDK = ROOT / "sdk" / "java"
EXAMPLE = ROOT / "examples" / "java"
SETUP = "scripts/setup.sh (scripts/setup_java.sh)"


def sdk_version() -> str:
    """The Java SDK's version, from its generated resource ``version.txt``."""
    return (SDK / "src" / "main" / "resources" / "com" / "pulumi" / "macie" / "version.txt").read_text().strip()


def require_setup() -> None:
    """Fail, saying how to fix it, unless the host, Maven and the installed SDK are there."""
    if not JAVA_HOST.is_file():
        pytest.fail(f"{JAVA_HOST.relative_to(ROOT)} is not built: run {SETUP}")
    if shutil.which("mvn") is None or shutil.which("java") is None:
        pytest.fail("`mvn` and `java` (17) are needed on PATH for the Java SDK")
    version = sdk_version()
    jar = MAVEN_REPO / "com" / "pulumi" / "macie" / version / f"macie-{version}.jar"
    if not jar.is_file():
        pytest.fail(f"com.pulumi:macie:{version} is not in .tools/maven: run {SETUP}")


def offline(project: Path) -> None:
    """Make Maven in ``project`` work offline (``.mvn/maven.config``): what the tests build with must
    already be in .tools/maven, as setup left it."""
    (project / ".mvn").mkdir(exist_ok=True)
    (project / ".mvn" / "maven.config").write_text("--offline\n")


#: Maven's own JVM lives a few seconds per run (the Java host runs `mvn` twice per preview or update):
#: the quick JIT and the simple collector save about a third of that on two cores.
QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def maven_env() -> dict[str, str]:
    """The environment setup's .tools/env.sh gives Maven (the project's repository in MAVEN_OPTS), with
    QUICK_JVM."""
    opts = f"{os.environ.get('MAVEN_OPTS', '')} -Dmaven.repo.local={MAVEN_REPO} {QUICK_JVM}".strip()
    return {"MAVEN_OPTS": opts}


def mvn(args: list[str], cwd: Path, timeout: int = 600) -> str:
    """Run ``mvn ARGS`` (batch mode, offline, on .tools/maven) in ``cwd``; its output, or a failure."""
    command = ["mvn", "--batch-mode", "--no-transfer-progress", "--offline", *args]
    result = subprocess.run(
        command, cwd=cwd, env={**os.environ, **maven_env()}, capture_output=True, text=True, timeout=timeout
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(command)} in {cwd} failed:\n{output}"
    return output
