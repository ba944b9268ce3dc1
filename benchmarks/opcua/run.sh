#!/usr/bin/env bash
# One command: the OPC-UA connector benchmark. swift-iot-gateway subscribes to 10,000 items (100 devices × 100)
# of a local asyncua server that changes every value every second; then the Python reference gateway and
# swift-iot-gateway take a smaller load (5 × 100) with the same config generator and server.
#
#   bash benchmarks/opcua/run.sh                         # defaults: 100×100, Python 5×100, 60 s windows
#   bash benchmarks/opcua/run.sh --window 30 --python-devices 10
#   bash benchmarks/opcua/run.sh --help                  # all options (compare.py)
#
# Prerequisites are installed only when missing: refbench's setup.sh (mosquitto, /tmp/tbgw-venv with
# thingsboard-gateway 3.8.5, /tmp/bench-venv with paho-mqtt); into /tmp/tbgw-venv the asyncua version
# thingsboard-gateway 3.8.5 pins (1.1.5; the gateway would otherwise pip-install it itself at start-up);
# the project's test peers (.venv-peers with asyncua 2.1.0 for the server, scripts/install-test-peers.sh).
# The release binaries (iot-gateway, gateway-bench: its opcua-sim serves the full load) are built only when
# missing, with exactly the project's release flags.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
source "$ROOT/benchmarks/common/refbench-prereqs.sh"
refbench_prereqs "$ROOT" opcuabench
if ! /tmp/tbgw-venv/bin/python -c "import asyncua, sys; sys.exit(asyncua.__version__ != '1.1.5')" >/dev/null 2>&1; then
    echo "== installing asyncua 1.1.5 (pinned by thingsboard-gateway 3.8.5) into /tmp/tbgw-venv" >&2
    /tmp/tbgw-venv/bin/pip install "asyncua==1.1.5" >/tmp/opcuabench-pip.log 2>&1
fi
(cd "$ROOT" && bash scripts/install-test-peers.sh >/tmp/opcuabench-peers.log 2>&1) ||
    { echo "installing the test peers failed: see /tmp/opcuabench-peers.log" >&2; exit 1; }

SWIFT_BIN="${SWIFT_BIN:-$ROOT/.build-release/release/iot-gateway}"
SIM_BIN="${SIM_BIN:-$ROOT/.build-release/release/gateway-bench}"
build_release_binaries "$ROOT" iot-gateway:"$SWIFT_BIN" gateway-bench:"$SIM_BIN"

exec /tmp/bench-venv/bin/python "$HERE/compare.py" --refbench "$REFBENCH" --swift-bin "$SWIFT_BIN" \
    --sim-bin "$SIM_BIN" "$@"
