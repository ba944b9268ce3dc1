#!/usr/bin/env python3
"""Run the reference gateway's (ThingsBoard IoT Gateway 3.8.5) MQTT uplink path over a JSONL file of cases.

    /tmp/tbgw-venv/bin/python reference_convert.py cases.jsonl > reference.jsonl

For every case this does, in process and without any network, what the reference does from the moment
paho hands a message to MqttConnector until the gateway publishes it to ThingsBoard:

  connector __init__   BackwardCompatibilityAdapter for old layouts, load_handlers (mandatory keys)
  _on_connect          converter class from `extension` / `type` via TBModuleLoader, instantiated with
                       (mapping, converter logger); topic filter -> regex (topic_to_regex, `$share` quirk)
  _process_on_message  every mapping regex that fullmatches the topic; put_data_to_convert decodes the
                       payload with TBUtility.decode unless the converter has SUPPORTS_BYTES_PAYLOAD
  ConverterWorker      convert(); an exception loses the message; results without datapoints are dropped
  send_to_storage      ReportStrategyService.filter_data_and_send (main strategy ON_RECEIVED, the connector
                       root `reportStrategy` registered as the gateway does)
  storage thread       validate_converted_data, convert_to_objects_with_maximal_size(8196),
                       simplejson.dumps(separators, skipkeys, ignore_nan) -> storage
  send thread          simplejson.loads, events grouped per device, gw_send_attributes / gw_send_telemetry
                       -> TBDeviceMqttClient._split_message (no rate limits, 8196 bytes) -> orjson.dumps

The result line holds what the published messages carry, per device: attributes merged over the
attribute messages, telemetry entries concatenated over the telemetry messages (the SDK has already
merged entries with equal ts). Numbers are written with orjson, as on the wire.

The clock is frozen at 1700000000.0 s (every `time()` of the converter path; dateutil's "today" for dates
with missing parts is 2023-11-14) and TZ=UTC, so dates without a zone are UTC.
"""
import os
import sys
import time as _time_module

os.environ["TZ"] = "UTC"
_time_module.tzset()

# The setup and IO helpers both reference runners use (log collection, the loop over the cases) are in
# ../reference_diff_common.py (standard library only), shared with ../mqtt-requests/reference_convert.py.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import reference_diff_common as common  # noqa: E402

import copy  # noqa: E402
import datetime  # noqa: E402
import io  # noqa: E402
import logging  # noqa: E402
import queue  # noqa: E402
import re  # noqa: E402
import threading  # noqa: E402
import types  # noqa: E402
import warnings  # noqa: E402
from contextlib import redirect_stdout  # noqa: E402

import orjson  # noqa: E402
import simplejson  # noqa: E402

FROZEN_TIME = 1700000000.0
warnings.simplefilter("ignore")  # dateutil UnknownTimezoneWarning etc.
CONNECTOR_NAME = "MQTT Broker Connector"
CONNECTOR_ID = "reference-diff-mqtt"
MAX_PAYLOAD_SIZE = 8196  # tb-mqtt-client default max_payload_size (used by get_max_payload_size_bytes and the SDK split)


def frozen_time():
    return FROZEN_TIME


class _FrozenTimeModule(types.ModuleType):
    """Stands in for `import time` in modules that call time.time()."""

    def __getattr__(self, name):
        return getattr(_time_module, name)


_frozen_time_module = _FrozenTimeModule("time")
_frozen_time_module.time = frozen_time


# ---------------------------------------------------------------------------------------------- error capture
class _Collector(common.ErrorCollector):
    def message_text(self, record):
        args = record.args if isinstance(record.args, tuple) else ()
        if args and isinstance(args[-1], BaseException):
            # 'Error in converter, for config: %s and message: %s %s': keep the text and the exception only
            head = str(record.msg).split("%")[0].split(",")[0]
            return "%s: %s: %s" % (head, type(args[-1]).__name__, args[-1])
        try:
            return record.getMessage()
        except Exception:  # noqa
            return str(record.msg)


COLLECTOR = _Collector()
common.install_collector(COLLECTOR)

# ---------------------------------------------------------------------------------------------- reference imports
with redirect_stdout(sys.stderr):
    from thingsboard_gateway.tb_utility.tb_utility import TBUtility  # noqa: E402
    from thingsboard_gateway.tb_utility.tb_loader import TBModuleLoader  # noqa: E402
    from thingsboard_gateway.connectors.mqtt.backward_compatibility_adapter import \
        BackwardCompatibilityAdapter  # noqa: E402
    from thingsboard_gateway.gateway.constants import CONVERTED_TS_PARAMETER, DATA_RETRIEVING_STARTED, \
        REPORT_STRATEGY_PARAMETER  # noqa: E402
    from thingsboard_gateway.gateway.entities.converted_data import ConvertedData  # noqa: E402
    from thingsboard_gateway.gateway.entities.report_strategy_config import ReportStrategyConfig  # noqa: E402
    import thingsboard_gateway.gateway.entities.telemetry_entry as telemetry_entry_module  # noqa: E402
    import thingsboard_gateway.gateway.report_strategy.report_strategy_service as report_strategy_module  # noqa
    from tb_device_mqtt import TBDeviceMqttClient  # noqa: E402
    import dateutil.parser._parser as dateutil_parser_module  # noqa: E402

logging.getLogger().setLevel(logging.WARNING)

# Freeze the clock in every module of the path that reads it.
telemetry_entry_module.time = frozen_time
report_strategy_module.time = frozen_time


class _FrozenDateTime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        moment = cls.fromtimestamp(FROZEN_TIME, tz=datetime.timezone.utc)
        return moment if tz is not None else moment.replace(tzinfo=None)

    @classmethod
    def today(cls):
        return cls.now()


_datetime_shim = types.ModuleType("datetime")
_datetime_shim.__dict__.update({k: v for k, v in datetime.__dict__.items() if not k.startswith("__")})
_datetime_shim.datetime = _FrozenDateTime
dateutil_parser_module.datetime = _datetime_shim

_PATCHED_CLASSES = set()


def _freeze_class_module(cls):
    """Converter classes come from TBModuleLoader, which loads their file as a fresh module: patch its globals."""
    if cls in _PATCHED_CLASSES:
        return
    _PATCHED_CLASSES.add(cls)
    init = cls.__dict__.get("__init__")
    if init is None or not hasattr(init, "__globals__"):
        return
    module_globals = init.__globals__
    current = module_globals.get("time")
    if isinstance(current, types.ModuleType):
        module_globals["time"] = _frozen_time_module
    elif callable(current):
        module_globals["time"] = frozen_time


class _DummyGateway:
    def __init__(self):
        self.stop_event = threading.Event()
        self.stop_event.set()  # the periodical-reporting thread exits at once; only the synchronous filter is used


SEND_QUEUE = queue.SimpleQueue()
with redirect_stdout(sys.stderr):
    REPORT_STRATEGY_SERVICE = report_strategy_module.ReportStrategyService(
        {"reportStrategy": {"type": "ON_RECEIVED"}}, _DummyGateway(), SEND_QUEUE, logging.getLogger("service"))

CONVERTER_LOG = logging.getLogger(CONNECTOR_NAME + "_converter")
CONVERTER_LOG.setLevel(logging.INFO)
CONNECTOR_LOG = logging.getLogger(CONNECTOR_NAME)
CONNECTOR_LOG.setLevel(logging.INFO)

DEFAULT_CONVERTERS = {"json": "JsonMqttUplinkConverter", "bytes": "BytesMqttUplinkConverter"}


# ---------------------------------------------------------------------------------------------- the path
def _load_mappings(config, errors):
    """MqttConnector.__init__ (adapter + load_handlers) and _on_connect (converters, topic regexes)."""
    if BackwardCompatibilityAdapter.is_old_config_format(config):
        config = BackwardCompatibilityAdapter(config).convert()
    if not config.get("broker"):
        errors.append("connector: Broker configuration is missing!")
        return {}

    mapping_key = "mapping" if config.get("mapping") else "dataMapping"
    handler_configuration = config.get(mapping_key)
    if handler_configuration is None:
        request_mapping_config = config.get("requestsMapping", {})
        if isinstance(request_mapping_config, dict):
            for request_mapping in request_mapping_config:
                if request_mapping == mapping_key:
                    handler_configuration = request_mapping_config[request_mapping]
    accepted = []
    if handler_configuration:
        for handler in handler_configuration:
            missing = [key for key in ("topicFilter", "converter") if key not in handler]
            if missing:
                errors.append("connector: Mandatory key(s) %s missing from %s handler" % (missing, mapping_key))
            else:
                accepted.append(handler)

    sub_topics = {}
    for mapping in accepted:
        try:
            converter_class_name = mapping["converter"].get("extension",
                                                            DEFAULT_CONVERTERS.get(mapping["converter"].get("type")))
            if not converter_class_name:
                errors.append("connector: Converter type or extension class should be configured!")
                continue
            module = TBModuleLoader.import_module("mqtt", converter_class_name)
            if not module:
                errors.append("connector: Cannot find converter for %s topic" % mapping["topicFilter"])
                continue
            _freeze_class_module(module)
            converter = module(mapping, CONVERTER_LOG)
            regex_topic = mapping["topicFilter"]
            if not regex_topic.startswith("$aws") and regex_topic.startswith("$"):
                regex_topic = "/".join(regex_topic.split("/")[2:])
            else:
                regex_topic = TBUtility.topic_to_regex(regex_topic)
            sub_topics.setdefault(regex_topic, []).append(converter)
        except Exception as e:  # noqa  (_on_connect: self.__log.exception(e))
            errors.append("connector: %s: %s" % (type(e).__name__, e))
    return sub_topics


def _storage_events(converted, errors):
    """send_to_storage -> report strategy -> storage thread; returns the stored JSON strings."""
    while not SEND_QUEUE.empty():
        SEND_QUEUE.get_nowait()
    for data in converted:
        data.add_to_metadata({DATA_RETRIEVING_STARTED: int(FROZEN_TIME * 1000)})
        try:
            REPORT_STRATEGY_SERVICE.filter_data_and_send(data, CONNECTOR_NAME, CONNECTOR_ID)
        except Exception as e:  # noqa  (send_to_storage: "Cannot put converted data!")
            errors.append("service: Cannot put converted data! %s: %s" % (type(e).__name__, e))
    tasks = []
    while not SEND_QUEUE.empty():
        tasks.append(SEND_QUEUE.get_nowait())

    stored = []
    try:  # __send_to_storage: one exception loses the rest of the batch
        for _name, _id, event in tasks:
            for data in (event if isinstance(event, list) else [event]):
                data.metadata = {}
                if not TBUtility.validate_converted_data(data):
                    continue
                for adopted in data.convert_to_objects_with_maximal_size(MAX_PAYLOAD_SIZE):
                    stored.append(simplejson.dumps(adopted.to_dict(False), separators=(",", ":"),
                                                   skipkeys=True, ignore_nan=True))
    except Exception as e:  # noqa
        errors.append("service: Error while sending data to storage! %s: %s" % (type(e).__name__, e))
    return stored


def _publish(stored, errors):
    """__read_data_from_storage + __send_data + tb_gateway_mqtt/tb_device_mqtt publish splitting."""
    pack = {}
    device_types = {}
    for event in stored:
        current_event = simplejson.loads(event)
        name = current_event["deviceName"]
        if not pack.get(name):
            pack[name] = {"telemetry": [], "attributes": {}}
        device_types.setdefault(name, current_event.get("deviceType"))
        if current_event.get("telemetry"):
            telemetry = current_event["telemetry"]
            pack[name]["telemetry"].extend(telemetry if isinstance(telemetry, list) else [telemetry])
        if current_event.get("attributes"):
            attributes = current_event["attributes"]
            for item in (attributes if isinstance(attributes, list) else [attributes]):
                pack[name]["attributes"].update(item.items())

    # __send_data: per device attributes, then telemetry; every split part is dumped and published in turn.
    # An exception ends the loop: what was published before it stays published (the pack is then acknowledged
    # and deleted, so the rest is lost).
    devices = []
    try:
        for name, device_data in pack.items():
            device_type = device_types.get(name)
            published = {"deviceName": name,
                         "deviceType": device_type if device_type is not None else "default",  # add_device()
                         "telemetry": [],
                         "attributes": {}}
            devices.append(published)
            if device_data.get("attributes"):
                for split in TBDeviceMqttClient._split_message(device_data["attributes"], 0, MAX_PAYLOAD_SIZE):
                    for msg_data in split["data"]:
                        wire = orjson.dumps({name: msg_data}, option=orjson.OPT_NON_STR_KEYS)
                        published["attributes"].update(orjson.loads(wire)[name])
            if device_data.get("telemetry"):
                for split in TBDeviceMqttClient._split_message(device_data["telemetry"], 0, MAX_PAYLOAD_SIZE):
                    wire = orjson.dumps({name: split["data"]}, option=orjson.OPT_NON_STR_KEYS)
                    published["telemetry"].extend(orjson.loads(wire)[name])
    except Exception as e:  # noqa  (__send_data: "Error while sending data to ThingsBoard, it will be resent.")
        errors.append("service: Error while sending data to ThingsBoard, it will be resent. %s: %s"
                      % (type(e).__name__, e))
    return [device for device in devices if device["telemetry"] or device["attributes"]]


def run_case(case):
    errors = []
    COLLECTOR.messages = []
    REPORT_STRATEGY_SERVICE.clear_cache()
    REPORT_STRATEGY_SERVICE._connectors_report_strategies.clear()  # noqa
    printed = io.StringIO()
    devices = []
    with redirect_stdout(printed):
        try:
            config = copy.deepcopy(case["connector"])
            config.setdefault("name", CONNECTOR_NAME)
            try:  # TBGatewayService._load_connector: connector root reportStrategy
                REPORT_STRATEGY_SERVICE.register_connector_report_strategy(
                    CONNECTOR_NAME, CONNECTOR_ID, ReportStrategyConfig(config.get(REPORT_STRATEGY_PARAMETER)))
            except ValueError:
                pass
            payload = bytes.fromhex(case["payloadHex"]) if "payloadHex" in case else case["payload"].encode("utf-8")
            topic = case["topic"]

            sub_topics = _load_mappings(config, errors)

            tasks = []
            for regex in [regex for regex in sub_topics if re.fullmatch(regex, topic)]:
                for converter in sub_topics[regex]:
                    try:
                        content = payload
                        if not hasattr(converter, "SUPPORTS_BYTES_PAYLOAD"):
                            content = TBUtility.decode(content)
                        tasks.append((converter.convert, topic, content))
                    except Exception as e:  # noqa
                        errors.append("connector: %s: %s" % (type(e).__name__, e))
            if not tasks:
                errors.append("connector: Cannot find converter for the topic:\"%s\"!" % topic)

            to_send = []
            try:  # ConverterWorker.run: one exception loses the rest of the batch
                for convert_function, message_topic, incoming_data in tasks:
                    converted_data = convert_function(message_topic, incoming_data)
                    if isinstance(converted_data, ConvertedData):
                        converted_data.add_to_metadata({CONVERTED_TS_PARAMETER: int(FROZEN_TIME * 1000)})
                        if converted_data and (converted_data.telemetry_datapoints_count > 0 or
                                               converted_data.attributes_datapoints_count > 0):
                            to_send.append(converted_data)
                    else:
                        for data in converted_data:
                            data.add_to_metadata({CONVERTED_TS_PARAMETER: int(FROZEN_TIME * 1000)})
                            if data.telemetry_datapoints_count > 0 or data.attributes_datapoints_count > 0:
                                to_send.append(data)
            except Exception as e:  # noqa
                errors.append("worker: Error in worker: %s: %s" % (type(e).__name__, e))

            devices = _publish(_storage_events(to_send, errors), errors)
        except Exception as e:  # noqa  (connector failed to load)
            errors.append("harness: %s: %s" % (type(e).__name__, e))
    messages = common.collected_errors(COLLECTOR, printed, errors)
    result = {"id": case["id"], "devices": devices}
    if messages:
        result["error"] = " | ".join(messages)[:400]
    return result


def encode_result(result):
    try:
        return orjson.dumps(result)
    except TypeError:  # a value orjson cannot write never reaches the wire; keep the line readable
        return simplejson.dumps(result, ensure_ascii=False).encode("utf-8")


def main():
    return common.convert_cases(sys.argv, __doc__, run_case, encode_result)


if __name__ == "__main__":
    sys.exit(main())
