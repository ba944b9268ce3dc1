# Sourced by benchmarks/*/run.sh: finds the company harness (../shared/refbench, or $REFBENCH) and
# installs what it needs when missing, by calling its setup.sh (mosquitto via apt-get,
# /tmp/tbgw-venv with thingsboard-gateway 3.8.5, /tmp/bench-venv with paho-mqtt) — never copied.
# Usage: source "$ROOT/benchmarks/common/refbench-prereqs.sh"; refbench_prereqs "$ROOT" <log name>
# Sets REFBENCH to the harness's absolute path.

refbench_prereqs_ok() {
    command -v mosquitto >/dev/null 2>&1 &&
    command -v mosquitto_sub >/dev/null 2>&1 &&
    /tmp/tbgw-venv/bin/python -c "import thingsboard_gateway" >/dev/null 2>&1 &&
    /tmp/bench-venv/bin/python -c "import paho.mqtt.client" >/dev/null 2>&1
}

refbench_prereqs() {
    local root="$1" log="/tmp/$2-setup.log"
    REFBENCH="${REFBENCH:-$root/../shared/refbench}"
    if [[ ! -f "$REFBENCH/bench.py" ]]; then
        echo "refbench not found at $REFBENCH (set REFBENCH=/path/to/refbench)" >&2
        exit 2
    fi
    REFBENCH="$(cd "$REFBENCH" && pwd)"
    if ! refbench_prereqs_ok; then
        echo "== installing prerequisites with $REFBENCH/setup.sh (log: $log)" >&2
        # setup.sh creates the venvs from scratch; an interrupted earlier install is simply redone.
        # Its exit code is not used: its last line (`mosquitto -h | head -1` under pipefail) exits 3
        # even when everything installed; what counts is the check below.
        bash "$REFBENCH/setup.sh" >"$log" 2>&1 || true
        refbench_prereqs_ok || { echo "prerequisites still missing after $REFBENCH/setup.sh:" >&2
                                 tail -20 "$log" >&2; exit 1; }
    fi
}

# Builds the release products that are missing, with exactly the project's release flags.
# Usage: build_release_binaries "$ROOT" iot-gateway:"$SWIFT_BIN" gateway-bench:"$SIM_BIN"
build_release_binaries() {
    local root="$1"; shift
    local pair product binary
    for pair in "$@"; do
        product="${pair%%:*}"; binary="${pair#*:}"
        if [[ ! -x "$binary" ]]; then
            echo "== building $product in release (takes long on 2 cores)" >&2
            (cd "$root" && bash scripts/build-release.sh --scratch-path .build-release --product "$product")
        fi
    done
}
