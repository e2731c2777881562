#!/usr/bin/env bash
# Set everything up (scripts/setup.sh), then run the whole test suite with the real Pulumi CLI.
# Extra arguments go to pytest, e.g. `scripts/test.sh -k endpoint -x`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/scripts/setup.sh"
# shellcheck source=/dev/null
source "$ROOT/.tools/env.sh"
cd "$ROOT"
start=$(date +%s)
status=0
python -m pytest "$@" || status=$?
echo "==> tests finished in $(( $(date +%s) - start ))s (exit $status)"
exit $status
