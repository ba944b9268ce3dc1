#!/usr/bin/env bash
# One command: the REST connector benchmark. wrk (Debian) POSTs JSON readings to the Python reference gateway's
# REST connector and then to swift-iot-gateway's, same config, same load, one run.
#
#   bash benchmarks/rest/run.sh                             # defaults: wrk -t1 -c32, 5 s warm-up, 30 s window
#   bash benchmarks/rest/run.sh --connections 64 --window 60
#   bash benchmarks/rest/run.sh --help                      # all options (compare.py)
#
# Prerequisites are installed only when missing: wrk (apt-get), refbench's setup.sh (mosquitto, /tmp/tbgw-venv
# with thingsboard-gateway 3.8.5, /tmp/bench-venv with paho-mqtt), and aiohttp into /tmp/tbgw-venv (the Python
# REST connector's server; the gateway would otherwise pip-install the newest itself at start-up).
# The release binary is built only when missing, with exactly the project's release flags.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if ! command -v wrk >/dev/null 2>&1; then
    echo "== installing wrk (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq wrk >/tmp/restbench-apt.log 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq wrk; } >>/tmp/restbench-apt.log 2>&1
fi
source "$ROOT/benchmarks/common/refbench-prereqs.sh"
refbench_prereqs "$ROOT" restbench
if ! /tmp/tbgw-venv/bin/python -c "import aiohttp" >/dev/null 2>&1; then
    echo "== installing aiohttp 3.14.5 into /tmp/tbgw-venv" >&2
    /tmp/tbgw-venv/bin/pip install "aiohttp==3.14.5" >/tmp/restbench-pip.log 2>&1
fi

SWIFT_BIN="${SWIFT_BIN:-$ROOT/.build-release/release/iot-gateway}"
build_release_binaries "$ROOT" iot-gateway:"$SWIFT_BIN"

exec /tmp/bench-venv/bin/python "$HERE/compare.py" --refbench "$REFBENCH" --swift-bin "$SWIFT_BIN" "$@"
