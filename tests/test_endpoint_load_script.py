"""scripts/load.py's own options: another build of the endpoint, and each server's CPU per request."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_load_script_starts_the_given_endpoint_and_reports_server_cpu(tmp_path: Path) -> None:
    """--macie-local's command is what serves the run, and every row carries the server's CPU per request."""
    marker = tmp_path / "started"
    command = f'sh -c \'touch {shlex.quote(str(marker))}; exec "$0" -m macie_local "$@"\' {sys.executable}'
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "load.py"),
            "--clients",
            "1",
            "--requests",
            "20",
            "--macie-local",
            command,
            "--json",
            str(tmp_path / "load.json"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert marker.exists()
    rows = json.loads((tmp_path / "load.json").read_text())["rows"]
    assert [(row["server"], row["action"]) for row in rows] == [
        ("macie-local", "read"),
        ("moto", "read"),
        ("macie-local", "write"),
        ("moto", "write"),
    ]
    assert all(isinstance(row["server_cpu_ms"], float) and row["server_cpu_ms"] >= 0 for row in rows)
    assert result.stdout.splitlines()[0].endswith("server CPU ms/req")
