# Sourced by scripts/setup_sdks.sh and scripts/setup_java.sh: their step timing and failure helpers.
# SETUP_NAME names the script in its failure messages.
now() { date +%s.%N; }
SETUP_START=$(now)
STEP_START=$SETUP_START
step() { STEP_START=$(now); echo "==> $*"; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]):.1f}')" "$(now)" "$1"; }
done_step() { echo "    done in $(elapsed "$STEP_START")s"; }
fail() { echo "${SETUP_NAME:-setup}: $*" >&2; exit 1; }
stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }
