#!/usr/bin/env bash
# Set everything up (scripts/setup.sh), then run the main job: examples/basic through `pulumi up`
# against a local Macie endpoint, printing the stack's outputs and what the endpoint now holds.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/scripts/setup.sh"
# shellcheck source=/dev/null
source "$ROOT/.tools/env.sh"
exec python "$ROOT/scripts/demo.py"
