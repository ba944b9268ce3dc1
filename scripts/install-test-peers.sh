#!/usr/bin/env bash
# Installs the real peers the integration tests start (idempotent; needs root for apt-get).
# mosquitto: the MQTT broker playing ThingsBoard and external brokers; openssl: test certificates;
# libsqlite3-dev: GRDB links the system SQLite.
set -euo pipefail
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v mosquitto_passwd >/dev/null 2>&1 || need+=(mosquitto)
command -v mosquitto_sub >/dev/null 2>&1 || need+=(mosquitto-clients)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing test peers: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
echo "test peers ready: $(/usr/sbin/mosquitto -h 2>/dev/null | head -1 || true)"
