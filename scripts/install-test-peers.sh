#!/usr/bin/env bash
# Installs the real peers the integration tests start (idempotent; needs root for apt-get).
# mosquitto: the MQTT broker playing ThingsBoard and external brokers; openssl: test certificates;
# libsqlite3-dev: GRDB links the system SQLite; socat: pseudo-terminal pairs for serial (RTU/ASCII);
# python3-venv + .venv-peers/: pinned PyPI servers (pymodbus, ...) that play field devices.
set -euo pipefail
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v mosquitto_passwd >/dev/null 2>&1 || need+=(mosquitto)
command -v mosquitto_sub >/dev/null 2>&1 || need+=(mosquitto-clients)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
command -v socat >/dev/null 2>&1 || need+=(socat)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing test peers: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# Python peers, pinned (see ../shared/docs/test-peers.md): one venv beside the sources, reused.
peers_requirements="pymodbus==3.16.1 pyserial==3.5 prometheus-client==0.21.1 asyncua==2.1.0 aiohttp==3.14.5"
venv=".venv-peers"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$peers_requirements" ]; then
  echo "installing python test peers into $venv: $peers_requirements"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check $peers_requirements
  echo "$peers_requirements" > "$venv/.requirements"
fi
echo "test peers ready: $(/usr/sbin/mosquitto -h 2>/dev/null | head -1 || true)"
