#!/usr/bin/env bash
# Runs every test: unit, codec, integration against real peers, end to end.
# Integration tests start their own peers (mosquitto, ...) on free ports of 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-peers.sh
export PATH="$PATH:/usr/sbin:/sbin"
# The end-to-end tests run the iot-gateway binary itself, so build every product first.
swift build --build-tests
# Serially: many tests run real brokers and gateway processes, and this class of machine has two
# cores; in parallel their timing would measure the machine, not the code.
# A hard bound on the whole run as well: a hung test must fail CI, not use up its time.
log="$(mktemp -t iotgw-test-log.XXXXXX)"
status=0
timeout --kill-after=30 1800 swift test --skip-build --no-parallel "$@" 2>&1 | tee "$log" || status=$?
# The full log is long and CI shows only its end: repeat every failure there, with its place.
if [ "$status" -ne 0 ]; then
    echo
    echo "==== failures (full log: $log) ===="
    grep -E "^✘|: error: |Test Case .* failed" "$log" | head -100 || true
else
    rm -f "$log"
fi
exit "$status"
