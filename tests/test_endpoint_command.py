"""The ``macie-local`` command's flags: every bad value is a one-line usage error naming the flag and the rule."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from macie_local.backend import Limits
from macie_local.server import main

#: The flags whose rates must add up to at most 1, as the error names them.
RATES = "arguments --throttle-rate, --error-rate, --drop-rate, --lose-rate:"

BAD_FLAGS = [
    (["--host", ""], "argument --host: the address to listen on must not be empty"),
    (["--port", "99999"], "argument --port: '99999' is not a whole number from 0 to 65535 (0 picks a free port)"),
    (["--port", "-1"], "argument --port: '-1' is not a whole number from 0 to 65535"),
    (["--port", "http"], "argument --port: 'http' is not a whole number from 0 to 65535"),
    (["--state", ""], "argument --state: must be a file path or :memory:"),
    (["--account", "AK:SK"], "argument --account: an account is ACCESS_KEY:SECRET_KEY:ACCOUNT_ID"),
    (["--account", "AK:SK:123"], "argument --account: account ID '123' must be 12 digits"),
    (
        ["--account", "AK:S1:111122223333", "--account", "AK:S2:444455556666"],
        "argument --account: access key AK is given more than once",
    ),
    (["--bucket", "Corp_Logs"], "argument --bucket: 'Corp_Logs' is not an S3 bucket name: 3 to 63 lowercase"),
    (["--bucket", "ab"], "argument --bucket: 'ab' is not an S3 bucket name"),
    (["--region", "moon"], "argument --region: 'moon' is not an AWS region name such as us-east-1"),
    (["--region", "US-EAST-1"], "argument --region: 'US-EAST-1' is not an AWS region name"),
    (["--max-members", "-5"], "argument --max-members: '-5' is not a whole number from 0"),
    (["--max-members", "many"], "argument --max-members: 'many' is not a whole number from 0"),
    (["--max-s3-resources", "-1"], "argument --max-s3-resources: '-1' is not a whole number from 0"),
    (["--throttle-rate", "7"], "argument --throttle-rate: '7' is not a probability from 0 to 1"),
    (["--throttle-rate", "half"], "argument --throttle-rate: 'half' is not a probability from 0 to 1"),
    (["--error-rate", "-0.1"], "argument --error-rate: '-0.1' is not a probability from 0 to 1"),
    (["--drop-rate", "nan"], "argument --drop-rate: 'nan' is not a probability from 0 to 1"),
    (["--lose-rate", "1.5"], "argument --lose-rate: '1.5' is not a probability from 0 to 1"),
    (
        ["--throttle-rate", "0.6", "--error-rate", "0.3", "--drop-rate", "0.2"],
        f"{RATES} they add up to 1.1; together they must be at most 1",
    ),
    (
        ["--drop-rate", "0.5", "--lose-rate", "0.75"],
        f"{RATES} they add up to 1.25; together they must be at most 1",
    ),
    (["--latency-ms", "-1"], "argument --latency-ms: '-1' is not a number of milliseconds, 0 or more"),
    (["--latency-ms", "inf"], "argument --latency-ms: 'inf' is not a number of milliseconds, 0 or more"),
    (["--seed", "-1"], "argument --seed: '-1' is not a whole number from 0"),
    (["--seed", "x"], "argument --seed: 'x' is not a whole number from 0"),
]


def usage_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run the command in-process with ``argv``; the one error line it printed (it must exit 2)."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("usage: macie-local")
    return err.strip().splitlines()[-1]


@pytest.mark.parametrize(("argv", "says"), BAD_FLAGS, ids=[" ".join(argv) for argv, _ in BAD_FLAGS])
def test_command_bad_flag_value_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    """A bad value of each flag is refused before anything starts, naming the flag and its rule."""
    assert usage_error(capsys, [*argv, "--state", ":memory:"] if "--state" not in argv else argv).startswith(
        f"macie-local: error: {says}"
    )


def test_command_port_in_use_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A port another process listens on is refused in one line naming host and port."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = usage_error(capsys, ["--port", str(port), "--state", ":memory:"])
    assert line.startswith(f"macie-local: error: arguments --host, --port: cannot listen on 127.0.0.1:{port}: ")
    assert "Address already in use" in line


@pytest.mark.parametrize("kind", ["directory", "not-a-database"])
def test_command_unusable_state_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str) -> None:
    """A state path that is a directory, or a file that is not SQLite, is refused in one line; the file is kept."""
    state = tmp_path / "state"
    if kind == "directory":
        state.mkdir()
    else:
        state.write_bytes(b"not a database, and not to be overwritten" * 100)
    line = usage_error(capsys, ["--state", str(state), "--port", "0"])
    assert line.startswith(f"macie-local: error: argument --state: cannot keep the state in '{state}': ")
    if kind != "directory":
        assert state.read_bytes().startswith(b"not a database")


def test_command_port_out_of_range_has_no_traceback() -> None:
    """The installed command answers --port 99999 with its usage error and exit code 2, not a traceback."""
    command = os.path.join(os.path.dirname(sys.executable), "macie-local")
    result = subprocess.run(
        [command, "--port", "99999", "--state", ":memory:"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "macie-local: error: argument --port: '99999' is not a whole number from 0 to 65535 (0 picks a free port)"
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("field", ["max_members", "max_s3_resources"])
def test_limits_refuse_negative_values(field: str) -> None:
    """An endpoint built in code refuses a negative limit too."""
    with pytest.raises(ValueError, match=f"{field} must be 0 or more, not -5"):
        Limits(**{field: -5})
