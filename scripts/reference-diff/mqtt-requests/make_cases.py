#!/usr/bin/env python3
"""Write the MQTT requestsMapping reference-diff cases (JSONL) to stdout or to the file given.

    python3 make_cases.py [cases.jsonl] [--stats]

One JSON object per line:
  {"id": "<family>/<what it exercises>",
   "connector": {<full MQTT connector config: broker, mapping (often []), requestsMapping or old top-level sections>},
   "connectedDevices"?: {"<device name>": "<device type>", ...},
   "event": <one event, see README.md>}

Events:
  {"kind": "message", "topic", "payload" | "payloadHex", "attributeResponse"?: {<answer fields>} | "timeout"}
  {"kind": "attributeUpdate", "device", "deviceType", "data": {<key>: <value>, ...}}
  {"kind": "rpc", "device" (null = connector RPC sent to the gateway device), "deviceType",
   "data": {"id", "method", "params"}, "deviceReply": null | {"topic", "payload" | "payloadHex"}}

Deterministic: every random choice comes from random.Random(SEED); standard library only.
The id's first path segment is the family (corpus, connect, disconnect, attrreq, attrupdate, rpc, reserved,
connrpc, legacy, fuzz); `--stats` prints the counts.
"""
import json
import os
import random
import sys

# The helpers both case generators use (case list, payload fields, deviceInfo, corpus files, writing the file) are in
# ../reference_diff_common.py, shared with ../mqtt/make_cases.py.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import reference_diff_common as common  # noqa: E402
from reference_diff_common import info  # noqa: E402

SEED = 20251107

BROKER = {"host": "127.0.0.1", "port": 1883, "security": {"type": "anonymous"}}

CASES = common.CaseList()


def add(case_id, connector, event, connected=None):
    case = {"id": case_id, "connector": connector}
    if connected is not None:
        case["connectedDevices"] = connected
    case["event"] = event
    CASES.add(case)


def conn(requests, mapping=None, **root):
    result = {"broker": root.pop("broker", BROKER), "mapping": [] if mapping is None else mapping,
              "requestsMapping": requests}
    result.update(root)
    return result


def message(topic, payload=None, payload_hex=None, attribute_response=None):
    event = common.set_payload({"kind": "message", "topic": topic}, payload, payload_hex)
    if attribute_response is not None:
        event["attributeResponse"] = attribute_response
    return event


def attribute_update(data, device="SN-1", device_type="default"):
    return {"kind": "attributeUpdate", "device": device, "deviceType": device_type, "data": data}


def rpc(method, params, device="SN-1", request_id=7, reply=None, device_type="default"):
    return {"kind": "rpc", "device": device, "deviceType": device_type,
            "data": {"id": request_id, "method": method, "params": params}, "deviceReply": reply}


def reply(topic, payload=None, payload_hex=None):
    return common.set_payload({"topic": topic}, payload, payload_hex)


# JSON values of every kind, used for attribute values, RPC params, names from messages.
VALUES = [
    ("str", "on"), ("str-quote", 'say "hi"'), ("str-apostrophe", "it's"), ("str-backslash", "a\\b"),
    ("str-empty", ""), ("str-unicode", "Gerät-ü😀"), ("str-json", '{"a":1}'), ("str-number", "42"),
    ("str-true", "true"), ("str-None", "None"), ("str-placeholder", "${deviceName}"), ("str-newline", "a\nb"),
    ("str-slash", "x/y"), ("str-plus", "a+b"),
    ("int", 42), ("int-negative", -7), ("int-zero", 0), ("int-big", 12345678901234567890), ("int-huge", 2 ** 70),
    ("float", 1.5), ("float-1.0", 1.0), ("float-1e20", 1e20), ("float-small", 1e-7), ("float-negative-zero", -0.0),
    ("float-pi", 3.141592653589793), ("bool-true", True), ("bool-false", False), ("null", None),
    ("object", {"a": 1, "b": [True, None]}), ("object-empty", {}), ("object-nested", {"x": {"y": {"z": "deep"}}}),
    ("array", [1, "two", 3.0]), ("array-empty", []), ("object-unicode", {"ключ": "значение"}),
]


# ----------------------------------------------------------------------------------------------- corpus
def gen_corpus():
    """The reference's own example requestsMapping and the upstream unit-test configs, with fitting events."""
    sources = common.corpus_sources(("attribute_updates", "attribute_requests", "connect_requests",
                                     "disconnect_requests", "server_side_rpc"))
    if not sources:
        return
    for label, path in sources:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        if "broker" not in document:  # a single request entry (upstream fixtures): wrap it
            section = label.split("/")[0]
            key = {"attribute_updates": "attributeUpdates", "attribute_requests": "attributeRequests",
                   "connect_requests": "connectRequests", "disconnect_requests": "disconnectRequests",
                   "server_side_rpc": "serverSideRpc"}[section]
            document = conn({key: [document]})
        else:
            document = dict(document)
            document["broker"] = BROKER
        prefix = "corpus/" + label
        sections = dict(document.get("requestsMapping") or {})
        for key in ("connectRequests", "disconnectRequests", "attributeRequests", "attributeUpdates",
                    "serverSideRpc"):
            if isinstance(document.get(key), list):
                sections[key] = document[key]
        for n, entry in enumerate(sections.get("connectRequests") or []):
            if not isinstance(entry, dict) or "topicFilter" not in entry:
                continue
            topic = entry["topicFilter"].replace("+", "SN-7")
            add("%s/connect[%d]/sn-payload" % (prefix, n), document, message(topic, {"serialNumber": "SN-001"}))
            add("%s/connect[%d]/empty-payload" % (prefix, n), document, message(topic, ""))
        for n, entry in enumerate(sections.get("disconnectRequests") or []):
            if not isinstance(entry, dict) or "topicFilter" not in entry:
                continue
            topic = entry["topicFilter"].replace("+", "SN-7")
            connected = {"SN-001": "default", "SN-7": "default", "Demo Device": "default"}
            add("%s/disconnect[%d]/connected" % (prefix, n), document, message(topic, {"serialNumber": "SN-001"}),
                connected)
            add("%s/disconnect[%d]/not-connected" % (prefix, n), document, message(topic, {"serialNumber": "SN-001"}))
        for n, entry in enumerate(sections.get("attributeRequests") or []):
            if not isinstance(entry, dict) or "topicFilter" not in entry:
                continue
            topic = entry["topicFilter"].replace("+", "SN-7")
            payload = {"serialNumber": "SN-001", "versionAttribute": "firmwareVersion", "pduAttribute": "pdu",
                       "versionModel": "model", "relay": "relay"}
            add("%s/attrreq[%d]/one-value" % (prefix, n), document,
                message(topic, payload, attribute_response={"value": "1.2.3"}))
            add("%s/attrreq[%d]/values" % (prefix, n), document,
                message(topic, payload, attribute_response={"values": {"firmwareVersion": "1.2.3", "pdu": 4}}))
        for n, entry in enumerate(sections.get("attributeUpdates") or []):
            if not isinstance(entry, dict):
                continue
            key = entry.get("attributeFilter") or "relay"
            key = key.strip("^$").replace("\\.*", "").replace("\\d+", "1").replace("\\", "")
            for label2, value in (("str", "on"), ("number", 12), ("bool", True), ("object", {"a": 1})):
                add("%s/attrupdate[%d]/%s" % (prefix, n, label2), document,
                    attribute_update({key: value, "other": 1}, device="SN-001"))
        for n, entry in enumerate(sections.get("serverSideRpc") or []):
            if not isinstance(entry, dict):
                continue
            method = entry.get("methodFilter", "echo")
            add("%s/rpc[%d]/no-reply" % (prefix, n), document, rpc(method, {"value": True}, device="SN-001",
                                                                       request_id=15))
            if entry.get("responseTopicExpression"):
                topic = entry["responseTopicExpression"].replace("${deviceName}", "SN-001") \
                    .replace("${methodName}", method).replace("${requestId}", "15")
                add("%s/rpc[%d]/reply" % (prefix, n), document,
                    rpc(method, {"value": True}, device="SN-001", request_id=15, reply=reply(topic, {"ok": 1})))


# ----------------------------------------------------------------------------------------------- connect
NAME_TOPICS = [
    ("lookaround", "(?<=sensor/)(.*?)(?=/connect)", "sensor/+/connect", "sensor/SN-7/connect"),
    ("group-whole-match", "sensor/(.*)/connect", "sensor/+/connect", "sensor/SN-8/connect"),
    ("two-groups", "([^/]+)/([^/]+)/connect", "+/+/connect", "site/SN-9/connect"),
    ("no-group", "[^/]+$", "sensor/+", "sensor/leaf-1"),
    ("prefix-match", "SN-\\d+", "sensor/+/connect", "sensor/SN-10/connect"),
    ("named-group", "(?P<dev>[^/]+)/connect$", "sensor/+/connect", "sensor/SN-11/connect"),
    ("alternation", "(SN-\\d+)|(ID-\\d+)", "sensor/+/connect", "sensor/ID-13/connect"),
    ("not-matching", "(?<=device/)(.*)", "sensor/+/connect", "sensor/SN-15/connect"),
    ("unicode-topic", "(?<=sensor/)(.*?)(?=/connect)", "sensor/+/connect", "sensor/Gerät-ü/connect"),
    ("hash-filter", "(?<=sensor/)(.*)", "sensor/#", "sensor/a/b/c"),
    ("case-sensitive", "(?<=Sensor/)(.*)", "sensor/+", "sensor/x"),
    ("ignorecase-flag", "(?i)(?<=SENSOR/)(.*)", "sensor/+", "sensor/lower"),
    ("anchored", "^sensor/([^/]+)$", "sensor/+", "sensor/A1"),
    ("empty-match", "x*", "sensor/+", "sensor/abc"),
    ("invalid-regex", "(?<=sensor/", "sensor/+", "sensor/abc"),
]

NAME_MESSAGES = [
    ("nested", "${info.sn}", {"info": {"sn": "N-1"}}),
    ("nested-int", "${info.sn}", {"info": {"sn": 5}}),
    ("nested-missing", "${info.sn}", {"info": {}}),
    ("array-index", "${ids[1]}", {"ids": ["a", "b"]}),
    ("template", "Dev-${type}-${id}", {"type": "th", "id": 7}),
    ("template-suffix", "${id}-x", {"id": "A"}),
    ("template-missing", "Dev-${missing}", {}),
    ("template-null", "x-${n}", {"n": None}),
    ("literal-no-placeholder", "JustText", {}),
    ("literal-is-key", "serial", {"serial": "VALUE"}),
    ("spaced-key", "${serial number}", {"serial number": "SP-1"}),
    ("empty-placeholder", "${}", {"": "E"}),
    ("unicode-placeholder", "${gerät}", {"gerät": "U-1"}),
]

PAYLOAD_SHAPES = [
    ("empty", ""), ("not-json", "hello"), ("json-string", '"SN-1"'), ("json-number", "42"), ("json-array",
                                                                                          '[{"serialNumber":"A-1"}]'),
    ("json-null", "null"), ("json-true", "true"), ("single-quotes", "{'serialNumber': 'Q-1'}"),
    ("bom", "\ufeff{\"serialNumber\":\"B-1\"}"), ("nan", '{"serialNumber": NaN}'),
]


def gen_connect(section="connectRequests", family="connect", connected=None):
    def one(entry_info, topic_filter="sensor/connect", **extra):
        entry = {"topicFilter": topic_filter}
        if entry_info is not None:
            entry["deviceInfo"] = entry_info
        entry.update(extra)
        return conn({section: [entry]})

    for label, value in VALUES:
        add("%s/name-message/value-%s" % (family, label), one(info("message", "${serialNumber}", "constant", "Th")),
            message("sensor/connect", {"serialNumber": value}), connected)
    add("%s/name-message/missing-key" % family, one(info("message", "${serialNumber}")),
        message("sensor/connect", {"other": 1}), connected)
    for label, expr, payload in NAME_MESSAGES:
        add("%s/name-message/%s" % (family, label), one(info("message", expr)), message("sensor/connect", payload),
            connected)
    for label, regex, topic_filter, topic in NAME_TOPICS:
        add("%s/name-topic/%s" % (family, label), one(info("topic", regex, "constant", "Th"), topic_filter),
            message(topic, "{}"), connected)
    for label, name in (("plain", "Boiler 1"), ("unicode", "Kessel-Ä"), ("with-placeholder", "C-${model}"),
                        ("empty", ""), ("regex-looking", "sensor/(.*)")):
        add("%s/name-constant/%s" % (family, label), one(info("constant", name)),
            message("sensor/connect", {"model": "M1"}), connected)
    for label, entry_info in (("no-deviceInfo", None), ("empty-deviceInfo", {}),
                              ("no-source", {"deviceNameExpression": "${serialNumber}"}),
                              ("unknown-source", info("payload", "${serialNumber}")),
                              ("source-uppercase", info("MESSAGE", "${serialNumber}")),
                              ("no-expression", {"deviceNameExpressionSource": "message"}),
                              ("no-expression-constant", {"deviceNameExpressionSource": "constant"})):
        add("%s/name-missing/%s" % (family, label), one(entry_info), message("sensor/connect", {"serialNumber": "S"}),
            connected)
    for label, payload in PAYLOAD_SHAPES:
        add("%s/payload-name-message/%s" % (family, label), one(info("message", "${serialNumber}")),
            message("sensor/connect", payload), connected)
        add("%s/payload-name-topic/%s" % (family, label),
            one(info("topic", "(?<=sensor/)(.*?)(?=/connect)"), "sensor/+/connect"),
            message("sensor/T-1/connect", payload), connected)
    add("%s/payload-name-message/non-utf8-json" % family, one(info("message", "${serialNumber}")),
        message("sensor/connect", payload_hex=b'\xff{"serialNumber":"X-1"}'.hex()), connected)
    add("%s/payload-name-topic/non-utf8" % family,
        one(info("topic", "(?<=sensor/)(.*?)(?=/connect)"), "sensor/+/connect"),
        message("sensor/T-1/connect", payload_hex="fffe00"), connected)
    if family == "connect":
        profiles = [
            ("constant", "constant", "Thermo", {}),
            ("constant-placeholder", "constant", "P-${model}", {"model": "M"}),
            ("message", "message", "${sensorType}", {"sensorType": "Thermo"}),
            ("message-missing", "message", "${sensorType}", {}),
            ("message-int", "message", "${sensorType}", {"sensorType": 5}),
            ("message-null", "message", "${sensorType}", {"sensorType": None}),
            ("message-nested-int", "message", "${s.t}", {"s": {"t": 5}}),
            ("message-template", "message", "T-${sensorType}", {"sensorType": "x"}),
            ("topic", "topic", "(?<=sensor/)(.*?)(?=/connect)", {}),
            ("topic-not-matching", "topic", "Thermometer", {}),
            ("no-source", None, "Thermo", {}),
            ("no-expression", "constant", None, {}),
            ("unknown-source", "payload", "Thermo", {}),
            ("constant-empty", "constant", "", {}),
        ]
        for label, source, expr, payload in profiles:
            add("connect/profile/%s" % label,
                one(info("constant", "Prof Dev", source, expr), "sensor/+/connect"),
                message("sensor/P-1/connect", payload))
        add("connect/already-connected/same-type",
            one(info("constant", "Known", "constant", "Th")), message("sensor/connect", "{}"), {"Known": "Th"})
        add("connect/already-connected/other-type",
            one(info("constant", "Known", "constant", "New")), message("sensor/connect", "{}"), {"Known": "Old"})
        add("connect/name-other-connector-device", one(info("constant", "Other")), message("sensor/connect", "{}"),
            {"Unrelated": "default"})
        two = conn({"connectRequests": [
            {"topicFilter": "sensor/+/connect", "deviceInfo": info("topic", "(?<=sensor/)(.*?)(?=/connect)")},
            {"topicFilter": "sensor/#", "deviceInfo": info("constant", "Catch All", "constant", "Any")}]})
        add("connect/several/two-filters-two-names", two, message("sensor/D-1/connect", "{}"))
        add("connect/several/only-hash-matches", two, message("sensor/x", "{}"))
        same = conn({"connectRequests": [
            {"topicFilter": "sensor/+/connect", "deviceInfo": info("topic", "(?<=sensor/)(.*?)(?=/connect)")},
            {"topicFilter": "sensor/#", "deviceInfo": info("topic", "(?<=sensor/)(.*?)(?=/connect)", "constant",
                                                          "Second")}]})
        add("connect/several/same-name-twice", same, message("sensor/D-2/connect", "{}"))
        dup = conn({"connectRequests": [
            {"topicFilter": "sensor/connect", "deviceInfo": info("constant", "First")},
            {"topicFilter": "sensor/connect", "deviceInfo": info("constant", "Second")}]})
        add("connect/several/same-filter-last-wins", dup, message("sensor/connect", "{}"))
        first_fails = conn({"connectRequests": [
            {"topicFilter": "sensor/+/connect", "deviceInfo": info("message", "${missing.x}")},
            {"topicFilter": "sensor/#", "deviceInfo": info("constant", "Fallback")}]})
        add("connect/several/first-name-missing", first_fails, message("sensor/a/connect", '"text"'))
        both = conn({"connectRequests": [{"topicFilter": "dev/+/state", "deviceInfo": info("constant", "C")}],
                     "disconnectRequests": [{"topicFilter": "dev/+/state", "deviceInfo": info("constant", "C")}]})
        add("connect/also-disconnect-filter/not-connected", both, message("dev/1/state", "{}"))
        add("connect/also-disconnect-filter/connected", both, message("dev/1/state", "{}"), {"C": "default"})
        for label, topic_filter, topic in (("share", "$share/g/sensor/connect", "sensor/connect"),
                                           ("share-literal", "$share/g/sensor/connect", "$share/g/sensor/connect"),
                                           ("plus-empty-level", "sensor/+/connect", "sensor//connect"),
                                           ("hash-parent", "sensor/#", "sensor"),
                                           ("hash-only", "#", "any/topic/here"),
                                           ("regex-chars", "sensor/(x).[y]", "sensor/(x).[y]"),
                                           ("regex-chars-no", "sensor/(x).[y]", "sensor/x.y"),
                                           ("case", "Sensor/connect", "sensor/connect")):
            add("connect/topic-filter/%s" % label, one(info("constant", "TF"), topic_filter), message(topic, "{}"))
        for qos in (0, 2):
            add("connect/subscription-qos/%d" % qos, one(info("constant", "Q"), subscriptionQos=qos),
                message("sensor/connect", "{}"))
        add("connect/no-topicFilter-rejected",
            conn({"connectRequests": [{"deviceInfo": info("constant", "NoFilter")},
                                      {"topicFilter": "sensor/connect", "deviceInfo": info("constant", "Ok")}]}),
            message("sensor/connect", "{}"))
        add("connect/section-not-a-list", conn({"connectRequests": {}}), message("sensor/connect", "{}"))
        add("connect/top-level-section-new-layout",
            {"broker": BROKER, "mapping": [], "connectRequests": [{"topicFilter": "sensor/connect",
                                                                   "deviceInfo": info("constant", "Top")}]},
            message("sensor/connect", "{}"))
        add("connect/top-level-wins-over-requestsMapping",
            {"broker": BROKER, "mapping": [],
             "connectRequests": [{"topicFilter": "sensor/connect", "deviceInfo": info("constant", "Top")}],
             "requestsMapping": {"connectRequests": [{"topicFilter": "sensor/connect",
                                                      "deviceInfo": info("constant", "Nested")}]}},
            message("sensor/connect", "{}"))
        mapped = conn({"connectRequests": [{"topicFilter": "sensor/+/connect",
                                            "deviceInfo": info("topic", "(?<=sensor/)(.*?)(?=/connect)")}]},
                      mapping=[{"topicFilter": "sensor/#", "converter": {
                          "type": "json", "deviceInfo": info("constant", "Mapped", "constant", "default"),
                          "attributes": [], "timeseries": [{"type": "string", "key": "k", "value": "${k}"}]}}])
        add("connect/mapping-takes-the-message", mapped, message("sensor/M-1/connect", {"k": "v"}))
        add("connect/device-name-types/int-from-nested", one(info("message", "${a.b}", "constant", "T")),
            message("sensor/connect", {"a": {"b": 12}}))
        add("connect/device-name-types/object-from-nested", one(info("message", "${a.b}")),
            message("sensor/connect", {"a": {"b": {"c": 1}}}))
        add("connect/device-name-types/list-from-nested", one(info("message", "${a.b}")),
            message("sensor/connect", {"a": {"b": [1, 2]}}))


def gen_disconnect():
    gen_connect("disconnectRequests", "disconnect", connected=None)
    # the same names, this time connected to this connector
    names = {"SN-1": "default", "N-1": "default", "Boiler 1": "default", "T-1": "default", "SN-7": "default",
             "sensor/SN-8/connect": "default", "S": "default", "${serialNumber}": "default", "None": "default",
             "": "default", "42": "default", "JustText": "default", "Dev-${missing}": "default"}
    entry = {"topicFilter": "sensor/+/disconnect", "deviceInfo": info("topic", "(?<=sensor/)(.*?)(?=/disconnect)")}
    add("disconnect/connected/topic", conn({"disconnectRequests": [entry]}), message("sensor/SN-7/disconnect", ""),
        names)
    add("disconnect/connected/other-device-only", conn({"disconnectRequests": [entry]}),
        message("sensor/SN-9/disconnect", ""), names)
    msg_entry = {"topicFilter": "sensor/disconnect", "deviceInfo": info("message", "${serialNumber}")}
    for label, value in (("str", "SN-1"), ("int", 42), ("null", None), ("missing", "__missing__"), ("empty", "")):
        payload = {} if value == "__missing__" else {"serialNumber": value}
        add("disconnect/connected/message-%s" % label, conn({"disconnectRequests": [msg_entry]}),
            message("sensor/disconnect", payload), names)
    add("disconnect/connected/not-json", conn({"disconnectRequests": [msg_entry]}),
        message("sensor/disconnect", "SN-1"), names)
    two = conn({"disconnectRequests": [
        {"topicFilter": "sensor/+/disconnect", "deviceInfo": info("topic", "(?<=sensor/)(.*?)(?=/disconnect)")},
        {"topicFilter": "sensor/#", "deviceInfo": info("constant", "Boiler 1")}]})
    add("disconnect/several/first-breaks", two, message("sensor/SN-7/disconnect", ""), names)
    add("disconnect/several/first-not-connected-breaks", two, message("sensor/SN-99/disconnect", ""), names)
    first_missing = conn({"disconnectRequests": [
        {"topicFilter": "sensor/+/disconnect", "deviceInfo": info("message", "${nope.x}")},
        {"topicFilter": "sensor/#", "deviceInfo": info("constant", "Boiler 1")}]})
    add("disconnect/several/first-name-missing-continues", first_missing, message("sensor/a/disconnect", '"x"'),
        names)
    add("disconnect/profile-ignored", conn({"disconnectRequests": [
        {"topicFilter": "sensor/disconnect", "deviceInfo": info("constant", "SN-1", "message", "${t}")}]}),
        message("sensor/disconnect", {"t": "Th"}), names)


# ----------------------------------------------------------------------------------------------- attribute requests
def attr_entry(name_info=None, name_source="message", name_expr="${attrName}", topic_filter="dev/attr/request",
               topic_expr="devices/${deviceName}/attrs", value_expr="{\"${attributeKey}\": ${attributeValue}}",
               **extra):
    entry = {"topicFilter": topic_filter,
             "deviceInfo": name_info if name_info is not None else info("message", "${serialNumber}")}
    common.set_present(entry, ("attributeNameExpressionSource", name_source), ("attributeNameExpression", name_expr),
                       ("topicExpression", topic_expr), ("valueExpression", value_expr))
    entry.update(extra)
    return entry


def gen_attribute_requests():
    base_payload = {"serialNumber": "SN-1", "attrName": "firmwareVersion"}
    ok = {"value": "1.2.3"}
    for label, value in VALUES:
        add("attrreq/answer-value/%s" % label, conn({"attributeRequests": [attr_entry()]}),
            message("dev/attr/request", base_payload, attribute_response={"value": value}))
        add("attrreq/answer-value-plain/%s" % label,
            conn({"attributeRequests": [attr_entry(value_expr="${attributeValue}")]}),
            message("dev/attr/request", base_payload, attribute_response={"value": value}))
    answers = [
        ("values-one-key", {"values": {"firmwareVersion": "1.2.3"}}),
        ("values-two-keys", {"values": {"firmwareVersion": "1.2.3", "other": 5}}),
        ("values-empty", {"values": {}}),
        ("value-and-values", {"value": "v", "values": {"a": 1}}),
        ("no-value", {}),
        ("value-null-values-set", {"value": None, "values": {"a": 1}}),
        ("other-device", {"device": "Other-9", "value": "x"}),
        ("device-null", {"device": None, "value": "x"}),
        ("device-int", {"device": 5, "value": "x"}),
        ("device-with-placeholder", {"device": "D-${attributeKey}", "value": "x"}),
        ("unknown-id", {"id": 999, "value": "x"}),
        ("error-field", {"error": "not found"}),
        ("timeout", "timeout"),
    ]
    for label, answer in answers:
        add("attrreq/answer/%s" % label, conn({"attributeRequests": [attr_entry()]}),
            message("dev/attr/request", base_payload, attribute_response=answer))
    names = [
        ("str", "${attrName}", {"attrName": "fw"}),
        ("int", "${attrName}", {"attrName": 5}),
        ("float-1.0", "${attrName}", {"attrName": 1.0}),
        ("bool", "${attrName}", {"attrName": True}),
        ("null", "${attrName}", {"attrName": None}),
        ("empty", "${attrName}", {"attrName": ""}),
        ("list-top-level", "${attrName}", {"attrName": ["a", "b"]}),
        ("object-top-level", "${attrName}", {"attrName": {"k": 1}}),
        ("list-nested", "${req.names}", {"req": {"names": ["a", "b"]}}),
        ("str-nested", "${req.name}", {"req": {"name": "fw"}}),
        ("int-nested", "${req.name}", {"req": {"name": 3}}),
        ("missing", "${attrName}", {}),
        ("two-comma-space", "${a}, ${b}", {"a": "fw", "b": "hw"}),
        ("two-comma", "${a},${b}", {"a": "fw", "b": "hw"}),
        ("two-one-missing", "${a}, ${b}", {"a": "fw"}),
        ("two-both-missing", "${a}, ${b}", {}),
        ("three-duplicate", "${a}, ${b}, ${a}", {"a": "fw", "b": "hw"}),
        ("literal", "firmwareVersion", {}),
        ("literal-list", "fw, hw", {}),
        ("literal-with-placeholder", "fw_${a}", {"a": "x"}),
        ("value-with-comma", "${a}", {"a": "fw,hw"}),
        ("unicode", "${a}", {"a": "Прошивка"}),
        ("placeholder-chars", "${gerät}", {"gerät": "fw"}),
        ("spaced", "${my key}", {"my key": "fw", "my": "first"}),
        ("array-index", "${keys[1]}", {"keys": ["a", "b"]}),
        ("array-star", "${keys[*]}", {"keys": ["a", "b"]}),
        ("empty-expression", "", {}),
    ]
    for label, expr, extra in names:
        payload = dict({"serialNumber": "SN-1"}, **extra)
        for source in ("message", "constant"):
            add("attrreq/names-%s/%s" % (source, label),
                conn({"attributeRequests": [attr_entry(name_source=source, name_expr=expr)]}),
                message("dev/attr/request", payload, attribute_response={"value": 1}))
    for label, source, expr, topic_filter, topic in (
            ("topic-word-in-topic", "topic", "(?<=attr/)(.*)", "dev/attr/+", "dev/attr/topic"),
            ("topic-word-absent", "topic", "(?<=attr/)(.*)", "dev/attr/+", "dev/attr/fw"),
            ("topic-lookbehind", "topic", "(?<=request/)(.*)", "dev/topic/request/+", "dev/topic/request/fw"),
            ("source-absent", None, "${attrName}", "dev/attr/request", "dev/attr/request"),
            ("source-unknown", "payload", "${attrName}", "dev/attr/request", "dev/attr/request"),
            ("source-uppercase", "MESSAGE", "${attrName}", "dev/attr/request", "dev/attr/request"),
            ("expression-absent", "message", None, "dev/attr/request", "dev/attr/request")):
        add("attrreq/name-source/%s" % label,
            conn({"attributeRequests": [attr_entry(name_source=source, name_expr=expr, topic_filter=topic_filter)]}),
            message(topic, base_payload, attribute_response={"value": "v"}))
    for label, entry_info, topic_filter, topic, payload in (
            ("topic", info("topic", "(?<=dev/)(.*?)(?=/attr)"), "dev/+/attr", "dev/T-1/attr", {"attrName": "fw"}),
            ("topic-not-matching", info("topic", "(?<=x/)(.*)"), "dev/+/attr", "dev/T-1/attr", {"attrName": "fw"}),
            ("topic-group", info("topic", "dev/(.*)/attr"), "dev/+/attr", "dev/T-1/attr", {"attrName": "fw"}),
            ("constant", info("constant", "Const Dev"), "dev/attr", "dev/attr", {"attrName": "fw"}),
            ("constant-placeholder", info("constant", "C-${attrName}"), "dev/attr", "dev/attr", {"attrName": "fw"}),
            ("message-missing", info("message", "${serialNumber}"), "dev/attr", "dev/attr", {"attrName": "fw"}),
            ("message-nested", info("message", "${d.sn}"), "dev/attr", "dev/attr", {"d": {"sn": "N"},
                                                                                    "attrName": "fw"}),
            ("message-int", info("message", "${serialNumber}"), "dev/attr", "dev/attr", {"serialNumber": 17,
                                                                                         "attrName": "fw"}),
            ("message-null", info("message", "${serialNumber}"), "dev/attr", "dev/attr", {"serialNumber": None,
                                                                                          "attrName": "fw"}),
            ("no-deviceInfo", {}, "dev/attr", "dev/attr", {"serialNumber": "S", "attrName": "fw"}),
            ("profile-ignored", info("constant", "P", "message", "${t}"), "dev/attr", "dev/attr",
             {"attrName": "fw", "t": "Th"})):
        add("attrreq/device/%s" % label,
            conn({"attributeRequests": [attr_entry(name_info=entry_info, topic_filter=topic_filter)]}),
            message(topic, payload, attribute_response={"value": "v"}))
    scopes = [
        ("absent", None, {}), ("shared", "shared", {}), ("client", "client", {}), ("CLIENT", "CLIENT", {}),
        ("empty", "", {}), ("unknown", "server", {}),
        ("message-override-client", None, {"$shared": "client"}),
        ("message-override-shared", "client", {"$client": "shared"}),
        ("message-override-int", None, {"$shared": 5}),
        ("message-key-without-dollar", None, {"shared": "client"}),
        ("message-braced-key", None, {"${shared}": "client"}),
    ]
    for label, scope, extra in scopes:
        entry = attr_entry(**({} if scope is None else {"scope": scope}))
        add("attrreq/scope/%s" % label, conn({"attributeRequests": [entry]}),
            message("dev/attr/request", dict(base_payload, **extra), attribute_response={"value": 1}))
    add("attrreq/scope/client-two-keys", conn({"attributeRequests": [attr_entry(name_expr="${a}, ${b}",
                                                                                 scope="client")]}),
        message("dev/attr/request", {"serialNumber": "SN-1", "a": "fw", "b": "hw"},
                attribute_response={"values": {"fw": "1", "hw": 2}}))
    value_exprs = [
        ("plain", "${attributeValue}"), ("json-object", "{\"${attributeKey}\": ${attributeValue}}"),
        ("key-equals", "${attributeKey}=${attributeValue}"), ("device-name", "${deviceName}:${attributeValue}"),
        ("device-type", "${deviceType}:${attributeValue}"), ("static", "static text"), ("empty", ""),
        ("twice", "${attributeValue}|${attributeValue}"), ("quoted-value", "\"${attributeValue}\""),
        ("unknown-placeholder", "${foo} ${attributeValue}"),
    ]
    for label, value_expr in value_exprs:
        for answer_label, answer in (("str", {"value": "a\"b"}), ("int", {"value": 3}),
                                     ("two-keys", {"values": {"firmwareVersion": "1", "b": 2}})):
            add("attrreq/value-expression/%s/%s" % (label, answer_label),
                conn({"attributeRequests": [attr_entry(value_expr=value_expr)]}),
                message("dev/attr/request", base_payload, attribute_response=answer))
    topic_exprs = [
        ("device-name", "devices/${deviceName}/attrs"), ("attribute-key", "devices/${deviceName}/${attributeKey}"),
        ("attribute-value", "devices/${attributeValue}"), ("static", "devices/attrs"),
        ("device-type", "devices/${deviceType}"), ("wildcard", "devices/+/attrs"), ("empty", ""),
    ]
    for label, topic_expr in topic_exprs:
        for name_label, name_expr, payload in (("one", "${attrName}", base_payload),
                                               ("two", "${a}, ${b}", {"serialNumber": "SN-1", "a": "x", "b": "y"})):
            answer = {"value": "v"} if name_label == "one" else {"values": {"x": 1, "y": 2}}
            add("attrreq/topic-expression/%s/%s" % (label, name_label),
                conn({"attributeRequests": [attr_entry(topic_expr=topic_expr, name_expr=name_expr)]}),
                message("dev/attr/request", payload, attribute_response=answer))
    add("attrreq/topic-expression/empty-mqtt311",
        conn({"attributeRequests": [attr_entry(topic_expr="")]},
             broker=dict(BROKER, version=4)),
        message("dev/attr/request", base_payload, attribute_response={"value": "v"}))
    for label, extra in (("qos1", {"qos": 1}), ("qos2", {"qos": 2}), ("retain", {"retain": True}),
                         ("qos1-retain", {"qos": 1, "retain": True}), ("qos-text", {"qos": "1"}),
                         ("qos-3", {"qos": 3}), ("retain-text", {"retain": "true"}), ("retain-1", {"retain": 1}),
                         ("subscription-qos-0", {"subscriptionQos": 0})):
        add("attrreq/publish-options/%s" % label, conn({"attributeRequests": [attr_entry(**extra)]}),
            message("dev/attr/request", base_payload, attribute_response={"value": True}))
    for label, payload in PAYLOAD_SHAPES:
        add("attrreq/payload-message-names/%s" % label, conn({"attributeRequests": [attr_entry()]}),
            message("dev/attr/request", payload, attribute_response={"value": 1}))
        add("attrreq/payload-constants/%s" % label,
            conn({"attributeRequests": [attr_entry(name_info=info("constant", "C1"), name_source="constant",
                                                   name_expr="fw")]}),
            message("dev/attr/request", payload, attribute_response={"value": 1}))
    add("attrreq/payload-constants/non-utf8",
        conn({"attributeRequests": [attr_entry(name_info=info("constant", "C1"), name_source="constant",
                                               name_expr="fw")]}),
        message("dev/attr/request", payload_hex="ff80", attribute_response={"value": 1}))
    add("attrreq/payload-message-names/non-utf8-json", conn({"attributeRequests": [attr_entry()]}),
        message("dev/attr/request", payload_hex=b'\xff{"serialNumber":"U","attrName":"a"}'.hex(),
                attribute_response={"value": 1}))
    # several entries
    two = conn({"attributeRequests": [attr_entry(topic_filter="dev/+/request", name_expr="${first}"),
                                      attr_entry(topic_filter="dev/#", name_expr="${second}",
                                                 topic_expr="second/${deviceName}")]})
    add("attrreq/several/first-answers", two, message("dev/x/request", {"serialNumber": "S", "first": "a",
                                                                        "second": "b"},
                                                      attribute_response={"value": 1}))
    add("attrreq/several/first-no-names", two, message("dev/x/request", {"serialNumber": "S", "second": "b"},
                                                       attribute_response={"value": 1}))
    add("attrreq/several/only-second-matches", two, message("dev/x/y", {"serialNumber": "S", "first": "a",
                                                                        "second": "b"},
                                                            attribute_response={"value": 1}))
    same = conn({"attributeRequests": [attr_entry(name_expr="${first}"),
                                       attr_entry(name_expr="${second}", topic_expr="second/${deviceName}")]})
    add("attrreq/several/same-filter-last-wins", same,
        message("dev/attr/request", {"serialNumber": "S", "first": "a", "second": "b"},
                attribute_response={"value": 1}))
    add("attrreq/several/same-filter-last-has-no-names", same,
        message("dev/attr/request", {"serialNumber": "S", "first": "a"}, attribute_response={"value": 1}))
    for missing in ("topicExpression", "valueExpression", "topicFilter"):
        entry = attr_entry()
        entry.pop(missing)
        add("attrreq/mandatory/no-%s" % missing, conn({"attributeRequests": [entry]}),
            message("dev/attr/request", base_payload, attribute_response={"value": 1}))
    add("attrreq/also-connect-filter", conn({"attributeRequests": [attr_entry()],
                                             "connectRequests": [{"topicFilter": "dev/attr/request",
                                                                  "deviceInfo": info("constant", "Conn")}]}),
        message("dev/attr/request", base_payload, attribute_response={"value": 1}))
    add("attrreq/unmatched-topic", conn({"attributeRequests": [attr_entry()]}),
        message("dev/attr/other", base_payload))


# ----------------------------------------------------------------------------------------------- attribute updates
def upd_entry(device_filter=".*", attribute_filter="relay", topic_expr="sensor/${deviceName}/${attributeKey}",
              value_expr="{\"${attributeKey}\":${attributeValue}}", **extra):
    entry = common.set_present({"deviceNameFilter": device_filter, "attributeFilter": attribute_filter},
                               ("topicExpression", topic_expr), ("valueExpression", value_expr))
    entry.update(extra)
    return entry


def gen_attribute_updates():
    for label, value in VALUES:
        add("attrupdate/value/%s" % label, conn({"attributeUpdates": [upd_entry()]}), attribute_update({"relay": value}))
        add("attrupdate/value-quoted/%s" % label,
            conn({"attributeUpdates": [upd_entry(value_expr="{\"${attributeKey}\":\"${attributeValue}\"}")]}),
            attribute_update({"relay": value}))
        add("attrupdate/value-in-topic/%s" % label,
            conn({"attributeUpdates": [upd_entry(topic_expr="sensor/${attributeValue}", value_expr="x")]}),
            attribute_update({"relay": value}))
    device_filters = [
        ("dot-star", ".*", "SN-1"), ("prefix-regex", "SN-.*", "SN-1"), ("prefix-text", "SN", "SN-1"),
        ("middle", "N-1", "SN-1"), ("anchored-full", "^SN-1$", "SN-1"), ("anchored-end-only", "SN-1$", "SN-10"),
        ("case", "sn-1", "SN-1"), ("ignorecase", "(?i)sn-1", "SN-1"), ("unicode", "Kessel-.*", "Kessel-Ä"),
        ("alternation", "A|SN-1", "SN-1"), ("empty", "", "SN-1"), ("invalid", "[", "SN-1"),
        ("dot-literal", "SN.1", "SN-1"), ("spaces", "Boiler .*", "Boiler 1"),
    ]
    for label, device_filter, device in device_filters:
        add("attrupdate/device-filter/%s" % label, conn({"attributeUpdates": [upd_entry(device_filter=device_filter)]}),
            attribute_update({"relay": True}, device=device))
    attribute_filters = [
        ("exact", "relay", ["relay"]), ("prefix", "fw", ["fwVersion", "xfw"]), ("dot-star", ".*", ["a", "b"]),
        ("anchored", "^relay$", ["relay", "relay2"]), ("alternation", "^(relay|fan)$", ["relay", "fan", "pump"]),
        ("middle", "lay", ["relay"]), ("case", "Relay", ["relay"]), ("empty", "", ["relay"]),
        ("invalid", "(", ["relay"]), ("escaped-dot", "fw\\.v", ["fw.v", "fwXv"]), ("unicode", "ключ", ["ключ"]),
    ]
    for label, attribute_filter, keys in attribute_filters:
        add("attrupdate/attribute-filter/%s" % label,
            conn({"attributeUpdates": [upd_entry(attribute_filter=attribute_filter)]}),
            attribute_update({key: n for n, key in enumerate(keys)}))
    exprs = [
        ("device-type", "sensor/${deviceType}/${attributeKey}", "${deviceType}=${attributeValue}"),
        ("device-name-in-value", "sensor/x", "${deviceName}:${attributeValue}"),
        ("no-placeholders", "sensor/fixed", "fixed"),
        ("unknown-placeholder", "sensor/${foo}", "${foo}${attributeValue}"),
        ("method-name", "sensor/${methodName}", "${attributeKey}"),
        ("value-twice", "sensor/x", "${attributeValue},${attributeValue}"),
        ("empty-value-expression", "sensor/x", ""),
        ("empty-topic-expression", "", "v"),
        ("wildcard-topic", "sensor/+/${attributeKey}", "v"),
        ("spaces", "sensor/${ deviceName }", "${ attributeValue }"),
    ]
    for label, topic_expr, value_expr in exprs:
        add("attrupdate/expressions/%s" % label,
            conn({"attributeUpdates": [upd_entry(topic_expr=topic_expr, value_expr=value_expr)]}),
            attribute_update({"relay": "on"}, device_type="Thermo"))
    chains = [
        ("value-holds-device-name", {"relay": "${deviceName}"}, "SN-1"),
        ("value-holds-attribute-key", {"relay": "${attributeKey}"}, "SN-1"),
        ("device-holds-attribute-key", {"relay": 1}, "D-${attributeKey}"),
        ("device-holds-attribute-value", {"relay": 1}, "D-${attributeValue}"),
        ("key-holds-attribute-value", {"relay${attributeValue}": 2}, "SN-1"),
        ("device-with-slash", {"relay": 1}, "a/b"),
        ("device-with-plus", {"relay": 1}, "a+b"),
        ("key-with-hash", {"relay#": 1}, "SN-1"),
        ("device-unicode", {"relay": 1}, "Gerät ü"),
    ]
    for label, data, device in chains:
        add("attrupdate/substitution/%s" % label,
            conn({"attributeUpdates": [upd_entry(attribute_filter="relay")]}), attribute_update(data, device=device))
    add("attrupdate/keys/order", conn({"attributeUpdates": [upd_entry(attribute_filter=".*")]}),
        attribute_update({"z": 1, "a": 2, "m": 3}))
    add("attrupdate/keys/empty-data", conn({"attributeUpdates": [upd_entry()]}), attribute_update({}))
    add("attrupdate/keys/unicode-key", conn({"attributeUpdates": [upd_entry(attribute_filter=".*")]}),
        attribute_update({"Température": 21.5}))
    add("attrupdate/keys/empty-key", conn({"attributeUpdates": [upd_entry(attribute_filter=".*")]}),
        attribute_update({"": 1}))
    for label, extra in (("qos0", {"qos": 0}), ("qos1", {"qos": 1}), ("qos2", {"qos": 2}), ("retain", {"retain": True}),
                         ("retain-false", {"retain": False}), ("qos-text", {"qos": "1"}), ("qos-3", {"qos": 3}),
                         ("qos-negative", {"qos": -1}), ("qos-float", {"qos": 1.0}), ("qos-true", {"qos": True}),
                         ("retain-text", {"retain": "true"}), ("retain-1", {"retain": 1}),
                         ("retain-null", {"retain": None}), ("qos-null", {"qos": None})):
        add("attrupdate/publish-options/%s" % label, conn({"attributeUpdates": [upd_entry(**extra)]}),
            attribute_update({"relay": 1}))
    several = conn({"attributeUpdates": [
        upd_entry(attribute_filter="relay", topic_expr="first/${attributeKey}"),
        upd_entry(device_filter="SN-.*", attribute_filter="re", topic_expr="second/${attributeKey}", qos=1),
        upd_entry(device_filter="Other", attribute_filter=".*", topic_expr="third/${attributeKey}")]})
    add("attrupdate/several/two-match", several, attribute_update({"relay": 1, "rest": 2}))
    add("attrupdate/several/none-match-device", several, attribute_update({"relay": 1}, device="X-1"))
    for missing in ("topicExpression", "valueExpression", "attributeFilter", "deviceNameFilter"):
        entry = upd_entry()
        entry.pop(missing)
        add("attrupdate/mandatory/no-%s" % missing, conn({"attributeUpdates": [entry]}),
            attribute_update({"relay": 1}))
    add("attrupdate/no-section", conn({}), attribute_update({"relay": 1}))
    add("attrupdate/device-not-connected", conn({"attributeUpdates": [upd_entry()]}),
        attribute_update({"relay": 1}), connected={})
    add("attrupdate/device-other-connected", conn({"attributeUpdates": [upd_entry()]}),
        attribute_update({"relay": 1}), connected={"SN-2": "default"})
    add("attrupdate/top-level-section-new-layout",
        {"broker": BROKER, "mapping": [], "attributeUpdates": [upd_entry()]}, attribute_update({"relay": 1}))


# ----------------------------------------------------------------------------------------------- RPC
def rpc_entry(method_filter="setValue", device_filter=".*", request_topic="sensor/${deviceName}/request/${methodName}",
              value_expr="${params}", response_topic=None, timeout=None, **extra):
    entry = common.set_present({"deviceNameFilter": device_filter, "methodFilter": method_filter},
                               ("requestTopicExpression", request_topic), ("responseTopicExpression", response_topic),
                               ("responseTimeout", timeout), ("valueExpression", value_expr))
    entry.update(extra)
    return entry


TWO_WAY = dict(response_topic="sensor/${deviceName}/response/${methodName}/${requestId}", timeout=10000)
RESPONSE_TOPIC = "sensor/SN-1/response/getValue/7"


def gen_rpc():
    one_way = conn({"serverSideRpc": [rpc_entry()]})
    for label, value in VALUES:
        add("rpc/params/%s" % label, one_way, rpc("setValue", value))
        add("rpc/params-path/%s" % label,
            conn({"serverSideRpc": [rpc_entry(value_expr="{\"v\": ${params.v}}",
                                              request_topic="sensor/${deviceName}/${params.v}")]}),
            rpc("setValue", {"v": value}))
    params = {"a": {"b": {"c": 3}, "list": [10, 20, 30]}, "s": "text", "n": None, "f": 1.0, "t": True,
              "arr": [{"v": 1}, {"v": "two"}], "my key": "spaced", "x-y": "hyphen", "e": "", "obj": {"k": "v"}}
    paths = [
        ("nested", "${params.a.b.c}"), ("nested-object", "${params.a.b}"), ("list", "${params.a.list}"),
        ("list-index", "${params.a.list[1]}"), ("list-star", "${params.arr[*].v}"), ("array-field", "${params.arr[1].v}"),
        ("string", "${params.s}"), ("null", "${params.n}"), ("float-1.0", "${params.f}"), ("bool", "${params.t}"),
        ("missing", "${params.missing}"), ("missing-nested", "${params.a.zz.yy}"), ("spaced", "${params.my key}"),
        ("hyphen", "${params.x-y}"), ("empty-string", "${params.e}"), ("whole", "${params}"),
        ("top-method", "${method}"), ("top-id", "${id}"), ("method-name", "${methodName}"),
        ("request-id", "${requestId}"), ("device-name", "${deviceName}"), ("device-type", "${deviceType}"),
        ("unknown", "${foo}"), ("empty", "${}"), ("unicode", "${params.gerät}"), ("dollar", "${$.params.s}"),
    ]
    for label, path in paths:
        add("rpc/value-expression/%s" % label,
            conn({"serverSideRpc": [rpc_entry(value_expr="{\"value\": %s}" % path)]}), rpc("setValue", params))
        add("rpc/request-topic/%s" % label,
            conn({"serverSideRpc": [rpc_entry(request_topic="sensor/%s/set" % path, value_expr="x")]}),
            rpc("setValue", params))
        add("rpc/request-topic-prefixed/%s" % label,
            conn({"serverSideRpc": [rpc_entry(request_topic="sensor/p-%s-s/set" % path, value_expr="x")]}),
            rpc("setValue", params))
    templates = [
        ("two-in-one-segment", "sensor/${params.s}-${params.f}", "x"),
        ("two-segments", "sensor/${params.s}/${params.f}", "x"),
        ("method-and-id", "sensor/${methodName}/${requestId}", "x"),
        ("literal-payload", "sensor/x", "literal text"),
        ("payload-two", "sensor/x", "${params.s}|${params.f}|${params.missing}"),
        ("payload-same-twice", "sensor/x", "${params.s}${params.s}"),
        ("payload-empty", "sensor/x", ""),
        ("payload-no-braces", "sensor/x", "$params"),
        ("payload-device-name-twice", "sensor/x", "${deviceName}/${deviceName}"),
        ("topic-device-name-twice", "${deviceName}/${deviceName}", "x"),
        ("payload-json-template", "sensor/x", "{\"cmd\": ${method}, \"args\": ${params}, \"dev\": \"${deviceName}\"}"),
    ]
    for label, topic, value_expr in templates:
        add("rpc/templates/%s" % label, conn({"serverSideRpc": [rpc_entry(request_topic=topic, value_expr=value_expr)]}),
            rpc("setValue", params))
    # filters
    filters = [
        ("method-exact", ".*", "setValue", "setValue", True), ("method-search", ".*", "Value", "setValue", True),
        ("method-anchored", ".*", "^Value", "setValue", False), ("method-case", ".*", "setvalue", "setValue", False),
        ("method-dot-star", ".*", ".*", "anything", True), ("method-invalid", ".*", "(", "setValue", False),
        ("device-search", "N-1", "setValue", "setValue", True), ("device-anchored", "^N-1", "setValue", "setValue",
                                                                 False),
        ("device-invalid", "[", "setValue", "setValue", False), ("device-empty", "", "setValue", "setValue", True),
        ("method-empty", ".*", "", "setValue", True),
    ]
    for label, device_filter, method_filter, method, _ in filters:
        add("rpc/filter/%s" % label,
            conn({"serverSideRpc": [rpc_entry(method_filter=method_filter, device_filter=device_filter)]}),
            rpc(method, {"v": 1}))
    several = conn({"serverSideRpc": [rpc_entry(method_filter="set", request_topic="first/${methodName}"),
                                      rpc_entry(method_filter="setValue", request_topic="second/${methodName}")]})
    add("rpc/several/first-wins", several, rpc("setValue", 1))
    add("rpc/several/second-only", conn({"serverSideRpc": [
        rpc_entry(method_filter="get", request_topic="first/${methodName}"),
        rpc_entry(method_filter="setValue", request_topic="second/${methodName}")]}), rpc("setValue", 1))
    add("rpc/no-entry-matches", one_way, rpc("reboot", {}))
    add("rpc/no-section", conn({}), rpc("setValue", {}))
    add("rpc/device-not-connected", one_way, rpc("setValue", 1), connected={})
    for missing in ("deviceNameFilter", "methodFilter", "requestTopicExpression", "valueExpression"):
        entry = rpc_entry()
        entry.pop(missing)
        add("rpc/mandatory/no-%s" % missing, conn({"serverSideRpc": [entry]}), rpc("setValue", 1))
    for label, extra in (("qos1", {"qos": 1}), ("qos2", {"qos": 2}), ("retain", {"retain": True}),
                         ("qos-text", {"qos": "1"}), ("qos-3", {"qos": 3}), ("retain-text", {"retain": "true"}),
                         ("qos-float", {"qos": 1.0})):
        add("rpc/publish-options/%s" % label, conn({"serverSideRpc": [rpc_entry(**extra)]}), rpc("setValue", 1))
    add("rpc/publish-fails/wildcard-topic", conn({"serverSideRpc": [rpc_entry(request_topic="sensor/${params}")]}),
        rpc("setValue", "a+b"))
    add("rpc/publish-fails/wildcard-topic-two-way",
        conn({"serverSideRpc": [rpc_entry(request_topic="sensor/${params}", method_filter="getValue", **TWO_WAY)]}),
        rpc("getValue", "a#"))
    add("rpc/request-id/string", one_way, rpc("setValue", 1, request_id="abc"))
    add("rpc/request-id/big", conn({"serverSideRpc": [rpc_entry(request_topic="r/${requestId}",
                                                                value_expr="${id}")]}),
        rpc("setValue", 1, request_id=2 ** 40))
    add("rpc/device-name/unicode", one_way, rpc("setValue", 1, device="Gerät ü"))
    add("rpc/device-name/with-slash", one_way, rpc("setValue", 1, device="a/b"))
    add("rpc/device-name/holds-method-placeholder", one_way, rpc("setValue", 1, device="D-${methodName}"))
    add("rpc/method/holds-placeholder", conn({"serverSideRpc": [rpc_entry(method_filter=".*")]}),
        rpc("set${requestId}", 1))
    add("rpc/method/with-slash", conn({"serverSideRpc": [rpc_entry(method_filter=".*")]}), rpc("a/b", 1))

    # two-way
    two_way = conn({"serverSideRpc": [rpc_entry(method_filter="getValue", **TWO_WAY)]})
    replies = [
        ("json-object", {"value": 42}), ("json-float", '{"v": 1.0}'), ("single-quotes", "{'value': 'x'}"),
        ("apostrophe-text", "it's ok"), ("text", "ok"), ("number", "42"), ("float", "1.50"), ("true", "true"),
        ("null", "null"), ("empty", ""), ("array", "[1,2]"), ("json-string", '"str"'),
        ("result", {"result": 5}), ("result-object", {"result": {"a": 1}}), ("success-false", {"success": False}),
        ("success-text", {"success": "yes"}), ("error", {"error": "boom"}), ("response", {"response": "r"}),
        ("unicode", "Gerät ü"), ("nan", '{"v": NaN}'), ("big-int", '{"v": 123456789012345678901234567890}'),
        ("whitespace", "  {\"a\": 1}  "), ("bom", "\ufeff{\"a\": 1}"),
    ]
    for label, payload in replies:
        add("rpc/two-way/reply-%s" % label, two_way, rpc("getValue", {"q": 1}, reply=reply(RESPONSE_TOPIC, payload)))
    add("rpc/two-way/reply-non-utf8", two_way, rpc("getValue", {"q": 1}, reply=reply(RESPONSE_TOPIC,
                                                                                     payload_hex="ff7b7d")))
    add("rpc/two-way/no-reply", two_way, rpc("getValue", {"q": 1}))
    add("rpc/two-way/reply-other-topic", two_way,
        rpc("getValue", {"q": 1}, reply=reply("sensor/SN-1/response/getValue/8", "1")))
    mapped = conn({"serverSideRpc": [rpc_entry(method_filter="getValue", **TWO_WAY)]},
                  mapping=[{"topicFilter": "sensor/+/response/#", "converter": {
                      "type": "json", "deviceInfo": info("constant", "Mapped", "constant", "default"),
                      "attributes": [], "timeseries": [{"type": "string", "key": "v", "value": "${value}"}]}}])
    add("rpc/two-way/reply-topic-also-mapped", mapped,
        rpc("getValue", {"q": 1}, reply=reply(RESPONSE_TOPIC, {"value": 1})))
    with_connect = conn({"serverSideRpc": [rpc_entry(method_filter="getValue", **TWO_WAY)],
                         "connectRequests": [{"topicFilter": "sensor/+/response/#",
                                              "deviceInfo": info("constant", "Responder")}]})
    add("rpc/two-way/reply-topic-also-connect-request", with_connect,
        rpc("getValue", {"q": 1}, reply=reply(RESPONSE_TOPIC, {"value": 1})))
    wildcard = conn({"serverSideRpc": [rpc_entry(method_filter="getValue", response_topic="sensor/+/response",
                                                 timeout=10000)]})
    add("rpc/two-way/response-topic-wildcard", wildcard,
        rpc("getValue", 1, reply=reply("sensor/SN-1/response", "1")))
    add("rpc/two-way/response-topic-wildcard-literal", wildcard,
        rpc("getValue", 1, reply=reply("sensor/+/response", "1")))
    response_topics = [
        ("params-path", "resp/${params.q}"), ("params-whole", "resp/${params}"), ("params-missing", "resp/${params.z}"),
        ("params-missing-prefixed", "resp/p${params.z}"), ("static", "resp/static"),
        ("device-type", "resp/${deviceType}"), ("method-id", "resp/${methodName}/${requestId}"),
    ]
    for label, response_topic in response_topics:
        entry = rpc_entry(method_filter="getValue", response_topic=response_topic, timeout=10000)
        add("rpc/two-way/response-topic-%s" % label, conn({"serverSideRpc": [entry]}),
            rpc("getValue", {"q": "qq"}, reply=reply(response_topic.replace("${params.q}", "qq")
                                                     .replace("${methodName}", "getValue")
                                                     .replace("${requestId}", "7"), "1")))
    # The device's reply is only given where the reference's outcome does not depend on a race: a two-way RPC
    # whose deadline is under a second away (-1, 1.5 ms, true = 1 ms) is timed out by _watchers on its next pass
    # (~0.1 s), which a fast device may or may not beat.
    timeouts = [
        ("absent", None, True), ("zero", 0, True), ("text", "5000", True), ("text-junk", "abc", True),
        ("negative", -1, False), ("fraction", 1500.5, True), ("fraction-small", 1.5, False), ("true", True, False),
        ("null", None, True), ("empty-text", "", True), ("large", 10 ** 12, True), ("text-float", "2500.5", True),
    ]
    for label, timeout, with_reply in timeouts:
        entry = rpc_entry(method_filter="getValue", response_topic="resp/${deviceName}")
        if label != "absent":
            entry["responseTimeout"] = timeout
        add("rpc/timeout/%s" % label, conn({"serverSideRpc": [entry]}),
            rpc("getValue", 1, reply=reply("resp/SN-1", '{"r": 1}') if with_reply else None))
    for label, qos in (("absent", None), ("0", 0), ("2", 2), ("5", 5), ("text", "1"), ("negative", -1)):
        entry = rpc_entry(method_filter="getValue", **TWO_WAY)
        if qos is not None:
            entry["responseTopicQoS"] = qos
        add("rpc/response-qos/%s" % label, conn({"serverSideRpc": [entry]}),
            rpc("getValue", 1, reply=reply(RESPONSE_TOPIC, "1")))
    for label, extra in (("two-way-no-response-topic", {"type": "twoWay", "timeout": 10000}),
                         ("one-way-with-response", dict(TWO_WAY, type="oneWay")),
                         ("empty-response-topic", {"response_topic": "", "timeout": 10000}),
                         ("type-unknown", dict(TWO_WAY, type="sometimes"))):
        add("rpc/type/%s" % label, conn({"serverSideRpc": [rpc_entry(method_filter="getValue", **extra)]}),
            rpc("getValue", 1, reply=reply(RESPONSE_TOPIC, "1")))
    add("rpc/two-way/response-equals-request-topic",
        conn({"serverSideRpc": [rpc_entry(method_filter="getValue", request_topic="same/${deviceName}",
                                          response_topic="same/${deviceName}", timeout=10000)]}),
        rpc("getValue", 1, reply=reply("same/SN-1", "pong")))
    # connector-type prefixes on device RPCs
    prefixed = conn({"serverSideRpc": [rpc_entry(method_filter="getRelay", request_topic="r/${methodName}"),
                                       rpc_entry(method_filter="modbus_get", request_topic="m/${methodName}"),
                                       rpc_entry(method_filter="a_b", request_topic="ab/${methodName}")]})
    for method in ("mqtt_getRelay", "modbus_get", "mqtt_a_b", "MQTT_getRelay", "mqtt_", "_getRelay"):
        add("rpc/method-prefix/%s" % (method or "empty"), prefixed, rpc(method, {"p": 1}))


def gen_reserved():
    """The reserved get/set RPCs (§1.7): params `key=value;...` text, no configuration needed."""
    cases = [
        ("get-two-way", "get", "requestTopicExpression=dev/${deviceName}/get;responseTopicExpression=dev/${deviceName}/"
                               "resp;value=${params};", "dev/SN-1/resp", '{"v": 1}'),
        ("get-no-reply", "get", "requestTopicExpression=dev/get;responseTopicExpression=dev/resp;value=1;", None, None),
        ("set-one-way", "set", "requestTopicExpression=dev/${deviceName}/set;value=42;", None, None),
        ("set-one-way-text-value", "set", "requestTopicExpression=dev/set;value=on;", None, None),
        ("set-value-json", "set", "requestTopicExpression=dev/set;value={\"a\":1};", None, None),
        ("set-value-with-equals", "set", "requestTopicExpression=dev/set;value=a=b;", None, None),
        ("set-value-params", "set", "requestTopicExpression=dev/set;value=${params};", None, None),
        ("set-value-method", "set", "requestTopicExpression=dev/set;value=${method};", None, None),
        ("set-value-device-name", "set", "requestTopicExpression=dev/set;value=${deviceName};", None, None),
        ("set-no-value", "set", "requestTopicExpression=dev/set;", None, None),
        ("get-no-value-two-way", "get", "requestTopicExpression=dev/get;responseTopicExpression=dev/resp;",
         "dev/resp", "1"),
        ("set-empty-value", "set", "requestTopicExpression=dev/set;value=;", None, None),
        ("set-no-request-topic", "set", "value=1;", None, None),
        ("set-no-trailing-semicolon", "set", "requestTopicExpression=dev/set;value=1", None, None),
        ("set-spaces", "set", "requestTopicExpression = dev/set; value = 1;", None, None),
        ("set-qos", "set", "requestTopicExpression=dev/set;value=1;qos=1;", None, None),
        ("set-retain", "set", "requestTopicExpression=dev/set;value=1;retain=true;", None, None),
        ("get-timeout", "get", "requestTopicExpression=dev/get;responseTopicExpression=dev/resp;responseTimeout=2000;"
                               "value=1;", "dev/resp", "ok"),
        ("get-timeout-junk", "get", "requestTopicExpression=dev/get;responseTopicExpression=dev/resp;"
                                    "responseTimeout=soon;value=1;", "dev/resp", "ok"),
        ("get-response-qos", "get", "requestTopicExpression=dev/get;responseTopicExpression=dev/resp;"
                                    "responseTopicQoS=0;value=1;", "dev/resp", "ok"),
        ("get-timeout-only", "get", "requestTopicExpression=dev/get;responseTimeout=2000;value=1;", "dev/resp", "ok"),
        ("get-topic-params-path", "get", "requestTopicExpression=dev/${params.x};value=1;", None, None),
        ("get-topic-method-id", "get", "requestTopicExpression=dev/${methodName}/${requestId};value=1;", None, None),
        ("set-unknown-keys", "set", "requestTopicExpression=dev/set;value=1;foo=bar;", None, None),
        ("set-duplicate-key", "set", "requestTopicExpression=dev/a;requestTopicExpression=dev/b;value=1;", None,
         None),
        ("set-wildcard-topic", "set", "requestTopicExpression=dev/+/set;value=1;", None, None),
        ("set-empty", "set", "", None, None),
        ("mqtt-get", "mqtt_get", "requestTopicExpression=dev/get;responseTopicExpression=dev/resp;value=1;",
         "dev/resp", "7"),
        ("mqtt-set", "mqtt_set", "requestTopicExpression=dev/set;value=1;", None, None),
        ("GET-uppercase", "GET", "requestTopicExpression=dev/get;value=1;", None, None),
        ("modbus-get", "modbus_get", "requestTopicExpression=dev/get;value=1;", None, None),
        ("opcua-set", "opcua_set", "requestTopicExpression=dev/set;value=1;", None, None),
    ]
    for label, method, params, reply_topic, reply_payload in cases:
        event_reply = reply(reply_topic, reply_payload) if reply_topic else None
        add("reserved/%s" % label, conn({}), rpc(method, params, reply=event_reply))
    for label, params in (("object", {"requestTopicExpression": "dev/set", "value": 1}), ("number", 5),
                          ("null", None), ("array", ["requestTopicExpression=dev/set", "value=1"])):
        add("reserved/params-%s" % label, conn({}), rpc("set", params))
    add("reserved/with-server-side-rpc-entry", conn({"serverSideRpc": [rpc_entry(method_filter="set")]}),
        rpc("set", "requestTopicExpression=dev/set;value=1;"))


def gen_connector_rpc():
    """Connector RPCs sent to the gateway device (v1/devices/me/rpc/request/<id>): the entry is in the params."""
    cases = [
        ("one-way", "mqtt_publish", {"requestTopicExpression": "cmd/${params.group}", "valueExpression": "${params}",
                                     "group": "g1"}, None),
        ("one-way-value-path", "mqtt_publish", {"requestTopicExpression": "cmd/all",
                                                "valueExpression": "{\"v\": ${params.v}}", "v": [1, 2]}, None),
        ("one-way-device-name", "mqtt_publish", {"requestTopicExpression": "cmd/${deviceName}",
                                                 "valueExpression": "${deviceName}"}, None),
        ("one-way-method-id", "mqtt_publish", {"requestTopicExpression": "cmd/${methodName}/${requestId}",
                                               "valueExpression": "${requestId}"}, None),
        ("one-way-qos-retain", "mqtt_publish", {"requestTopicExpression": "cmd/q", "valueExpression": "1",
                                                "qos": 1, "retain": True}, None),
        ("two-way-reply", "mqtt_ask", {"requestTopicExpression": "cmd/ask", "responseTopicExpression": "cmd/answer",
                                       "responseTimeout": 5000, "valueExpression": "${params}"},
         reply("cmd/answer", {"ok": True})),
        ("two-way-no-reply", "mqtt_ask", {"requestTopicExpression": "cmd/ask", "responseTopicExpression": "cmd/answer",
                                          "responseTimeout": 5000, "valueExpression": "1"}, None),
        ("no-request-topic", "mqtt_publish", {"valueExpression": "1"}, None),
        ("no-value-expression", "mqtt_publish", {"requestTopicExpression": "cmd/x"}, None),
        ("params-text", "mqtt_get", "requestTopicExpression=cmd/x;value=1;", None),
        ("params-null", "mqtt_publish", None, None),
        ("params-empty", "mqtt_publish", {}, None),
        ("two-underscores", "mqtt_pub_lish", {"requestTopicExpression": "cmd/x", "valueExpression": "1"}, None),
        ("other-connector", "modbus_publish", {"requestTopicExpression": "cmd/x", "valueExpression": "1"}, None),
        ("no-prefix", "publish", {"requestTopicExpression": "cmd/x", "valueExpression": "1"}, None),
        ("wildcard-topic", "mqtt_publish", {"requestTopicExpression": "cmd/#", "valueExpression": "1"}, None),
    ]
    for label, method, params, event_reply in cases:
        add("connrpc/%s" % label, conn({"serverSideRpc": [rpc_entry(method_filter=".*")]}),
            rpc(method, params, device=None, request_id=11, reply=event_reply))


# ----------------------------------------------------------------------------------------------- legacy layouts
OLD_MAPPING = [{"topicFilter": "sensor/data", "converter": {
    "type": "json", "deviceNameJsonExpression": "${serialNumber}", "deviceTypeJsonExpression": "${sensorType}",
    "attributes": [], "timeseries": [{"type": "double", "key": "t", "value": "${t}"}]}}]


def gen_legacy():
    old_sections = {
        "connectRequests": [{"topicFilter": "sensor/connect", "deviceNameJsonExpression": "${serialNumber}",
                             "deviceTypeJsonExpression": "${sensorType}"},
                            {"topicFilter": "sensor/+/connect", "deviceNameTopicExpression": "(?<=sensor/)(.*?)(?=/connect)",
                             "deviceTypeTopicExpression": "Thermo"}],
        "disconnectRequests": [{"topicFilter": "sensor/disconnect", "deviceNameJsonExpression": "${serialNumber}"},
                               {"topicFilter": "sensor/+/disconnect",
                                "deviceNameTopicExpression": "(?<=sensor/)(.*?)(?=/disconnect)"}],
        "attributeRequests": [{"topicFilter": "sensor/attr", "deviceNameJsonExpression": "${serialNumber}",
                               "attributeNameJsonExpression": "${key}", "topicExpression": "devices/${deviceName}/attrs",
                               "valueExpression": "${attributeValue}"},
                              {"topicFilter": "sensor/+/attr/+", "deviceNameTopicExpression": "(?<=sensor/)(.*?)(?=/attr)",
                               "attributeNameTopicExpression": "(?<=attr/)(.*)",
                               "topicExpression": "devices/${deviceName}/attrs", "valueExpression": "${attributeValue}"}],
        "attributeUpdates": [{"deviceNameFilter": ".*", "attributeFilter": "relay",
                              "topicExpression": "sensor/${deviceName}/relay", "valueExpression": "${attributeValue}"}],
        "serverSideRpc": [{"deviceNameFilter": ".*", "methodFilter": "echo",
                           "requestTopicExpression": "sensor/${deviceName}/request/${methodName}/${requestId}",
                           "responseTopicExpression": "sensor/${deviceName}/response/${methodName}/${requestId}",
                           "responseTimeout": 1000, "valueExpression": "${params}"}],
    }
    events = [
        ("connect-message", message("sensor/connect", {"serialNumber": "SN-L", "sensorType": "Th"}), None),
        ("connect-topic", message("sensor/L-2/connect", ""), None),
        ("disconnect-message", message("sensor/disconnect", {"serialNumber": "SN-L"}), {"SN-L": "default"}),
        ("disconnect-topic", message("sensor/L-2/disconnect", ""), {"L-2": "default"}),
        ("attrreq-message", message("sensor/attr", {"serialNumber": "SN-L", "key": "fw"},
                                    attribute_response={"value": 1}), None),
        ("attrreq-topic", message("sensor/L-3/attr/fw", "{}", attribute_response={"value": 1}), None),
        ("attrreq-topic-word", message("sensor/L-3/attr/topic", "{}", attribute_response={"value": 1}), None),
        ("attrupdate", attribute_update({"relay": True}), None),
        ("rpc", rpc("echo", {"a": 1}, reply=reply("sensor/SN-1/response/echo/7", "pong")), None),
    ]
    layouts = [
        ("old-mapping-converted", dict({"broker": BROKER, "mapping": OLD_MAPPING}, **old_sections)),
        ("empty-mapping-not-converted", dict({"broker": BROKER, "mapping": []}, **old_sections)),
        ("no-mapping-not-converted", dict({"broker": BROKER}, **old_sections)),
        ("old-mapping-drops-requestsMapping", {"broker": BROKER, "mapping": OLD_MAPPING,
                                               "requestsMapping": {
                                                   "connectRequests": [{"topicFilter": "sensor/connect",
                                                                        "deviceInfo": info("constant", "New")}],
                                                   "attributeUpdates": old_sections["attributeUpdates"],
                                                   "serverSideRpc": old_sections["serverSideRpc"]}}),
        ("new-mapping-old-requests", dict({"broker": BROKER, "mapping": [{"topicFilter": "sensor/data", "converter": {
            "type": "json", "deviceInfo": info("message", "${serialNumber}"), "attributes": [],
            "timeseries": []}}]}, **old_sections)),
        ("old-mapping-half-migrated", dict({"broker": BROKER, "mapping": OLD_MAPPING},
                                           connectRequests=[{"topicFilter": "sensor/connect",
                                                             "deviceInfo": info("constant", "Kept"),
                                                             "deviceNameJsonExpression": "${serialNumber}"}])),
        ("dataMapping-old", dict({"broker": BROKER, "dataMapping": OLD_MAPPING}, **old_sections)),
    ]
    for layout_label, layout in layouts:
        for event_label, event, connected in events:
            add("legacy/%s/%s" % (layout_label, event_label), layout, event, connected)


# ----------------------------------------------------------------------------------------------- fuzz
FUZZ_KEYS = ["relay", "mode", "fw", "sp", "Température", "a.b", "x y", "${attributeKey}"]


def fuzz_value(rnd, depth=0):
    roll = rnd.random()
    if roll < 0.15:
        return rnd.choice(["on", "", "a\"b", "it's", "ü", "${deviceName}", "1.0", "x/y", "null"])
    if roll < 0.3:
        return rnd.choice([0, 1, -5, 2 ** 31, 2 ** 53 + 1, 10 ** 20])
    if roll < 0.45:
        return rnd.choice([0.5, 1.0, -2.25, 1e-5, 1e21, 123.456])
    if roll < 0.55:
        return rnd.choice([True, False])
    if roll < 0.62:
        return None
    if depth < 2 and roll < 0.82:
        return {rnd.choice(["a", "b", "c", "v"]): fuzz_value(rnd, depth + 1) for _ in range(rnd.randint(0, 3))}
    if depth < 2:
        return [fuzz_value(rnd, depth + 1) for _ in range(rnd.randint(0, 3))]
    return "leaf"


def gen_fuzz(count=160):
    rnd = random.Random(SEED)
    topic_parts = ["sensor", "${deviceName}", "${methodName}", "${requestId}", "${params.a}", "${params}", "x",
                   "${params.b.c}", "${deviceType}"]
    value_parts = ["${params}", "${params.a}", "${params.v}", "${params.b.c}", "${deviceName}", "${methodName}",
                   "${id}", "${method}", "{\"k\": ", "}", ",", " ", "text", "${params.missing}"]
    for n in range(count):
        if rnd.random() < 0.5:
            topic = "/".join(rnd.choice(topic_parts) for _ in range(rnd.randint(1, 4)))
            value = "".join(rnd.choice(value_parts) for _ in range(rnd.randint(1, 5)))
            entry = rpc_entry(method_filter=rnd.choice([".*", "set", "^get", "Value$"]), request_topic=topic,
                              value_expr=value)
            reply_event = None
            if rnd.random() < 0.4:
                entry["responseTopicExpression"] = "resp/${deviceName}/${requestId}"
                entry["responseTimeout"] = rnd.choice([1000, "2000", 0])
                if rnd.random() < 0.7:
                    reply_payload = rnd.choice(["ok", '{"r": 1}', "{'r': 'x'}", "5", "", "null", '{"result": [1]}'])
                    reply_event = reply("resp/SN-%d/%d" % (n % 3, n), reply_payload)
            if rnd.random() < 0.2:
                entry["qos"] = rnd.choice([0, 1, 2])
            if rnd.random() < 0.2:
                entry["retain"] = rnd.choice([True, False])
            params = fuzz_value(rnd) if rnd.random() < 0.3 else {
                k: fuzz_value(rnd) for k in rnd.sample(["a", "b", "v", "w"], rnd.randint(0, 4))}
            method = rnd.choice(["setValue", "getValue", "mqtt_setValue", "reboot", "set"])
            add("fuzz/rpc/%03d" % n, conn({"serverSideRpc": [entry]}),
                rpc(method, params, device="SN-%d" % (n % 3), request_id=n, reply=reply_event))
        else:
            entries = []
            for _ in range(rnd.randint(1, 3)):
                topic = "/".join(rnd.choice(["dev", "${deviceName}", "${attributeKey}", "${attributeValue}", "set"])
                                 for _ in range(rnd.randint(1, 3)))
                value = "".join(rnd.choice(["${attributeValue}", "${attributeKey}", "${deviceName}", "{\"v\": ", "}",
                                            "\"", "=", " "]) for _ in range(rnd.randint(1, 4)))
                entries.append(upd_entry(device_filter=rnd.choice([".*", "SN", "SN-1", "^X"]),
                                         attribute_filter=rnd.choice([".*", "relay", "m", "^fw$", "T"]),
                                         topic_expr=topic, value_expr=value,
                                         **({"qos": rnd.choice([0, 1])} if rnd.random() < 0.3 else {})))
            data = {k: fuzz_value(rnd) for k in rnd.sample(FUZZ_KEYS, rnd.randint(1, 4))}
            add("fuzz/attrupdate/%03d" % n, conn({"attributeUpdates": entries}),
                attribute_update(data, device="SN-%d" % (n % 3)))


GENERATORS = [gen_corpus, gen_connect, gen_disconnect, gen_attribute_requests, gen_attribute_updates, gen_rpc,
              gen_reserved, gen_connector_rpc, gen_legacy, gen_fuzz]


def main(argv):
    return common.generate(GENERATORS, CASES, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
