#!/usr/bin/env bash
# Set everything up (scripts/setup.sh), then check and test:
#   1. ruff check, ruff format --check and mypy (configured in pyproject.toml);
#   2. the whole test suite, with the real Pulumi CLI, on .venv's Python;
#   3. the fast suite (-m "not e2e and not toolchain": the Go, Node.js and Java SDK tests do not depend on
#      the Python running them) on every other Python the package claims (its classifiers), each
#      in its venv under .tools/python/ (a version that is not installed fails here), with 500 fuzzed
#      requests per fuzz test instead of 2,500 (MACIE_FUZZ_EXAMPLES): the same paths, a fifth of the time.
# Every step runs even when one before it failed; the exit status is non-zero if any failed.
# Extra arguments go to every pytest run, e.g. `scripts/test.sh -k endpoint -x`.
# PYTEST_WORKERS (default 2) is how many processes pytest-xdist runs each suite in; 0 runs them in one.
# Each test file runs in one process (--dist loadfile): test_sdk_nodejs builds sdk/nodejs/bin in the
# repository once for all its tests. (xdist_group marks with --dist loadgroup would be finer, but
# pytest-xdist 3.8 ignores them under pytest 9.2: pytest-dev/pytest-xdist#1386.)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/scripts/setup.sh"
# shellcheck source=/dev/null
source "$ROOT/.tools/env.sh"
cd "$ROOT"

WORKERS=${PYTEST_WORKERS:-2}
parallel=()
[ "$WORKERS" -gt 0 ] && parallel=(-n "$WORKERS" --dist loadfile)

failed=()
run() {  # run NAME COMMAND...: time it, and remember it when it fails
  local name=$1 start code=0
  shift
  echo "==> $name"
  start=$(date +%s)
  "$@" || code=$?
  echo "==> $name: exit $code in $(( $(date +%s) - start ))s"
  [ "$code" -eq 0 ] || failed+=("$name")
}

total_start=$(date +%s)
run "ruff check" ruff check .
run "ruff format --check" ruff format --check .
run "mypy" mypy
run "tests on Python $(python -c 'import platform; print(platform.python_version())')" \
  python -m pytest "${parallel[@]}" "$@"

main=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
for version in $(sed -n 's/.*"Programming Language :: Python :: \(3\.[0-9][0-9]*\)".*/\1/p' pyproject.toml); do
  [ "$version" != "$main" ] || continue
  interpreter="$ROOT/.tools/python/$version/bin/python"
  if [ ! -x "$interpreter" ]; then
    echo "==> Python $version: not installed; the package claims it (pyproject.toml's classifiers), so its" \
      "tests must run: install it (e.g. pyenv install $version), then run scripts/setup.sh" >&2
    failed+=("Python $version (not installed)")
    continue
  fi
  run "fast tests on Python $("$interpreter" -c 'import platform; print(platform.python_version())')" \
    env MACIE_FUZZ_EXAMPLES="${MACIE_FUZZ_EXAMPLES:-500}" "$interpreter" -m pytest -m "not e2e and not toolchain" "${parallel[@]}" -q "$@"
done

echo "==> finished in $(( $(date +%s) - total_start ))s"
if [ "${#failed[@]}" -gt 0 ]; then
  printf '==> FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "==> all checks and tests passed"
