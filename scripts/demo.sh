#!/usr/bin/env bash
# Set up what the demo needs (scripts/setup.sh --demo: the venv, the Pulumi CLI and its Python host),
# then run the main job: examples/basic through `pulumi up` against a local Macie endpoint, printing
# the stack's outputs and what the endpoint now holds.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/scripts/setup.sh" --demo
# shellcheck source=/dev/null
source "$ROOT/.tools/env.sh"
exec python "$ROOT/scripts/demo.py"
