#!/usr/bin/env bash
# Installs swift-iot-gateway as a systemd service, in the Python gateway's places:
#   binary         /usr/local/bin/iot-gateway
#   configuration  /etc/thingsboard-gateway/config   (kept when present: a migrated box keeps its files;
#                                                     otherwise the shipped config/ is copied there)
#   data           /var/lib/thingsboard_gateway       (working directory: "./data/" storage paths land here)
#   user           thingsboard_gateway                (created when missing, as the Python package does)
#   unit           /etc/systemd/system/iot-gateway.service (packaging/systemd/iot-gateway.service)
#
#   sudo scripts/install-service.sh                        # after scripts/build-release.sh
#   sudo scripts/install-service.sh --binary PATH --no-start
#
# The configuration is checked (iot-gateway check-config) before anything is started; a configuration with
# errors stops the script with the gateway's own message (file, key, what was expected). When the Python
# gateway's service is enabled, it is disabled and stopped: both would log in with the same token.
# Running it again is safe: it replaces the binary and the unit, and keeps the configuration and the data.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BINARY="$ROOT/.build/release/iot-gateway"
START=1
CONFIG_DIR=/etc/thingsboard-gateway/config
DATA_DIR=/var/lib/thingsboard_gateway
SERVICE_USER=thingsboard_gateway
UNIT_DIR=/etc/systemd/system

while [[ $# -gt 0 ]]; do
    case "$1" in
        --binary) BINARY="$2"; shift 2 ;;
        --no-start) START=0; shift ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install-service: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

if [[ $(id -u) -ne 0 ]]; then
    echo "install-service: run it as root (sudo $0)" >&2
    exit 1
fi
if [[ ! -x "$BINARY" ]]; then
    echo "install-service: no gateway binary at $BINARY: build it first (scripts/build-release.sh) or pass --binary" >&2
    exit 1
fi

if ! id "$SERVICE_USER" >/dev/null 2>&1; then
    useradd --system --user-group --home-dir "$DATA_DIR" --shell /usr/sbin/nologin "$SERVICE_USER"
    echo "created system user $SERVICE_USER"
fi
install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 750 "$DATA_DIR"

if [[ -f "$CONFIG_DIR/tb_gateway.json" || -f "$CONFIG_DIR/tb_gateway.yaml" ]]; then
    echo "keeping the configuration in $CONFIG_DIR"
else
    install -d "$CONFIG_DIR"
    cp -R "$ROOT/config/." "$CONFIG_DIR/"
    echo "copied the shipped configuration (simulator connector, sqlite storage) to $CONFIG_DIR: edit" \
         "$CONFIG_DIR/tb_gateway.json (thingsboard.host, security.accessToken) before relying on it"
fi
# Remote configuration rewrites these files and keeps backups next to them; connected_devices.json lives here too.
chown -R "$SERVICE_USER:$SERVICE_USER" "$(dirname "$CONFIG_DIR")"

# Stripped: the release build carries ~120 MB of debug information the service never reads.
install -s -m 755 "$BINARY" /usr/local/bin/iot-gateway
# Checked as the service will run it: same user, same working directory (relative storage paths).
if ! CHECK=$(cd "$DATA_DIR" && setpriv --reuid="$SERVICE_USER" --regid="$SERVICE_USER" --init-groups \
        /usr/local/bin/iot-gateway check-config "$CONFIG_DIR" 2>&1); then
    echo "$CHECK"
    echo "install-service: the configuration in $CONFIG_DIR has errors (above); fix them and run this again" >&2
    exit 1
fi
echo "$CHECK"

install -m 644 "$ROOT/packaging/systemd/iot-gateway.service" "$UNIT_DIR/iot-gateway.service"
echo "installed $UNIT_DIR/iot-gateway.service"

# The unit lets the service write only under $CONFIG_DIR's parent and $DATA_DIR. A storage folder
# elsewhere gets a drop-in that allows it; one the sandbox hides (private /tmp, /home, /root) is refused:
# the service would lose its buffered data at every stop, or not start.
STORAGE_DIR=$(sed -n 's/^storage folder: //p' <<<"$CHECK")
DROP_IN="$UNIT_DIR/iot-gateway.service.d/storage.conf"
rm -f "$DROP_IN"
if [[ -n "$STORAGE_DIR" ]]; then
    case "$STORAGE_DIR/" in
        "$DATA_DIR"/*|"$(dirname "$CONFIG_DIR")"/*) ;;
        /tmp/*|/var/tmp/*|/home/*|/root/*|/run/user/*)
            echo "install-service: the storage folder $STORAGE_DIR is hidden from the service by its sandbox" \
                 "(PrivateTmp, ProtectHome); set data_file_path / data_folder_path in $CONFIG_DIR/tb_gateway.json to a" \
                 "folder under $DATA_DIR (relative paths land there) and run this again" >&2
            exit 1 ;;
        *)
            install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 750 "$STORAGE_DIR"
            install -d "$(dirname "$DROP_IN")"
            printf '[Service]\nReadWritePaths=%s\n' "$STORAGE_DIR" > "$DROP_IN"
            echo "the storage folder $STORAGE_DIR is outside $DATA_DIR: allowed in $DROP_IN" ;;
    esac
fi

# Log files of logs.json (the Python gateway's package writes /var/log/thingsboard-gateway): each folder is
# made for the service's user, and one outside the writable paths is allowed by a drop-in. A folder the sandbox
# hides only gets a warning: logs are not data, and the console's records still reach the journal.
LOGS_DROP_IN="$UNIT_DIR/iot-gateway.service.d/logs.conf"
rm -f "$LOGS_DROP_IN"
while IFS= read -r LOG_DIR; do
    [[ -n "$LOG_DIR" ]] || continue
    case "$LOG_DIR/" in
        /tmp/*|/var/tmp/*|/home/*|/root/*|/run/user/*)
            echo "install-service: warning: the log folder $LOG_DIR is hidden from the service by its sandbox" \
                 "(PrivateTmp, ProtectHome): its files will not appear there; change logs.json or TB_GW_LOGS_PATH" >&2
            continue ;;
    esac
    # A folder that exists keeps its owner and mode (it may be /var/log itself); the service user must be able
    # to write there, as it had to for the Python gateway.
    if [[ ! -d "$LOG_DIR" ]]; then
        install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 750 "$LOG_DIR"
    elif ! setpriv --reuid="$SERVICE_USER" --regid="$SERVICE_USER" --init-groups test -w "$LOG_DIR"; then
        echo "install-service: warning: $SERVICE_USER cannot write to the log folder $LOG_DIR: its log files" \
             "will be missing (chown it, or change logs.json / TB_GW_LOGS_PATH)" >&2
    fi
    case "$LOG_DIR/" in
        "$DATA_DIR"/*|"$(dirname "$CONFIG_DIR")"/*) ;;
        *)
            install -d "$(dirname "$LOGS_DROP_IN")"
            [[ -f "$LOGS_DROP_IN" ]] || printf '[Service]\n' > "$LOGS_DROP_IN"
            printf 'ReadWritePaths=%s\n' "$LOG_DIR" >> "$LOGS_DROP_IN"
            echo "log files go to $LOG_DIR: allowed in $LOGS_DROP_IN" ;;
    esac
done < <(sed -n 's/^log folder: //p' <<<"$CHECK")

if [[ ! -d /run/systemd/system ]]; then
    echo "systemd is not running on this machine: start the gateway with" \
         "(cd $DATA_DIR && TB_GW_CONFIG_DIR=$CONFIG_DIR /usr/local/bin/iot-gateway run)"
    exit 0
fi
systemctl daemon-reload
if systemctl is-enabled --quiet thingsboard-gateway.service 2>/dev/null ||
   systemctl is-active --quiet thingsboard-gateway.service 2>/dev/null; then
    systemctl disable --now thingsboard-gateway.service
    echo "disabled and stopped the Python gateway (thingsboard-gateway.service)"
fi
if [[ $START -eq 1 ]]; then
    systemctl enable --now iot-gateway.service
    echo "started: systemctl status iot-gateway, logs: journalctl -u iot-gateway -f"
else
    systemctl enable iot-gateway.service
    echo "enabled; start it with: systemctl start iot-gateway"
fi
