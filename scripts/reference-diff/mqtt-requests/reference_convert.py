#!/usr/bin/env python3
"""Run the reference gateway's (ThingsBoard IoT Gateway 3.8.5) MQTT `requestsMapping` paths over a JSONL file of cases.

    /tmp/tbgw-venv/bin/python reference_convert.py cases.jsonl > reference.jsonl

Everything runs in process, without any network, on the reference's own objects:

* the connector is a real `MqttConnector` (constructor, BackwardCompatibilityAdapter, load_handlers, `_on_connect`
  with its subscriptions, `_process_on_message`, `on_attributes_update`, `server_side_rpc_handler`, ...);
* its paho client and the ThingsBoard SDK client (`TBGatewayMqttClient`) are real paho clients whose socket is
  replaced: `_packet_queue` records every packet the client would write, marks it published, and the PUBLISH /
  SUBSCRIBE / UNSUBSCRIBE packets are decoded back into topic, payload, QoS and retain flag (what goes on the wire);
* the gateway is a real `TBGatewayService` object built without its constructor, holding only the state these paths
  use (device tables, RPC queues, the SDK client); its methods (`add_device`, `del_device`, `get_devices`,
  `send_rpc_reply` and the reply thread's `__send_rpc_reply`, `register_rpc_request_timeout`, `is_rpc_in_progress`,
  `rpc_with_reply_processing`, `cancel_rpc_request`, `_rpc_request_handler`, `_attribute_update_callback`) are the
  reference's. Writing connected_devices.json is a no-op.

ThingsBoard's messages (shared-attribute updates, RPCs, attribute responses) are handed to the SDK client's paho
`on_message` as MQTT messages with the JSON text ThingsBoard would send, so the SDK decodes and dispatches them as in
production. The threads of the reference are driven synchronously, in the order they would act (see README.md):
the connector's "On Message" loop processes exactly one queued message per call; the gateway's RPC registration
(`_watchers`) takes a registered two-way RPC at once; its RPC-to-devices loop body runs once per RPC; the RPC reply
thread is drained after every step; "time passes" at the end of a case, so every two-way RPC still waiting times out
as `_watchers` would time it out (unsubscribe, then `{"success": false}`); the SDK's 20 s attribute-request timeout is
invoked only when a case asks for it. `time()` in the connector is frozen at 1700000000.0 and its `sleep()` returns
at once.
"""
import os
import sys
import time as _time_module

os.environ["TZ"] = "UTC"
_time_module.tzset()

# The setup and IO helpers both reference runners use (log collection, the loop over the cases) are in
# ../reference_diff_common.py (standard library only), shared with ../mqtt/reference_convert.py.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import reference_diff_common as common  # noqa: E402

import copy  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import queue  # noqa: E402
import warnings  # noqa: E402
from contextlib import redirect_stdout  # noqa: E402

import orjson  # noqa: E402

FROZEN_TIME = 1700000000.0
CONNECTOR_NAME = "MQTT Broker Connector"
warnings.simplefilter("ignore")


# ---------------------------------------------------------------------------------------------- error capture
class _Collector(common.ErrorCollector):
    def message_text(self, record):
        try:
            return record.getMessage()
        except Exception:  # noqa  (the reference has log calls whose arguments do not fit their format)
            return "%s %r" % (record.msg, record.args)


COLLECTOR = _Collector()
common.install_collector(COLLECTOR)

with redirect_stdout(sys.stderr):
    from paho.mqtt.client import MQTTMessage, MQTT_ERR_SUCCESS, MQTTv5, _ConnectionState  # noqa: E402
    import tb_device_mqtt  # noqa: E402
    from tb_device_mqtt import TBTimeoutException  # noqa: E402
    from tb_gateway_mqtt import TBGatewayMqttClient  # noqa: E402
    import thingsboard_gateway.gateway.tb_gateway_service as tb_gateway_service_module  # noqa: E402
    from thingsboard_gateway.gateway.tb_gateway_service import TBGatewayService  # noqa: E402
    from thingsboard_gateway.gateway.constants import CONNECTOR_PARAMETER, DEVICE_TYPE_PARAMETER  # noqa: E402
    import thingsboard_gateway.connectors.mqtt.mqtt_connector as mqtt_connector_module  # noqa: E402
    from thingsboard_gateway.tb_utility.tb_utility import TBUtility  # noqa: E402
    from thingsboard_gateway.tb_utility.tb_rotating_file_handler import TimedRotatingFileHandler  # noqa: E402

logging.getLogger().setLevel(logging.WARNING)
tb_gateway_service_module.log = logging.getLogger("service")  # TBGatewayService.__init__ sets this global


class _NoThread:
    """Stands in for threading.Thread where the reference starts a loop this runner drives itself."""

    def __init__(self, *args, **kwargs):
        self.daemon = True

    def start(self):
        pass

    def is_alive(self):
        return False


def _no_sleep(*_args, **_kwargs):
    return None


def _frozen_time():
    return FROZEN_TIME


# The connector: frozen clock, no waiting, no "On Message" thread (driven below).
mqtt_connector_module.time = _frozen_time
mqtt_connector_module.sleep = _no_sleep
mqtt_connector_module.Thread = _NoThread
# The SDK: no timeout-check / service-loop threads.
tb_device_mqtt.Thread = _NoThread
# init_logger() would give the connector loggers "<name>_connector.log" / "_converter.log" files in the current
# directory (and another handler on the same logger for every case): no log files.
TimedRotatingFileHandler.get_connector_file_handler = staticmethod(lambda file_name: None)
TimedRotatingFileHandler.get_converter_file_handler = staticmethod(lambda file_name: None)


class _RemoteHandler(logging.Handler):
    """init_logger() attaches gateway.remote_handler to the connector loggers; this one does nothing."""

    def __init__(self):
        super().__init__(level=logging.CRITICAL + 10)
        self.loggers = {}

    def emit(self, record):
        pass

    def add_logger(self, name, level):
        self.loggers[name] = level

    def update_logger(self, name, level):
        self.loggers[name] = level

    def remove_logger(self, name):
        self.loggers.pop(name, None)


REMOTE_HANDLER = _RemoteHandler()


# ---------------------------------------------------------------------------------------------- the wire
def _varint(data, pos):
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _str16(data, pos):
    length = int.from_bytes(data[pos:pos + 2], "big")
    return bytes(data[pos + 2:pos + 2 + length]), pos + 2 + length


def _skip_properties(packet, pos, v5):
    """Past the MQTT 5 properties at pos (none before MQTT 5)."""
    if v5:
        props_length, pos = _varint(packet, pos)
        pos += props_length
    return pos


def decode_packet(packet, queued_qos, v5):
    """A packet paho queued for its socket -> ("publish"|"subscribe"|"unsubscribe"|..., details)."""
    packet = bytes(packet)
    command = packet[0]
    remaining, pos = _varint(packet, 1)
    end = pos + remaining
    kind = command & 0xF0
    if kind == 0x30:  # PUBLISH
        topic, pos = _str16(packet, pos)
        if queued_qos > 0:
            pos += 2
        pos = _skip_properties(packet, pos, v5)
        return "publish", {"topic": topic, "payload": packet[pos:end], "qos": (command >> 1) & 3,
                           "retain": bool(command & 1)}
    if kind == 0x80:  # SUBSCRIBE
        pos = _skip_properties(packet, pos + 2, v5)
        filters = []
        while pos < end:
            topic, pos = _str16(packet, pos)
            options = packet[pos]
            pos += 1
            filters.append({"topic": topic.decode("utf-8", "replace"), "qos": options & 3})
        return "subscribe", filters
    if kind == 0xA0:  # UNSUBSCRIBE
        pos = _skip_properties(packet, pos + 2, v5)
        topics = []
        while pos < end:
            topic, pos = _str16(packet, pos)
            topics.append(topic.decode("utf-8", "replace"))
        return "unsubscribe", topics
    return "other", {"command": command}


class _FakeSocket:
    def fileno(self):
        return -1

    def close(self):
        pass


def attach_wire(client, sink):
    """Make a paho Client believe it is connected; every packet it writes is decoded into `sink`."""
    v5 = client._protocol == MQTTv5  # noqa

    def packet_queue(command, packet, mid, qos, info=None):
        sink.append(decode_packet(packet, qos, v5))
        if info is not None:
            info._set_as_published()  # noqa
        return MQTT_ERR_SUCCESS

    client._packet_queue = packet_queue
    client._sock = _FakeSocket()
    client._state = _ConnectionState.MQTT_CS_CONNECTED


def mqtt_message(topic, payload):
    message = MQTTMessage(0, topic.encode("utf-8"))
    message.payload = payload
    return message


def payload_fields(payload_bytes):
    try:
        return {"payload": payload_bytes.decode("utf-8")}
    except UnicodeDecodeError:
        return {"payloadHex": payload_bytes.hex()}


TB_WHAT = {
    "v1/gateway/connect": "connect",
    "v1/gateway/disconnect": "disconnect",
    "v1/gateway/attributes/request": "attributeRequest",
    "v1/gateway/attributes": "attributes",
    "v1/gateway/telemetry": "telemetry",
    "v1/gateway/rpc": "rpcReply",
}


def tb_entry(details):
    topic = details["topic"].decode("utf-8", "replace")
    what = TB_WHAT.get(topic)
    if what is None:
        what = "gatewayRpcReply" if topic.startswith("v1/devices/me/rpc/response/") else "other"
    entry = {"what": what, "topic": topic, "qos": details["qos"]}
    try:
        entry["payload"] = json.loads(details["payload"].decode("utf-8"))
    except ValueError:
        entry.update(payload_fields(details["payload"]))
    return entry


# ---------------------------------------------------------------------------------------------- the gateway
class _TBClientHolder:
    """TBGatewayService.tb_client: only `client` and `is_connected()` are used on these paths."""

    def __init__(self, client):
        self.client = client

    @staticmethod
    def is_connected():
        return True

    @staticmethod
    def is_stopped():
        return False


def make_gateway(tb_client):
    gateway = object.__new__(TBGatewayService)
    p = "_TBGatewayService__"
    state = {
        "renamed_devices": {}, "connected_devices": {}, "saved_devices": {}, "added_devices": {},
        "disconnected_devices": {}, "devices_shared_attributes": {},
        "sync_devices_shared_attributes_on_connect": True, "sync_device_shared_attrs_queue": queue.SimpleQueue(),
        "rpc_requests_in_progress": {}, "rpc_register_queue": queue.SimpleQueue(),
        "rpc_processing_queue": queue.SimpleQueue(), "rpc_to_devices_queue": queue.SimpleQueue(),
        "rpc_reply_sent": False, "remote_shell": None, "rpc_scheduled_methods_functions": {},
        "gateway_rpc_methods": {}, "scheduled_rpc_calls": [],
    }
    for key, value in state.items():
        setattr(gateway, p + key, value)
    setattr(gateway, p + "save_persistent_devices", lambda: None)  # no connected_devices.json
    gateway.tb_client = _TBClientHolder(tb_client)
    gateway.stopped = False
    gateway.quality_of_service = 1
    gateway.remote_handler = REMOTE_HANDLER
    gateway.connectors_configs = {}
    gateway.available_connectors_by_name = {}
    gateway.name = "Gateway"

    def register_rpc_request_timeout(content, timeout, topic, cancel_method):
        # The reference's own method (puts the request on __rpc_register_queue), then what _watchers does with it
        # on its next pass; the connector busy-waits for is_rpc_in_progress(topic) meanwhile.
        TBGatewayService.register_rpc_request_timeout(gateway, content, timeout, topic, cancel_method)
        take_registered_rpcs(gateway)

    gateway.register_rpc_request_timeout = register_rpc_request_timeout
    return gateway


def gw_state(gateway, key):
    return getattr(gateway, "_TBGatewayService__" + key)


def take_registered_rpcs(gateway):
    """_watchers: a registered RPC is moved into __rpc_requests_in_progress (the connector waits for that)."""
    register = gw_state(gateway, "rpc_register_queue")
    while not register.empty():
        item = register.get(False)
        in_progress = gw_state(gateway, "rpc_requests_in_progress")
        in_progress[item["topic"]] = item["data"]


def drain_rpc_replies(gateway):
    """The "RPC reply" thread: __send_rpc_reply for every queued reply, in order."""
    replies = gw_state(gateway, "rpc_processing_queue")
    while not replies.empty():
        gateway._TBGatewayService__send_rpc_reply(*replies.get(False))  # noqa


def run_rpc_to_devices_once(gateway, errors):
    """One pass of __rpc_to_devices_processing's body per queued RPC; an unknown device is kept until the
    5 s timeout of that loop (content.get("params", {}) is read at the top level of the RPC, so always 5 s), which
    here has passed by the end of the case: reply {"error":"Request timeout","code":408}."""
    rpc_queue = gw_state(gateway, "rpc_to_devices_queue")
    pending = []
    while not rpc_queue.empty():
        pending.append(rpc_queue.get(False))
    for request_id, content, _received in pending:
        device = content.get("device")
        original_name = TBUtility.get_dict_key_by_value(gw_state(gateway, "renamed_devices"), device)
        if original_name is not None:
            content["device"] = original_name
            device = original_name
        if device in gateway.get_devices():
            connector = gateway.get_devices()[content["device"]].get(CONNECTOR_PARAMETER)
            if connector is not None:
                content["id"] = request_id
                result = connector.server_side_rpc_handler(content)
                if result is not None and isinstance(result, dict) and "error" in result:
                    gateway.send_rpc_reply(device, request_id, json.dumps(result), success_sent=False)
            else:
                errors.append("service: Received RPC request but connector for the device %s not found" % device)
        else:
            errors.append("service: RPC request %s timeout (device %r not connected)" % (request_id, device))
            gateway.send_rpc_reply(content["device"], request_id, "{\"error\":\"Request timeout\", \"code\": 408}")


def expire_rpcs(gateway):
    """_watchers once every deadline has passed: unsubscribe (the connector's cancel method) and reply
    {"success": false} through cancel_rpc_request, for each RPC still in progress."""
    in_progress = gw_state(gateway, "rpc_requests_in_progress")
    if not in_progress:
        return
    try:
        for topic, data in in_progress.items():
            data[2](topic)
            gateway.cancel_rpc_request(topic)
            logging.getLogger("service").error("RPC to %s topic canceled or terminated.", topic)
            in_progress[topic] = "del"
        setattr(gateway, "_TBGatewayService__rpc_requests_in_progress",
                {key: value for key, value in in_progress.items() if value != "del"})
    except Exception as e:  # noqa  (_watchers: "Error while processing RPC requests")
        logging.getLogger("service").error("Error while processing RPC requests: %s: %s", type(e).__name__, e)


# ---------------------------------------------------------------------------------------------- one case
class _OneShotQueue(queue.Queue):
    """The connector's _on_message_queue: the "On Message" loop takes one message, then sees itself stopped."""

    def __init__(self, connector):
        super().__init__()
        self.connector = connector

    def get_nowait(self):
        item = super().get_nowait()
        self.connector._MqttConnector__stopped = True  # noqa
        return item


def deliver_to_connector(connector, topic, payload, errors):
    connector._on_message(connector._client, None, mqtt_message(topic, payload))  # noqa
    connector._MqttConnector__stopped = False  # noqa
    try:
        connector._process_on_message()  # noqa
    except Exception as e:  # noqa  (outside every try of _process_on_message: the thread would end)
        errors.append("connector: exception escaped _process_on_message, the \"On Message\" thread dies: %s: %s"
                      % (type(e).__name__, e))
    connector._MqttConnector__stopped = True  # noqa


def deliver_to_sdk(tb_client, topic, payload_bytes, errors):
    try:
        tb_client._on_message(tb_client._client, None, mqtt_message(topic, payload_bytes))  # noqa
    except Exception as e:  # noqa  (paho re-raises exceptions of on_message: suppress_exceptions is False)
        errors.append("tb-client: exception escaped on_message (paho re-raises it in the network loop): %s: %s"
                      % (type(e).__name__, e))


def tb_json(value):
    """JSON text as ThingsBoard would send it (numbers as written in the case: 1.0 stays 1.0)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def case_payload(item):
    return bytes.fromhex(item["payloadHex"]) if "payloadHex" in item else item.get("payload", "").encode("utf-8")


def run_case(case):
    errors = []
    COLLECTOR.messages = []
    broker_wire, tb_wire = [], []
    result = {"id": case["id"], "toDevice": [], "toThingsBoard": [], "subscribed": [], "unsubscribed": []}
    printed = io.StringIO()
    with redirect_stdout(printed):
        try:
            event = case["event"]
            config = copy.deepcopy(case["connector"])
            config.setdefault("name", CONNECTOR_NAME)

            tb_client = TBGatewayMqttClient("localhost", 1883, "token", quality_of_service=1, client_id="gw")
            tb_client._TBDeviceMqttClient__is_connected = True  # noqa
            attach_wire(tb_client._client, tb_wire)  # noqa
            gateway = make_gateway(tb_client)
            tb_client.gateway = gateway
            tb_client.gw_set_server_side_rpc_request_handler(gateway._rpc_request_handler)  # noqa
            tb_client.set_server_side_rpc_request_handler(gateway._rpc_request_handler)  # noqa
            tb_client.gw_subscribe_to_all_attributes(gateway._attribute_update_callback)  # noqa

            connector = mqtt_connector_module.MqttConnector(gateway, config, "mqtt")
            connector._on_message_queue = _OneShotQueue(connector)
            gateway.connectors_configs = {"mqtt": [{"name": connector.get_name(), "config": config}]}
            gateway.available_connectors_by_name = {connector.get_name(): connector}
            attach_wire(connector._client, broker_wire)  # noqa
            connector._connected = True
            connector._on_connect(connector._client, None, {}, 0, None)  # noqa
            on_connect = [item for kind, items in broker_wire if kind == "subscribe" for item in items]
            result["subscribedOnConnect"] = on_connect
            del broker_wire[:]

            # Devices this connector already announced (ThingsBoard routes RPCs / updates of these to it).
            connected = case.get("connectedDevices")
            if connected is None:
                connected = {event["device"]: event.get("deviceType", "default")} \
                    if event["kind"] in ("rpc", "attributeUpdate") and event.get("device") is not None else {}
            for name, device_type in connected.items():
                entry = {CONNECTOR_PARAMETER: connector, DEVICE_TYPE_PARAMETER: device_type}
                gw_state(gateway, "connected_devices")[name] = dict(entry)
                gw_state(gateway, "saved_devices")[name] = dict(entry)
                gw_state(gateway, "added_devices")[name] = {
                    "device_details": {"connectorType": "mqtt", "connectorName": connector.get_name()},
                    "last_send_ts": 0}

            kind = event["kind"]
            if kind == "message":
                deliver_to_connector(connector, event["topic"], case_payload(event), errors)
                take_registered_rpcs(gateway)
                drain_rpc_replies(gateway)
                response = event.get("attributeResponse")
                if response is not None:
                    pending = dict(tb_client._attr_request_dict)  # noqa
                    if response == "timeout":
                        for number, callback in pending.items():  # TBDeviceMqttClient.__timeout_check
                            tb_client._attr_request_dict.pop(number, None)  # noqa
                            try:
                                callback(None, TBTimeoutException(
                                    "Timeout while waiting for a reply for attribute request from ThingsBoard!"))
                            except Exception as e:  # noqa  (no try there: the SDK's timeout thread ends)
                                errors.append("tb-client: exception escaped the attribute-request timeout callback,"
                                              " the SDK's \"Timeout check\" thread dies: %s: %s"
                                              % (type(e).__name__, e))
                    elif pending:
                        for number in sorted(pending):
                            answer = dict(response)
                            answer.setdefault("id", number)
                            if "device" not in answer:
                                requested = [e for e in tb_wire if e[0] == "publish" and
                                             e[1]["topic"] == b"v1/gateway/attributes/request"]
                                for _, details in requested:
                                    body = json.loads(details["payload"])
                                    if body.get("id") == number:
                                        answer["device"] = body.get("device")
                            ordered = {"id": answer.pop("id"), "device": answer.pop("device", None)}
                            ordered.update(answer)
                            deliver_to_sdk(tb_client, "v1/gateway/attributes/response", tb_json(ordered), errors)
                    else:
                        errors.append("runner: no attribute request was sent, attributeResponse not delivered")
            elif kind == "attributeUpdate":
                deliver_to_sdk(tb_client, "v1/gateway/attributes",
                               tb_json({"device": event["device"], "data": event["data"]}), errors)
            elif kind == "rpc":
                data = event["data"]
                if event.get("device") is not None:
                    deliver_to_sdk(tb_client, "v1/gateway/rpc",
                                   tb_json({"device": event["device"], "data": data}), errors)
                    run_rpc_to_devices_once(gateway, errors)
                else:  # connector RPC sent to the gateway device: v1/devices/me/rpc/request/<id>
                    body = {key: value for key, value in data.items() if key != "id"}
                    deliver_to_sdk(tb_client, "v1/devices/me/rpc/request/%s" % data.get("id"), tb_json(body), errors)
                take_registered_rpcs(gateway)
                drain_rpc_replies(gateway)
                reply = event.get("deviceReply")
                if reply is not None:
                    deliver_to_connector(connector, reply["topic"], case_payload(reply), errors)
                    drain_rpc_replies(gateway)
            else:
                errors.append("runner: unknown event kind %r" % kind)

            expire_rpcs(gateway)
            drain_rpc_replies(gateway)

            queued = connector._MqttConnector__msg_queue.qsize()  # noqa
            if queued:
                result["uplinkQueued"] = queued
        except Exception as e:  # noqa
            errors.append("harness: %s: %s" % (type(e).__name__, e))

    for kind, details in broker_wire:
        if kind == "publish":
            entry = {"topic": details["topic"].decode("utf-8", "replace")}
            entry.update(payload_fields(details["payload"]))
            entry["qos"] = details["qos"]
            entry["retain"] = details["retain"]
            result["toDevice"].append(entry)
        elif kind == "subscribe":
            result["subscribed"].extend(details)
        elif kind == "unsubscribe":
            result["unsubscribed"].extend(details)
    for kind, details in tb_wire:
        if kind == "publish":
            result["toThingsBoard"].append(tb_entry(details))
    messages = common.collected_errors(COLLECTOR, printed, errors)
    if messages:
        result["error"] = " | ".join(messages)[:600]
    return result


def encode_result(result):
    return json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def main():
    return common.convert_cases(sys.argv, __doc__, run_case, encode_result)


if __name__ == "__main__":
    sys.exit(main())
