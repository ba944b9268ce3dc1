#!/usr/bin/env bash
# One command: the MQTT connector benchmark, Python reference gateway vs. swift-iot-gateway,
# same load, same configs, same brokers, same machine, in one invocation.
#
#   bash benchmarks/mqtt-connector/run.sh                 # QoS 1, memory + sqlite, 1 run each: closed
#                                                         # loop, then backlog drain, then the 1,000 msg/s
#                                                         # latency cell (sqlite)
#   bash benchmarks/mqtt-connector/run.sh --runs 3        # medians of 3
#   bash benchmarks/mqtt-connector/run.sh --help          # all options (compare.py)
#
# Prerequisites are installed here only when missing: the company harness's setup.sh
# (../shared/refbench/setup.sh from the project root: mosquitto via apt-get, /tmp/tbgw-venv with
# thingsboard-gateway 3.8.5, /tmp/bench-venv with paho-mqtt) is called, never copied.
# The release binaries (iot-gateway, and gateway-bench for its mqtt-load load generator) are built only
# when missing, with exactly the project's release flags.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
source "$ROOT/benchmarks/common/refbench-prereqs.sh"
refbench_prereqs "$ROOT" mqttbench

SWIFT_BIN="${SWIFT_BIN:-$ROOT/.build-release/release/iot-gateway}"
build_release_binaries "$ROOT" iot-gateway:"$SWIFT_BIN"

# The load generator (gateway-bench mqtt-load), unless refbench's loadgen.py is asked for.
BENCH_BIN="${BENCH_BIN:-$ROOT/.build-release/release/gateway-bench}"
if [[ " $* " != *" --loadgen python "* ]] && [[ " $* " != *" --loadgen=python "* ]] &&
   { [[ ! -x "$BENCH_BIN" ]] || ! "$BENCH_BIN" mqtt-load --help >/dev/null 2>&1; }; then
    echo "== building the release load generator (gateway-bench)" >&2
    (cd "$ROOT" && bash scripts/build-release.sh --scratch-path .build-release --product gateway-bench)
fi

exec /tmp/bench-venv/bin/python "$HERE/compare.py" --refbench "$REFBENCH" --swift-bin "$SWIFT_BIN" \
    --bench-bin "$BENCH_BIN" "$@"
