#!/usr/bin/env python3
"""Write the MQTT uplink reference-diff cases (JSONL) to stdout or to the file given.

    python3 make_cases.py [cases.jsonl]

One JSON object per line:
  {"id": "<family>/<what it exercises>", "connector": {<MQTT connector config, one mapping>},
   "topic": "<topic>", "payload": "<UTF-8 text>"}        (or "payloadHex": "<hex>" for raw bytes)

Deterministic: every random choice comes from random.Random(SEED); standard library only.
The id's first path segment is the family (corpus, device, path, type, template, key, star, receivedts,
tsfield, ts, array, bytes, legacy, malformed, report, topic, config, fuzz); `--stats` prints the counts.
"""
import json
import os
import random
import sys

# The helpers both case generators use (case list, payload fields, deviceInfo, corpus files, writing the file) are in
# ../reference_diff_common.py, shared with ../mqtt-requests/make_cases.py.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import reference_diff_common as common  # noqa: E402
from reference_diff_common import jtext  # noqa: E402

SEED = 20251020

BROKER = {"host": "127.0.0.1"}  # the converters never read the broker section; kept small

CASES = common.CaseList()


def add(case_id, connector, topic, payload=None, payload_hex=None):
    CASES.add(common.set_payload({"id": case_id, "connector": connector, "topic": topic}, payload, payload_hex))


def connector(mapping, **root):
    result = {"broker": BROKER, "mapping": [mapping]}
    result.update(root)
    return result


def json_mapping(device_info, attributes=None, timeseries=None, topic_filter="sensor/data", **options):
    converter = {"type": "json"}
    if device_info is not None:
        converter["deviceInfo"] = device_info
    converter["attributes"] = [] if attributes is None else attributes
    converter["timeseries"] = [] if timeseries is None else timeseries
    converter.update(options)
    return {"topicFilter": topic_filter, "converter": converter}


def info(name_source, name_expr, profile_source="constant", profile_expr="default"):
    return common.info(name_source, name_expr, profile_source, profile_expr)


def const(name="Device A", profile="default"):
    return info("constant", name, "constant", profile)


def dp(key, value, type_="string", **extra):
    entry = {"type": type_, "key": key, "value": value}
    entry.update(extra)
    return entry


# ----------------------------------------------------------------------------------------------- corpus
def corpus_payloads_json(mapping):
    """Payloads fitting a json mapping of the corpus: all its ${...} filled, then variants."""
    import re
    text = json.dumps(mapping)
    tags = []
    for tag in re.findall(r"\$\{([A-Za-z0-9_]+)\}", text):
        if tag not in tags:
            tags.append(tag)
    samples = {"serialNumber": "SN-001", "sensorType": "Thermometer", "sensorModel": "T1000", "temp": 25.5,
               "hum": 40, "power": 1.5, "frequency": 50, "temperature": 21.7, "humidity": 63, "relay": True}
    full = {tag: samples.get(tag, "v-" + tag) for tag in tags}
    out = [("full", full)]
    as_strings = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in full.items()}
    out.append(("values-as-text", as_strings))
    for tag in tags:
        partial = dict(full)
        partial.pop(tag)
        out.append(("missing-" + tag, partial))
    if "relay" in full:
        for label, value in (("relay-false", False), ("relay-text-on", "on"), ("relay-int-0", 0), ("relay-junk", "maybe")):
            variant = dict(full)
            variant["relay"] = value
            out.append((label, variant))
    out.append(("array-of-2", [full, dict(full, **({"serialNumber": "SN-002"} if "serialNumber" in full else {}))]))
    out.append(("with-ts", dict(full, ts=1690000000000)))
    return out


def corpus_topic(topic_filter, index):
    names = ["SN-001", "thermo_7", "Dev 3"]
    return topic_filter.replace("+", names[index % len(names)]).replace("#", "x/y")


def gen_corpus():
    sources = common.corpus_sources(
        ("mapping", "attribute_updates", "attribute_requests", "connect_requests", "disconnect_requests",
         "server_side_rpc"), [("integration/mqtt.json", "upstream-tests/integration/data/gateway/mqtt.json")])
    if not sources:
        return
    seen = set()
    for label, path in sources:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        key = "mapping" if document.get("mapping") else "dataMapping"
        for index, mapping in enumerate(document.get(key) or []):
            fingerprint = json.dumps(mapping, sort_keys=True)
            if fingerprint in seen:
                continue
            seen.add(fingerprint)
            root = {k: v for k, v in document.items() if k not in ("mapping", "dataMapping")}
            root[key] = [mapping]
            prefix = "corpus/%s/%s[%d]" % (label, key, index)
            converter = mapping.get("converter", {})
            ctype = converter.get("type")
            topic_filter = mapping["topicFilter"]
            if converter.get("extension"):
                for n, payload in enumerate(["0x1A2B3C0A0B", "1A2B3C", "0x00FF7F80", "42", "zz"]):
                    add("%s/custom/%d-%s" % (prefix, n, payload), root, corpus_topic(topic_filter, n), payload)
            elif ctype == "bytes":
                for n, payload in enumerate(["SN0125.5", "ABCD-12.75", "SN01", "SN", "", "Dev\u00e9 21"]):
                    add("%s/bytes/%d-%s" % (prefix, n, payload or "empty"), root, corpus_topic(topic_filter, n), payload)
            else:
                for n, (variant, payload) in enumerate(corpus_payloads_json(mapping)):
                    add("%s/%s" % (prefix, variant), root, corpus_topic(topic_filter, n), payload)


# ----------------------------------------------------------------------------------------------- device info
def gen_device():
    ts = [dp("t", "${t}", "double")]
    attrs = [dp("model", "${model}")]
    base = {"t": 21.5, "model": "M1"}
    values = [("str", "SN-1"), ("int", 42), ("float", 1.5), ("float-1.0", 1.0), ("bool", True), ("null", None),
              ("obj", {"a": 1}), ("arr", [1, "x"]), ("empty", ""), ("unicode", "Gerät-ü😀"), ("spaces", " pad "),
              ("big", 12345678901234567890), ("text-None", "None")]
    for label, value in values:
        add("device/name-message/value-%s" % label, connector(json_mapping(info("message", "${serialNumber}"), attrs, ts)),
            "sensor/data", dict(base, serialNumber=value))
    add("device/name-message/missing-key", connector(json_mapping(info("message", "${serialNumber}"), attrs, ts)),
        "sensor/data", base)
    name_exprs = [
        ("nested", "${info.sn}", {"info": {"sn": "N-1"}}),
        ("nested-missing", "${info.sn}", {"info": {}}),
        ("array-index", "${ids[1]}", {"ids": ["a", "b"]}),
        ("array-star", "${devs[*].id}", {"devs": [{"x": 1}, {"id": "D-2"}]}),
        ("template", "Dev-${type}-${id}", {"type": "th", "id": 7}),
        ("template-missing", "Dev-${missing}", {}),
        ("template-partial", "${a}_${b}", {"a": "A"}),
        ("template-null", "x-${n}", {"n": None}),
        ("literal-no-placeholder", "JustText", {}),
        ("spaced-key", "${serial number}", {"serial number": "SP-1"}),
        ("spaced-key-first-word", "${serial number}", {"serial": "FIRST", "serial number": "SP-1"}),
        ("dotted-top-level-key", "${a.b}", {"a.b": "TOP", "a": {"b": "NESTED"}}),
        ("same-twice", "${id}/${id}", {"id": "R"}),
        ("unicode-placeholder", "${gerät}", {"gerät": "U-1"}),
        ("empty-placeholder", "${}", {"": "E"}),
    ]
    for label, expr, extra in name_exprs:
        add("device/name-message/%s" % label, connector(json_mapping(info("message", expr), attrs, ts)),
            "sensor/data", dict(base, **extra))
    consts = [("plain", "Boiler 1"), ("unicode", "Kessel-Ä"), ("with-placeholder", "C-${model}"),
              ("with-missing-placeholder", "C-${nope}"), ("empty", ""), ("regex-looking", "sensor/(.*)")]
    for label, name in consts:
        add("device/name-constant/%s" % label, connector(json_mapping(info("constant", name), attrs, ts)),
            "sensor/data", base)
    topics = [
        ("lookaround", "(?<=sensor/)(.*?)(?=/data)", "sensor/+/data", "sensor/SN-7/data"),
        ("group", "sensor/(.*)/data", "sensor/+/data", "sensor/SN-8/data"),
        ("two-groups-last", "([^/]+)/([^/]+)/data", "+/+/data", "site/SN-9/data"),
        ("no-group", "[^/]+$", "sensor/+", "sensor/leaf-1"),
        ("no-group-prefix", "SN-\\d+", "sensor/+/data", "sensor/SN-10/data"),
        ("named-group", "(?P<dev>[^/]+)/data$", "sensor/+/data", "sensor/SN-11/data"),
        ("optional-group-unmatched", "sensor/(x)?", "sensor/+/data", "sensor/SN-12/data"),
        ("alternation", "(SN-\\d+)|(ID-\\d+)", "sensor/+/data", "sensor/ID-13/data"),
        ("empty-group", "sensor/()", "sensor/+/data", "sensor/SN-14/data"),
        ("not-matching", "(?<=device/)(.*)", "sensor/+/data", "sensor/SN-15/data"),
        ("unicode-topic", "(?<=sensor/)(.*?)(?=/data)", "sensor/+/data", "sensor/Gerät-ü/data"),
        ("hash-filter", "(?<=sensor/)(.*)", "sensor/#", "sensor/a/b/c"),
        ("case-sensitive", "(?<=Sensor/)(.*)", "sensor/+", "sensor/x"),
        ("anchored", "^sensor/([^/]+)$", "sensor/+", "sensor/A1"),
        ("ignorecase-flag", "(?i)(?<=SENSOR/)(.*)", "sensor/+", "sensor/lower"),
    ]
    for label, regex, topic_filter, topic in topics:
        add("device/name-topic/%s" % label,
            connector(json_mapping(info("topic", regex), attrs, ts, topic_filter=topic_filter)), topic, base)
    profiles = [
        ("message", "message", "${sensorType}", {"sensorType": "Thermo"}),
        ("message-missing", "message", "${sensorType}", {}),
        ("message-int", "message", "${sensorType}", {"sensorType": 5}),
        ("message-null", "message", "${sensorType}", {"sensorType": None}),
        ("message-template", "message", "T-${sensorType}", {"sensorType": "x"}),
        ("topic", "topic", "(?<=sensor/)(.*?)(?=/data)", {}),
        ("topic-not-matching", "topic", "Thermometer", {}),
        ("constant", "constant", "Boiler", {}),
        ("constant-placeholder", "constant", "P-${model}", {}),
        ("constant-empty", "constant", "", {}),
        ("no-source", None, "Thermo", {}),
        ("no-expression", "constant", None, {}),
        ("unknown-source", "payload", "Thermo", {}),
    ]
    for label, source, expr, extra in profiles:
        add("device/profile/%s" % label,
            connector(json_mapping(info("constant", "Prof Dev", source, expr), attrs, ts, topic_filter="sensor/+/data")),
            "sensor/P-1/data", dict(base, **extra))
    add("device/profile/absent-both", connector(json_mapping({"deviceNameExpressionSource": "constant",
                                                              "deviceNameExpression": "NoProf"}, attrs, ts)),
        "sensor/data", base)
    broken = [
        ("no-deviceInfo", None),
        ("empty-deviceInfo", {}),
        ("no-name-source", {"deviceNameExpression": "${serialNumber}"}),
        ("unknown-name-source", {"deviceNameExpressionSource": "payload", "deviceNameExpression": "X"}),
        ("no-name-expression", {"deviceNameExpressionSource": "message"}),
        ("no-name-expression-topic", {"deviceNameExpressionSource": "topic"}),
        ("name-source-uppercase", {"deviceNameExpressionSource": "CONSTANT", "deviceNameExpression": "Up"}),
    ]
    for label, device_info in broken:
        add("device/missing-name/%s" % label, connector(json_mapping(device_info, attrs, ts)), "sensor/data",
            dict(base, serialNumber="SN-B"))


# ----------------------------------------------------------------------------------------------- value paths
PATH_PAYLOAD = {
    "serialNumber": "SN-P",
    "a": {"b": {"c": 3, "n": None, "f": 2.5, "t": True}, "list": [10, 20, 30]},
    "arr": [{"v": 1}, {"v": "two"}, {"w": 3}, {"v": None}],
    "nums": [1, 2.5, -3, None, "4"],
    "matrix": [[1, 2], [3, 4]],
    "my key": "spaced", "my": "first-word", "sp ace": {"in ner": "deep"},
    "a.b": "dotted-top", "x-y": "hyphen", "x:y": "colon", "x_y": "underscore", "x y": "space2",
    "gerät": "umlaut", "temp(C)": 21, "n": None, "e": "", "obj": {"k": [1, {"z": False}]},
    "0": "zero-key", "1": {"2": "numeric-nested"}, "$": "dollar", "t": 1.0,
    "deep": {"l1": {"l2": {"l3": {"l4": "bottom"}}}}, "empty": {}, "emptyArr": [],
}

PATH_EXPRESSIONS = [
    ("dotted", "${a.b.c}"), ("dotted-float", "${a.b.f}"), ("dotted-bool", "${a.b.t}"), ("dotted-null", "${a.b.n}"),
    ("dotted-missing", "${a.b.zz}"), ("dotted-missing-parent", "${q.r}"), ("object", "${a.b}"), ("object-top", "${a}"),
    ("list-top", "${nums}"), ("index0", "${nums[0]}"), ("index1-float", "${nums[1]}"), ("index-null", "${nums[3]}"),
    ("index-string", "${nums[4]}"), ("index-out", "${nums[9]}"), ("index-negative", "${nums[-1]}"),
    ("nested-list", "${a.list[2]}"), ("array-obj", "${arr[1].v}"), ("array-star", "${arr[*].v}"),
    ("array-star-first-missing", "${arr[*].w}"), ("array-star-all", "${nums[*]}"), ("matrix", "${matrix[1][0]}"),
    ("slice", "${nums[1:3]}"), ("slice-step", "${nums[::2]}"), ("spaced", "${my key}"), ("spaced-nested", "${sp ace.in ner}"),
    ("first-word-only", "${my missing}"), ("dotted-top-level", "${a.b}"), ("hyphen", "${x-y}"), ("colon", "${x:y}"),
    ("underscore", "${x_y}"), ("two-spaces", "${x y}"), ("umlaut", "${gerät}"), ("parens", "${temp(C)}"),
    ("null-top", "${n}"), ("empty-string", "${e}"), ("deep", "${deep.l1.l2.l3.l4}"), ("obj-inner", "${obj.k[1].z}"),
    ("root-dollar", "${$.t}"), ("dollar-key", "${$}"), ("numeric-key", "${0}"), ("numeric-nested", "${1.2}"),
    ("recursive", "${..l4}"), ("recursive-mid", "${deep..l3}"), ("wildcard-child", "${a.*}"), ("wildcard-top", "${*}"),
    ("empty", "${}"), ("trailing-dot", "${a.}"), ("empty-brackets", "${nums[]}"), ("quoted", "${\"my key\"}"),
    ("caret", "${a^b}"), ("slash", "${a/b}"), ("unclosed", "${a.b.c"), ("double-close", "${t}}"),
    ("dollar-dollar", "$${t}"), ("nested-placeholder", "${${t}}"), ("braces-only", "{t}"), ("dollar-only", "$t"),
    ("empty-object", "${empty}"), ("empty-array", "${emptyArr}"), ("whitespace-inside", "${ t }"),
    ("this", "${@}"), ("bracket-key", "${['t']}"), ("filter", "${arr[?(@.v)]}"),
]


def gen_paths():
    device = info("message", "${serialNumber}")
    for label, expr in PATH_EXPRESSIONS:
        for type_ in ("string", "double"):
            add("path/%s/%s" % (label, type_), connector(json_mapping(device, [], [dp("v", expr, type_)])),
                "sensor/data", PATH_PAYLOAD)
        add("path/%s/attribute-int" % label, connector(json_mapping(device, [dp("v", expr, "int")], [])),
            "sensor/data", PATH_PAYLOAD)


# ----------------------------------------------------------------------------------------------- value types
LITERALS = [
    ("int-0", "0"), ("int-1", "1"), ("int-neg1", "-1"), ("int-42", "42"), ("int-2e53plus1", "9007199254740993"),
    ("int-max64", "9223372036854775807"), ("int-min64", "-9223372036854775808"), ("int-2e63plus1", "9223372036854775809"),
    ("int-maxu64", "18446744073709551615"), ("int-beyond-u64", "18446744073709551616"),
    ("int-below-min64", "-9223372036854775809"), ("int-30-digits", "123456789012345678901234567890"),
    ("float-1.0", "1.0"), ("float-1.5", "1.5"), ("float-neg0.5", "-0.5"), ("float-neg0.0", "-0.0"), ("float-0.1", "0.1"),
    ("float-2.5", "2.5"), ("float-21.42", "21.42"), ("float-1e20", "1e20"), ("float-1E5", "1E5"), ("float-1e+2", "1e+2"),
    ("float-1e-7", "1e-7"), ("float-1e-5", "1e-05"), ("float-0.000001", "0.000001"), ("float-1e15", "1e15"),
    ("float-1e16", "1e16"), ("float-1.7e308", "1.7e308"), ("float-long", "123456789.123456789"), ("float-neg1e-3", "-0.001"),
    ("float-0.30000000000000004", "0.30000000000000004"), ("float-99.99", "99.99"),
    ("str-int", '"42"'), ("str-float", '"4.2"'), ("str-spaces", '" 7 "'), ("str-exp", '"1e3"'), ("str-text", '"abc"'),
    ("str-empty", '""'), ("str-true", '"true"'), ("str-false", '"false"'), ("str-True", '"True"'), ("str-yes", '"yes"'),
    ("str-ON", '"ON"'), ("str-off", '"off"'), ("str-0", '"0"'), ("str-1", '"1"'), ("str-1.0", '"1.0"'), ("str-2", '"2"'),
    ("str-nan", '"NaN"'), ("str-inf", '"inf"'), ("str-neg-Infinity", '"-Infinity"'), ("str-1e400", '"1e400"'),
    ("str-hex", '"0x10"'), ("str-underscore", '"1_000"'), ("str-arabic-digits", '"\\u0661\\u0662"'),
    ("str-None", '"None"'), ("str-null", '"null"'), ("str-unicode", '"Temp\u00e9rature \u00fc\u20ac\U0001F600"'),
    ("str-escapes", '"q\\"uote\\\\ back\\n\\ttab \\u00e9 \\/"'), ("str-json", '"{\\"a\\":1}"'),
    ("str-placeholder", '"${other}"'), ("str-bigint", '"12345678901234567890"'), ("str-neg", '"-3.99"'),
    ("str-plus", '"+5"'), ("str-comma", '"1,5"'), ("str-fraction", '".5"'), ("str-trailing-dot", '"5."'),
    ("bool-true", "true"), ("bool-false", "false"), ("null", "null"),
    ("obj-empty", "{}"), ("obj", '{"a":1,"b":[true,null,"x"],"c":1.0}'), ("arr-empty", "[]"), ("arr", '[1,2.5,"x",false]'),
]

TS_TYPES = ["int", "integer", "long", "float", "double", "bool", "boolean", "string", "raw", "DOUBLE", "Integer",
            "number"]
ATTR_TYPES = ["int", "double", "boolean", "string"]


def gen_types():
    device = const("Typed Device")
    for label, literal in LITERALS:
        payload = '{"v":%s,"other":"O"}' % literal
        for type_ in TS_TYPES:
            add("type/%s/timeseries/%s" % (type_, label),
                connector(json_mapping(device, [], [dp("v", "${v}", type_)])), "sensor/data", payload)
        for type_ in ATTR_TYPES:
            add("type/%s/attribute/%s" % (type_, label),
                connector(json_mapping(device, [dp("v", "${v}", type_)], [])), "sensor/data", payload)
    # the same through a JSONPath (not the top-level-key branch of get_value)
    for label, literal in LITERALS[::3]:
        payload = '{"o":{"v":%s}}' % literal
        for type_ in ("int", "double", "boolean", "string"):
            add("type/%s/nested/%s" % (type_, label),
                connector(json_mapping(device, [], [dp("v", "${o.v}", type_)])), "sensor/data", payload)
    # constants (no ${): the configured text converted
    for text in ["12", "1.5", "true", "on", "abc", "", "1e3", "None", "-0", "0.1"]:
        for type_ in ("int", "double", "boolean", "string"):
            add("type/%s/constant/%s" % (type_, text or "empty"),
                connector(json_mapping(device, [dp("c", text, type_)], [dp("c", text, type_)])), "sensor/data", {"x": 1})
    # non-string values in the configuration itself
    for label, value in (("int", 5), ("float", 2.5), ("bool", True), ("null", None)):
        add("type/config-value-not-text/%s" % label,
            connector(json_mapping(device, [dp("ok", "fine"), dp("c", value, "int")], [dp("t", "${t}", "double")])),
            "sensor/data", {"t": 1})
    add("type/missing-type-field", connector(json_mapping(device, [dp("ok", "fine"), {"key": "c", "value": "${t}"}],
                                                          [dp("t", "${t}", "double")])), "sensor/data", {"t": 1})
    add("type/missing-value-field", connector(json_mapping(device, [], [{"type": "double", "key": "t"},
                                                                         dp("u", "${t}", "double")])),
        "sensor/data", {"t": 1})
    add("type/missing-key-field", connector(json_mapping(device, [], [{"type": "double", "value": "${t}"}])),
        "sensor/data", {"t": 1})
    add("type/useEval-arith", connector(json_mapping(device, [], [dp("t", "${t}", "double")], useEval=True)),
        "sensor/data", {"t": "2*3"})
    add("type/useEval-number", connector(json_mapping(device, [], [dp("t", "${t}", "int")], useEval=True)),
        "sensor/data", {"t": 7})


# ----------------------------------------------------------------------------------------------- templates
def gen_templates():
    device = const("Template Device")
    payload = {"a": 1, "b": 2, "f": 1.5, "big": 1e20, "flag": True, "no": False, "s": "txt", "n": None,
               "o": {"x": 1, "y": [1, 2]}, "l": [1, "a"], "ref": "${s}", "t": "t", "rue": "rue", "neg": -0.0,
               "u": "ü€", "deep": {"v": 9}, "e": "", "zero": 0, "int1": 1, "dot": "."}
    templates = [
        "${a}-${b}", "${a}${b}", "T=${f}C", "${missing} units", "${a}/${a}", "${flag}!", "${no}", "${big}",
        "${ref}|${s}", "${s}|${ref}", "${o}", "${l}", "${o.x}-${l[1]}", "${n}", "x${n}", "${n}${n}", "${t}${rue}",
        "${a}.${b}", "${int1}${dot}${b}", "${neg}", "${u}/${s}", "[${deep.v}]", "${e}", "${e}${e}", "${zero}${a}",
        "pre ${a} mid ${b} post", "${a} ${missing} ${b}", "100%", "${a}%", "${ a }", "$", "${", "}", "${a}${",
        "{\"j\": ${a}}", "${s}\n${s}", "None", "${a}None", "${flag}${no}", "${f}e3", "-${a}", "${a}e${b}",
    ]
    for n, template in enumerate(templates):
        for type_ in ("string", "int", "double", "boolean"):
            add("template/%02d/%s/%s" % (n, type_, template.replace("/", "\u2215")[:40]),
                connector(json_mapping(device, [], [dp("k", template, type_)])), "sensor/data", payload)


# ----------------------------------------------------------------------------------------------- keys
def gen_keys():
    device = const("Key Device")
    payload = {"model": "M7", "id": 3, "flag": False, "f": 2.0, "obj": {"a": 1}, "n": None, "sp ace": "S",
               "nested": {"k": "NK"}, "v": 10, "e": "", "gerät": "G", "None": "literal-None-key"}
    keys = [
        ("constant", "temperature"), ("from-message", "${model}"), ("prefix", "k_${id}"), ("bool", "${flag}"),
        ("float", "${f}"), ("object", "${obj}"), ("null", "${n}"), ("missing", "${missing}"),
        ("prefix-missing", "k_${missing}"), ("nested", "${nested.k}"), ("spaced", "${sp ace}"),
        ("two", "${model}_${id}"), ("empty-result", "${e}"), ("empty-constant", ""), ("spaces-constant", "my key"),
        ("unicode-constant", "température"), ("unicode-placeholder", "${gerät}"), ("None-text", "None"),
        ("dotted-constant", "a.b"), ("placeholder-like-constant", "{model}"), ("value-key", "${v}"),
    ]
    for label, key in keys:
        add("key/message/%s/attribute" % label, connector(json_mapping(device, [dp(key, "${v}", "int")], [])),
            "sensor/data", payload)
        add("key/message/%s/timeseries" % label, connector(json_mapping(device, [], [dp(key, "${v}", "int")])),
            "sensor/data", payload)
    topic_keys = [
        ("lookbehind", "(?<=sensor/)[^/]+$", "sensor/+", "sensor/humidity"),
        ("group", "sensor/([^/]+)/([^/]+)", "sensor/+/+", "sensor/dev/pressure"),
        ("no-group", "[a-z]+$", "sensor/+/+", "sensor/dev/level"),
        ("not-matching", "(?<=device/)(.*)", "sensor/+", "sensor/kx"),
        ("empty-match", "x*", "sensor/+", "sensor/k"),
        ("unicode", "(?<=sensor/)(.*)", "sensor/+", "sensor/Temp\u00e9"),
    ]
    for label, regex, topic_filter, topic in topic_keys:
        for datatype in ("attributes", "timeseries"):
            entries = [dp(regex, "${v}", "int", keySource="topic")]
            mapping = json_mapping(device, entries if datatype == "attributes" else [],
                                   entries if datatype == "timeseries" else [], topic_filter=topic_filter)
            add("key/topic/%s/%s" % (label, datatype), connector(mapping), topic, payload)
    add("key/topic/keySource-message-explicit",
        connector(json_mapping(device, [], [dp("${model}", "${v}", "int", keySource="message")])), "sensor/data", payload)
    add("key/topic/keySource-unknown",
        connector(json_mapping(device, [], [dp("${model}", "${v}", "int", keySource="payload")])), "sensor/data", payload)
    add("key/duplicate/timeseries-last-wins",
        connector(json_mapping(device, [], [dp("k", "${v}", "int"), dp("k", "${f}", "double")])), "sensor/data", payload)
    add("key/duplicate/attributes-last-wins",
        connector(json_mapping(device, [dp("k", "${v}", "int"), dp("k", "${model}")], [])), "sensor/data", payload)
    add("key/duplicate/attribute-and-timeseries",
        connector(json_mapping(device, [dp("k", "${model}")], [dp("k", "${v}", "int")])), "sensor/data", payload)
    add("key/duplicate/null-key-twice",
        connector(json_mapping(device, [dp("(?<=x/)(.*)", "${v}", "int", keySource="topic"),
                                        dp("(?<=y/)(.*)", "${model}", keySource="topic")], [])),
        "sensor/data", payload)


# ----------------------------------------------------------------------------------------------- "*"
def gen_star():
    payloads = [
        ("flat", {"serialNumber": "S1", "t": 1, "f": 1.5, "s": "x", "b": True}),
        ("nested", {"serialNumber": "S1", "o": {"a": [1, {"b": None}]}, "l": [1.0, "x"]}),
        ("with-ts", {"serialNumber": "S1", "ts": 1690000000000, "t": 5}),
        ("with-timestamp", {"serialNumber": "S1", "timestamp": 1690000000000, "t": 5}),
        ("ts-values", {"ts": 1690000000000, "values": {"t": 5, "h": 1.0}}),
        ("ts-values-extra", {"serialNumber": "S1", "ts": 1690000000000, "values": {"t": 5}, "x": 1}),
        ("values-only", {"serialNumber": "S1", "values": {"t": 5}, "x": 1}),
        ("values-not-object", {"serialNumber": "S1", "values": [1, 2], "x": 1}),
        ("ts-zero-values", {"ts": 0, "values": {"t": 1}}),
        ("empty", {}),
        ("null-values", {"serialNumber": "S1", "n": None, "e": ""}),
        ("big-numbers", {"serialNumber": "S1", "i": 18446744073709551615, "f": 1e300}),
    ]
    shapes = [
        ("attrs-list", ["*"], []), ("ts-list", [], ["*"]), ("both", ["*"], ["*"]),
        ("attrs-string", "*", []), ("ts-string", [], "*"),
        ("star-then-key", ["*", dp("extra", "${t}", "int")], ["*", dp("extra", "${t}", "int")]),
        ("key-then-star", [dp("t", "${t}", "string")], [dp("t", "${t}", "string"), "*"]),
    ]
    for shape_label, attrs, ts in shapes:
        for payload_label, payload in payloads:
            device = const("Star Device")
            add("star/%s/%s" % (shape_label, payload_label), connector(json_mapping(device, attrs, ts)),
                "sensor/data", payload)
    device = info("message", "${serialNumber}")
    add("star/device-from-message", connector(json_mapping(device, ["*"], ["*"])), "sensor/data",
        {"serialNumber": "S-M", "t": 1})
    add("star/useReceivedTs", connector(json_mapping(const("Star RT"), [], ["*"], useReceivedTs=True)), "sensor/data",
        {"ts": 5, "t": 1})
    add("star/useReceivedTs-ts-values", connector(json_mapping(const("Star RT"), [], ["*"], useReceivedTs=True)),
        "sensor/data", {"ts": 5, "values": {"t": 1}})
    add("star/other-string", connector(json_mapping(const("Star X"), "*x", [])), "sensor/data", {"t": 1})
    add("star/array-payload", connector(json_mapping(info("message", "${sn}"), ["*"], ["*"])), "sensor/data",
        [{"sn": "A", "t": 1}, {"sn": "B", "t": 2}, {"sn": "A", "u": 3}])


# ----------------------------------------------------------------------------------------------- useReceivedTs
def gen_received_ts():
    for label, flag in (("true", True), ("false", False), ("text-true", "true"), ("int-1", 1), ("absent", None)):
        for payload_label, payload in (("ts", {"ts": 1690000000000, "t": 1}), ("timestamp", {"timestamp": 1690000000001, "t": 1}),
                                       ("none", {"t": 1}), ("tsfield", {"time": "2024-01-02T03:04:05Z", "t": 1})):
            options = {} if flag is None else {"useReceivedTs": flag}
            ts = [dp("t", "${t}", "int", **({"tsField": "${time}"} if payload_label == "tsfield" else {}))]
            add("receivedts/%s/%s" % (label, payload_label),
                connector(json_mapping(const("RT Device"), [dp("a", "${t}", "int")], ts, **options)),
                "sensor/data", payload)


# ----------------------------------------------------------------------------------------------- tsField
DATES = [
    "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.678Z", "2024-01-02T03:04:05.6789Z", "2024-01-02T03:04:05+02:00",
    "2024-01-02T03:04:05-0530", "2024-01-02 03:04:05", "2024-01-02", "2024-01-02T03:04", "20240102T030405",
    "20240102", "2025-10-20T11:53:37.637Z", "2024/01/02 03:04:05", "Oct 20, 2025 5:03 PM", "20 Oct 2025",
    "Mon, 20 Oct 2025 11:53:37 GMT", "Monday October 20 2025", "2025-10-20 11:53:37 UTC", "2025-10-20 11:53:37 EST",
    "2025-10-20T11:53:37+00:00", "10:30", "10:30:15.5", "2025", "12", "June", "1969-12-31T23:59:59.9995Z",
    "1970-01-01T00:00:00Z", "garbage", "", "1700000000000", "1700000000", "2024-02-30", "2024-01-02T03:04:05.123456789Z",
    "2024-01-02T24:00:00", "  2024-01-02  ", "2024-W01-2", "2024-001", "12/31/1999 23:59:59", "31/12/1999",
    "1999-12-31T23:59:59.999999Z", "3000-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
]
AMBIGUOUS = ["01/02/2024", "02/01/2024 03:04", "10.11.25", "10.11.25 10:35:12.123", "24/01/02", "01-02-03",
             "13/01/2024", "5/6/7"]


def gen_ts_field():
    device = const("TS Device")
    for date in DATES:
        add("tsfield/format/%s" % (date.replace("/", "\u2215") or "empty"),
            connector(json_mapping(device, [], [dp("t", "${t}", "double", tsField="${time}")])), "sensor/data",
            {"t": 1, "time": date, "ts": 1690000000000})
    for date in AMBIGUOUS:
        for label, opts in (("default", {}), ("dayfirst", {"dayfirst": True}), ("yearfirst", {"yearfirst": True}),
                            ("both", {"dayfirst": True, "yearfirst": True}), ("dayfirst-false", {"dayfirst": False})):
            add("tsfield/ambiguous/%s/%s" % (date.replace("/", "\u2215"), label),
                connector(json_mapping(device, [], [dp("t", "${t}", "double", tsField="${time}", **opts)])),
                "sensor/data", {"t": 1, "time": date})
    add("tsfield/options-as-text/dayfirst-text-false",
        connector(json_mapping(device, [], [dp("t", "${t}", "double", tsField="${time}", dayfirst="false")])),
        "sensor/data", {"t": 1, "time": "01/02/2024"})
    numeric = [("int-ms", 1690000000123), ("int-s", 1690000000), ("float", 1690000000123.5), ("bool", True),
               ("null", None), ("object", {"x": 1}), ("list", ["2024-01-02"])]
    for label, value in numeric:
        for with_ts in (True, False):
            payload = {"t": 1, "time": value}
            if with_ts:
                payload["ts"] = 1690000000000
            add("tsfield/non-text/%s/%s" % (label, "with-ts" if with_ts else "no-ts"),
                connector(json_mapping(device, [], [dp("t", "${t}", "double", tsField="${time}")])), "sensor/data", payload)
    exprs = [
        ("nested", "${meta.time}", {"t": 1, "meta": {"time": "2024-01-02T03:04:05Z"}}),
        ("nested-found-elsewhere", "${meta.time}", {"t": 1, "other": {"time": "2024-05-06T00:00:00Z"}}),
        ("top-level-preferred", "${meta.time}", {"t": 1, "time": "2024-01-01T00:00:00Z", "meta": {"time": "2024-02-02T00:00:00Z"}}),
        ("deep-recursive", "${time}", {"t": 1, "a": {"b": {"time": "2024-03-03T00:00:00Z"}}}),
        ("inside-array-not-found", "${time}", {"t": 1, "a": [{"time": "2024-03-03T00:00:00Z"}], "ts": 1690000000000}),
        ("no-placeholder", "time", {"t": 1, "time": "2024-01-02T03:04:05Z"}),
        ("missing-with-ts", "${time}", {"t": 1, "ts": 1690000000000}),
        ("missing-no-ts", "${time}", {"t": 1}),
        ("missing-literal-key-present", "${time}", {"t": 1, "${time}": 1690000000555}),
        ("invalid-with-ts", "${time}", {"t": 1, "time": "nope", "ts": 1690000000000}),
        ("invalid-with-timestamp", "${time}", {"t": 1, "time": "nope", "timestamp": 1690000000001}),
        ("invalid-no-ts", "${time}", {"t": 1, "time": "nope"}),
        ("spaced", "${my time}", {"t": 1, "my time": "2024-01-02T03:04:05Z"}),
        ("empty-expression", "", {"t": 1, "ts": 1690000000000}),
        ("null-expression", None, {"t": 1, "ts": 1690000000000}),
    ]
    for label, expr, payload in exprs:
        add("tsfield/expression/%s" % label,
            connector(json_mapping(device, [], [dp("t", "${t}", "double", tsField=expr)])), "sensor/data", payload)
    payload = {"a": 1, "b": 2, "t1": "2024-01-01T00:00:00Z", "t2": "2024-06-01T00:00:00Z"}
    orders = [
        ("per-key-different", [dp("a", "${a}", "int", tsField="${t1}"), dp("b", "${b}", "int", tsField="${t2}")]),
        ("second-key-only", [dp("a", "${a}", "int"), dp("b", "${b}", "int", tsField="${t2}")]),
        ("first-key-only", [dp("a", "${a}", "int", tsField="${t1}"), dp("b", "${b}", "int")]),
        ("first-missing", [dp("a", "${a}", "int", tsField="${zz}"), dp("b", "${b}", "int", tsField="${t2}")]),
        ("first-skipped-null", [dp("n", "${nn}", "int", tsField="${t1}"), dp("b", "${b}", "int", tsField="${t2}")]),
        ("star-after-key", [dp("a", "${a}", "int", tsField="${t1}"), "*"]),
    ]
    for label, ts in orders:
        add("tsfield/order/%s" % label, connector(json_mapping(device, [], ts)), "sensor/data", payload)
        add("tsfield/order/%s/with-ts" % label, connector(json_mapping(device, [], ts)), "sensor/data",
            dict(payload, ts=1690000000000))
    add("tsfield/on-attribute-ignored",
        connector(json_mapping(device, [dp("a", "${a}", "int", tsField="${t1}")], [dp("b", "${b}", "int")])),
        "sensor/data", payload)


# ----------------------------------------------------------------------------------------------- ts in payload
def gen_ts():
    device = const("TS Payload")
    values = [("int-ms", 1690000000000), ("float", 1690000000123.7), ("text", "1690000000000"),
              ("iso-text", "2024-01-02T03:04:05Z"), ("negative", -1000), ("zero", 0), ("seconds", 1690000000),
              ("huge-float", 1e20), ("bool", True), ("null", None), ("object", {"a": 1}), ("list", [1]),
              ("big-int", 18446744073709551615), ("neg-zero", -0.0)]
    for label, value in values:
        add("ts/ts/%s" % label, connector(json_mapping(device, [dp("a", "${t}", "int")], [dp("t", "${t}", "int")])),
            "sensor/data", {"t": 1, "ts": value})
        add("ts/timestamp/%s" % label, connector(json_mapping(device, [], [dp("t", "${t}", "int")])),
            "sensor/data", {"t": 1, "timestamp": value})
    add("ts/both-ts-wins", connector(json_mapping(device, [], [dp("t", "${t}", "int")])), "sensor/data",
        {"t": 1, "ts": 1690000000000, "timestamp": 1680000000000})
    add("ts/ts-null-timestamp-set", connector(json_mapping(device, [], [dp("t", "${t}", "int")])), "sensor/data",
        {"t": 1, "ts": None, "timestamp": 1680000000000})
    add("ts/nested-ts-ignored", connector(json_mapping(device, [], [dp("t", "${t}", "int")])), "sensor/data",
        {"t": 1, "meta": {"ts": 1690000000000}})
    add("ts/ts-also-a-value", connector(json_mapping(device, [], [dp("t", "${t}", "int"), dp("ts", "${ts}", "int")])),
        "sensor/data", {"t": 1, "ts": 1690000000000})
    add("ts/several-keys-one-ts", connector(json_mapping(device, [], [dp("a", "${a}", "int"), dp("b", "${b}", "double"),
                                                                       dp("c", "${c}")])),
        "sensor/data", {"a": 1, "b": 2, "c": "x", "ts": 1690000000000})


# ----------------------------------------------------------------------------------------------- arrays
def gen_arrays():
    by_message = info("message", "${sn}")
    attrs = [dp("fw", "${fw}")]
    ts = [dp("t", "${t}", "double")]
    arrays = [
        ("empty", []),
        ("one", [{"sn": "A", "t": 1, "fw": "1.0"}]),
        ("two-devices", [{"sn": "A", "t": 1}, {"sn": "B", "t": 2}]),
        ("same-device-same-ts", [{"sn": "A", "t": 1, "ts": 5}, {"sn": "A", "t": 2, "ts": 5}]),
        ("same-device-diff-ts", [{"sn": "A", "t": 1, "ts": 5}, {"sn": "A", "t": 2, "ts": 6}]),
        ("same-device-no-ts", [{"sn": "A", "t": 1}, {"sn": "A", "t": 2}]),
        ("same-device-attr-last-wins", [{"sn": "A", "fw": "1"}, {"sn": "A", "fw": "2"}]),
        ("interleaved", [{"sn": "A", "t": 1, "ts": 1}, {"sn": "B", "t": 2, "ts": 1}, {"sn": "A", "t": 3, "ts": 2},
                         {"sn": "B", "fw": "b"}, {"sn": "A", "t": 4, "ts": 1}]),
        ("missing-names", [{"t": 1}, {"t": 2, "ts": 9}, {"sn": "A", "t": 3}]),
        ("scalars", [1, "x", None, True]),
        ("mixed", [{"sn": "A", "t": 1}, 5, "x", None, [{"sn": "B", "t": 2}]]),
        ("nested-array", [[{"sn": "A", "t": 1}]]),
        ("null-name", [{"sn": None, "t": 1}]),
        ("name-types", [{"sn": 1, "t": 1}, {"sn": "1", "t": 2}, {"sn": 1.0, "t": 3}, {"sn": True, "t": 4}]),
        ("one-bad-value", [{"sn": "A", "t": "x"}, {"sn": "B", "t": 2}]),
        ("empty-objects", [{}, {}]),
        ("twenty", [{"sn": "D%d" % (i % 7), "t": i, "ts": 1000 + (i % 3)} for i in range(20)]),
        ("ts-kinds", [{"sn": "A", "t": 1, "ts": 5}, {"sn": "A", "t": 2, "timestamp": 5}, {"sn": "A", "t": 3, "ts": 5.0}]),
    ]
    for label, payload in arrays:
        add("array/message-name/%s" % label, connector(json_mapping(by_message, attrs, ts)), "sensor/data", payload)
    for label, payload in arrays[:8]:
        add("array/topic-name/%s" % label,
            connector(json_mapping(info("topic", "(?<=sensor/)(.*?)(?=/data)"), attrs, ts, topic_filter="sensor/+/data")),
            "sensor/T-1/data", payload)
    add("array/star", connector(json_mapping(by_message, ["*"], ["*"])), "sensor/data",
        [{"sn": "A", "t": 1, "ts": 5}, {"sn": "A", "u": 2, "ts": 5}, {"sn": "B", "x": None}])
    add("array/useReceivedTs", connector(json_mapping(by_message, attrs, ts, useReceivedTs=True)), "sensor/data",
        [{"sn": "A", "t": 1, "ts": 5}, {"sn": "A", "t": 2, "ts": 6}])
    add("array/overflow-one-element", connector(json_mapping(by_message, [], [dp("t", "${t}", "int"), dp("u", "${u}", "int")])),
        "sensor/data", [{"sn": "A", "t": 1e20, "u": 1}, {"sn": "B", "t": 1, "u": 2}])
    add("array/tsfield", connector(json_mapping(by_message, [], [dp("t", "${t}", "int", tsField="${time}")])), "sensor/data",
        [{"sn": "A", "t": 1, "time": "2024-01-01T00:00:00Z"}, {"sn": "A", "t": 2, "time": "2024-01-01T00:00:00Z"},
         {"sn": "A", "t": 3, "time": "2024-01-01T00:00:01Z"}])


# ----------------------------------------------------------------------------------------------- bytes
def bytes_mapping(name_expr, attributes, timeseries, profile_expr="default", topic_filter="sensor/raw", **extra_info):
    device_info = {"deviceNameExpression": name_expr}
    if profile_expr is not None:
        device_info["deviceProfileExpression"] = profile_expr
    device_info.update(extra_info)
    return {"topicFilter": topic_filter,
            "converter": {"type": "bytes", "deviceInfo": device_info, "attributes": attributes, "timeseries": timeseries}}


def bdp(key, value, type_="raw", **extra):
    return dp(key, value, type_, **extra)


BYTE_PAYLOADS = [
    ("ascii", "SN0125.5".encode()), ("digits", b"1234567890"), ("short", b"AB"), ("one", b"Z"),
    ("binary", bytes([0, 1, 127, 128, 254, 255])), ("latin1", "Dev\u00e9 21".encode("latin-1")),
    ("utf8-multibyte", "Gerät-😀-25".encode()), ("nul", b"AB\x00CD"),
]
BYTE_VALUES = ["[:]", "[4:]", "[0:4]", "[0:1]", "[-1:]", "[-2:]", "[:-2]", "[2]", "[-1]", "[0:2][2:4]", "T=[0:2]",
               "const", "[3:1]", "[100]", "[-100:]", "[100:]", "[1:2:3]", "[a]", "[ 1]", "[0:2]-[2:4]", "[]", "[:4]x[4:]"]


def gen_bytes():
    for payload_label, payload in BYTE_PAYLOADS:
        for n, value in enumerate(BYTE_VALUES):
            for hex_mode in (False, True):
                entry = bdp("v", value, hexMode=True) if hex_mode else bdp("v", value)
                add("bytes/value/%s/%02d-%s%s" % (payload_label, n, value, "/hex" if hex_mode else ""),
                    connector(bytes_mapping("Bytes Device", [], [entry])), "sensor/raw", payload_hex=payload.hex())
    names = ["[0:4]", "[:]", "[0:2]-[2:4]", "Dev", "[-4:]", "[:-2]", "[0]", "[100:200]", "[a]", "Device [0:3]",
             "[ 0:2]", "(?<=sensor/)(.*)", "${sn}", "", "[1:2:3]"]
    for n, name in enumerate(names):
        for payload_label, payload in (("ascii", b"SN0125.5"), ("binary", bytes([0xFF, 0x41, 0x42, 0x43, 0x44]))):
            add("bytes/name/%02d-%s/%s" % (n, name or "empty", payload_label),
                connector(bytes_mapping(name, [bdp("raw", "[:]", hexMode=True)], [bdp("t", "[4:]")])), "sensor/raw",
                payload_hex=payload.hex())
    for label, profile in (("constant", "default"), ("slice", "[0:2]"), ("missing", None), ("empty", ""),
                           ("slice-text", "type-[4:]")):
        add("bytes/profile/%s" % label, connector(bytes_mapping("[0:4]", [], [bdp("t", "[4:]")], profile_expr=profile)),
            "sensor/raw", "SN0125.5")
    add("bytes/name-source-topic-ignored",
        connector(bytes_mapping("(?<=sensor/)(.*)", [], [bdp("t", "[4:]")], topic_filter="sensor/+",
                                deviceNameExpressionSource="topic", deviceProfileExpressionSource="constant")),
        "sensor/B-9", "SN0125.5")
    add("bytes/name-source-constant-ignored",
        connector(bytes_mapping("Const [0:2]", [], [bdp("t", "[4:]")], deviceNameExpressionSource="constant")),
        "sensor/raw", "SN0125.5")
    add("bytes/no-deviceInfo", connector({"topicFilter": "sensor/raw", "converter": {
        "type": "bytes", "attributes": [], "timeseries": [bdp("t", "[4:]")]}}), "sensor/raw", "SN0125.5")
    keys = [("slice", "[0:2]"), ("slice-hex", "[0:2]"), ("template", "k-[0:1]"), ("empty", "[9:]"), ("constant", "temp")]
    for label, key in keys:
        hex_mode = label.endswith("hex")
        add("bytes/key/%s" % label,
            connector(bytes_mapping("Bytes Keys", [bdp(key, "[2:]", hexMode=hex_mode)], [bdp(key, "[2:]", hexMode=hex_mode)])),
            "sensor/raw", "SN0125.5")
    for label, regex, topic in (("lookbehind", "(?<=sensor/)(.*)", "sensor/pressure"),
                                ("not-matching", "(?<=device/)(.*)", "sensor/x")):
        add("bytes/key/topic-%s" % label,
            connector(bytes_mapping("Bytes Topic", [bdp(regex, "[0:2]", keySource="topic")],
                                    [bdp(regex, "[0:2]", keySource="topic")], topic_filter="sensor/+")), topic, "SN0125.5")
    for type_ in ("double", "int", "bool", "string", "raw", "long"):
        for label, payload in (("number", b"25.5"), ("int", b"0010"), ("text", b"true")):
            for hex_mode in (False, True):
                add("bytes/type-ignored/%s/%s%s" % (type_, label, "/hex" if hex_mode else ""),
                    connector(bytes_mapping("Bytes Types", [], [bdp("v", "[:]", type_, hexMode=hex_mode)])),
                    "sensor/raw", payload_hex=payload.hex())
    add("bytes/empty-payload", connector(bytes_mapping("Dev", [bdp("a", "[:]")], [bdp("t", "[0:2]")])), "sensor/raw",
        payload_hex="")
    add("bytes/error-stops-rest",
        connector(bytes_mapping("Dev", [bdp("a", "[0:2]"), bdp("b", "[0]"), bdp("c", "[2:4]")], [bdp("t", "[0:2]")])),
        "sensor/raw", "ABCD")
    add("bytes/utf8-cut-in-char", connector(bytes_mapping("Dev", [], [bdp("t", "[0:4]"), bdp("u", "[5:]")])),
        "sensor/raw", payload_hex="Gerät".encode().hex())
    add("bytes/reportStrategy-in-converter",
        connector({"topicFilter": "sensor/raw", "converter": {"type": "bytes", "reportStrategy": {"type": "ON_CHANGE"},
                                                              "deviceInfo": {"deviceNameExpression": "Dev",
                                                                             "deviceProfileExpression": "default"},
                                                              "attributes": [], "timeseries": [bdp("t", "[0:2]")]}}),
        "sensor/raw", "ABCD")
    rnd = random.Random(SEED + 1)
    for n in range(60):
        length = rnd.randint(0, 12)
        payload = bytes(rnd.choice([rnd.randint(48, 122), rnd.randint(0, 255)]) for _ in range(length))
        a, b = sorted(rnd.sample(range(-6, 14), 2))
        expr = rnd.choice(["[%d:%d]" % (a, b), "[%d:]" % a, "[:%d]" % b, "[%d]" % a, "x[%d:%d]y" % (a, b)])
        hex_mode = rnd.random() < 0.5
        add("bytes/random/%02d-%s%s" % (n, expr, "/hex" if hex_mode else ""),
            connector(bytes_mapping("R-[0:0]", [bdp("k", expr, hexMode=hex_mode)], [bdp("k", expr, hexMode=hex_mode)])),
            "sensor/raw", payload_hex=payload.hex())


# ----------------------------------------------------------------------------------------------- legacy configs
def gen_legacy():
    attrs = [dp("model", "${sensorModel}"), dp("${sensorModel}", "on")]
    ts = [dp("temperature", "${temp}", "double"), dp("combine", "${hum}:${temp}")]
    payload = {"serialNumber": "SN-L", "sensorType": "Thermo", "sensorModel": "T1", "temp": 21.5, "hum": 40}

    def old(converter_extra, topic_filter="sensor/data", key="mapping", **root):
        converter = {"type": "json", "attributes": attrs, "timeseries": ts}
        converter.update(converter_extra)
        document = {"broker": BROKER, key: [{"topicFilter": topic_filter, "converter": converter}]}
        document.update(root)
        return document

    add("legacy/json/name-and-type", old({"deviceNameJsonExpression": "${serialNumber}",
                                          "deviceTypeJsonExpression": "${sensorType}"}), "sensor/data", payload)
    add("legacy/json/name-only", old({"deviceNameJsonExpression": "${serialNumber}"}), "sensor/data", payload)
    add("legacy/json/type-only", old({"deviceTypeJsonExpression": "${sensorType}"}), "sensor/data", payload)
    add("legacy/json/name-constant-text", old({"deviceNameJsonExpression": "Fixed",
                                               "deviceTypeJsonExpression": "default"}), "sensor/data", payload)
    add("legacy/topic/name-and-type", old({"deviceNameTopicExpression": "(?<=sensor/)(.*?)(?=/data)",
                                           "deviceTypeTopicExpression": "Thermometer"}, "sensor/+/data"),
        "sensor/SN-T/data", payload)
    add("legacy/topic/type-matching", old({"deviceNameTopicExpression": "(?<=sensor/)(.*?)(?=/data)",
                                           "deviceTypeTopicExpression": "sensor"}, "sensor/+/data"),
        "sensor/SN-T/data", payload)
    add("legacy/mixed/json-name-topic-type", old({"deviceNameJsonExpression": "${serialNumber}",
                                                  "deviceTypeTopicExpression": "(?<=sensor/)(.*?)(?=/data)"},
                                                 "sensor/+/data"), "sensor/Prof/data", payload)
    add("legacy/mixed/topic-name-json-type", old({"deviceNameTopicExpression": "(?<=sensor/)(.*?)(?=/data)",
                                                  "deviceTypeJsonExpression": "${sensorType}"}, "sensor/+/data"),
        "sensor/SN-X/data", payload)
    add("legacy/mixed/both-name-kinds", old({"deviceNameJsonExpression": "${serialNumber}",
                                             "deviceNameTopicExpression": "(?<=sensor/)(.*?)(?=/data)"},
                                            "sensor/+/data"), "sensor/SN-Y/data", payload)
    add("legacy/json/name-on-mapping-level", {"broker": BROKER, "mapping": [{
        "topicFilter": "sensor/data", "deviceNameJsonExpression": "${serialNumber}",
        "converter": {"type": "json", "attributes": attrs, "timeseries": ts}}]}, "sensor/data", payload)
    add("legacy/json/dataMapping-key", old({"deviceNameJsonExpression": "${serialNumber}",
                                            "deviceTypeJsonExpression": "${sensorType}"}, key="dataMapping"),
        "sensor/data", payload)
    add("legacy/new-format/dataMapping-key", {"broker": BROKER, "dataMapping": [json_mapping(
        info("message", "${serialNumber}"), attrs, ts)]}, "sensor/data", payload)
    add("legacy/json/with-top-level-requests", old({"deviceNameJsonExpression": "${serialNumber}",
                                                    "deviceTypeJsonExpression": "${sensorType}"},
                                                   connectRequests=[{"topicFilter": "sensor/connect",
                                                                     "deviceNameJsonExpression": "${serialNumber}"}]),
        "sensor/data", payload)
    add("legacy/json/array-payload", old({"deviceNameJsonExpression": "${serialNumber}",
                                          "deviceTypeJsonExpression": "${sensorType}"}), "sensor/data",
        [payload, dict(payload, serialNumber="SN-L2", temp=1)])
    add("legacy/json/missing-name-in-payload", old({"deviceNameJsonExpression": "${serialNumber}",
                                                    "deviceTypeJsonExpression": "${sensorType}"}), "sensor/data",
        {"temp": 1})

    def old_bytes(converter_extra, topic_filter="sensor/raw"):
        converter = {"type": "bytes", "attributes": [bdp("rawData", "[:]")], "timeseries": [bdp("temp", "[4:]")]}
        converter.update(converter_extra)
        return {"broker": BROKER, "mapping": [{"topicFilter": topic_filter, "converter": converter}]}

    for label, payload_bytes in (("ascii", b"SN0125.5"), ("short", b"SN"), ("binary", b"\xff\xfe12")):
        add("legacy/bytes/name-and-type/%s" % label,
            old_bytes({"deviceNameExpression": "[0:4]", "deviceTypeExpression": "default"}), "sensor/raw",
            payload_hex=payload_bytes.hex())
    add("legacy/bytes/name-only", old_bytes({"deviceNameExpression": "[0:4]"}), "sensor/raw", "SN0125.5")
    add("legacy/bytes/type-slice", old_bytes({"deviceNameExpression": "[0:4]", "deviceTypeExpression": "[4:6]"}),
        "sensor/raw", "SN0125.5")
    add("legacy/bytes/empty-type", old_bytes({"deviceNameExpression": "[0:4]", "deviceTypeExpression": ""}),
        "sensor/raw", "SN0125.5")
    add("legacy/half-migrated/new-first-entry-has-deviceInfo", {"broker": BROKER, "mapping": [json_mapping(
        info("message", "${serialNumber}"), attrs, ts, deviceNameJsonExpression="${sensorType}")]}, "sensor/data",
        payload)
    add("legacy/json/extension-config-renamed", {"broker": BROKER, "mapping": [{
        "topicFilter": "custom/sensors/+", "converter": {"type": "custom", "extension": "CustomMqttUplinkConverter",
                                                         "extension-config": {"temperatureBytes": 2, "humidityBytes": 1}}}]},
        "custom/sensors/C-1", "0x1A2B3C")


# ----------------------------------------------------------------------------------------------- malformed
def gen_malformed():
    mappings = [
        ("topic-name", connector(json_mapping(info("topic", "(?<=sensor/)(.*?)(?=/data)"),
                                              [dp("const", "fixed"), dp("model", "${model}")],
                                              [dp("t", "${t}", "double")], topic_filter="sensor/+/data")),
         "sensor/M-1/data"),
        ("message-name", connector(json_mapping(info("message", "${sn}"), [dp("const", "fixed")],
                                                [dp("t", "${t}", "double")], topic_filter="sensor/+/data")),
         "sensor/M-2/data"),
        ("constant-name-star", connector(json_mapping(const("Malformed Star"), ["*"], [dp("t", "${t}", "double")],
                                                      topic_filter="sensor/+/data")), "sensor/M-3/data"),
        ("constant-name-const-first", connector(json_mapping(const("Malformed Const"), [],
                                                             [dp("c", "k"), dp("t", "${t}", "double"), dp("d", "k2")],
                                                             topic_filter="sensor/+/data")), "sensor/M-4/data"),
    ]
    texts = [
        ("not-json", "not json"), ("empty", ""), ("whitespace", "   \n"), ("open-brace", "{"),
        ("trailing-comma", '{"sn":"A","t":1,}'), ("single-quotes", "{'sn':'A','t':1}"), ("number", "42"),
        ("negative-float", "-1.5"), ("true", "true"), ("null", "null"), ("string", '"text"'),
        ("double-encoded", jtext(jtext({"sn": "DE", "t": 2, "model": "m"}))), ("trailing-garbage", '{"sn":"A","t":1} x'),
        ("nan-literal", '{"sn":"A","t":NaN}'), ("infinity-literal", '{"sn":"A","t":Infinity}'),
        ("overflow-number", '{"sn":"A","t":1e400}'), ("duplicate-keys", '{"sn":"A","t":1,"t":2}'),
        ("deep-nesting", '{"sn":"A","t":1,"d":' + "[" * 200 + "]" * 200 + "}"), ("two-objects", '{"sn":"A"}{"t":1}'),
        ("comment", '{"sn":"A","t":1 /* c */}'), ("lone-surrogate-escape", '{"sn":"A","t":1,"s":"\\ud800"}'),
        ("unicode-escape", '{"sn":"\\u00c4\\ud83d\\ude00","t":1}'), ("object-with-newlines", '{\n"sn": "A",\n"t": 1\n}'),
    ]
    for mapping_label, mapping, topic in mappings:
        for label, text in texts:
            add("malformed/%s/%s" % (mapping_label, label), mapping, topic, text)
        raw = [
            ("non-utf8-inside-string", b'{"sn":"A","t":1,"s":"\xff\xfe"}'),
            ("non-utf8-after-json", b'{"sn":"A","t":1}\xff'),
            ("non-utf8-only", b"\xff\xfe\xfd"),
            ("latin1-name", '{"sn":"K\u00e4se","t":1}'.encode("latin-1")),
            ("bom", b"\xef\xbb\xbf" + b'{"sn":"A","t":1}'),
            ("utf16", '{"sn":"A","t":1}'.encode("utf-16")),
            ("nul-byte", b'{"sn":"A","t":1}\x00'),
            ("cp1252-quote", b'{"sn":"A","t":1,"q":"\x93x\x94"}'),
        ]
        for label, payload_bytes in raw:
            add("malformed/%s/%s" % (mapping_label, label), mapping, topic, payload_hex=payload_bytes.hex())


# ----------------------------------------------------------------------------------------------- report strategy
def gen_report():
    by_message = info("message", "${sn}")
    same_values = [{"sn": "A", "t": 1.0, "ts": 1}, {"sn": "A", "t": 1.0, "ts": 2}, {"sn": "A", "t": 1.0005, "ts": 3},
                   {"sn": "A", "t": 2.0, "ts": 4}]
    strategies = [("ON_CHANGE", {"type": "ON_CHANGE"}), ("ON_RECEIVED", {"type": "ON_RECEIVED"}),
                  ("ON_REPORT_PERIOD", {"type": "ON_REPORT_PERIOD", "reportPeriod": 60000}),
                  ("ON_CHANGE_OR_REPORT_PERIOD", {"type": "ON_CHANGE_OR_REPORT_PERIOD", "reportPeriod": 60000}),
                  ("invalid-type", {"type": "SOMETIMES"}), ("lowercase", {"type": "on_change"}), ("empty", {}),
                  ("period-only", {"reportPeriod": 5000})]
    for label, strategy in strategies:
        mapping = json_mapping(by_message, [dp("a", "${t}", "double")], [dp("t", "${t}", "double")])
        mapping["reportStrategy"] = strategy
        add("report/mapping/%s" % label, connector(mapping), "sensor/data", same_values)
        mapping = json_mapping(by_message, [dp("a", "${t}", "double", reportStrategy=strategy)],
                               [dp("t", "${t}", "double", reportStrategy=strategy), dp("u", "${t}", "double")])
        add("report/key/%s" % label, connector(mapping), "sensor/data", same_values)
        mapping = json_mapping(by_message, [dp("a", "${t}", "double")], [dp("t", "${t}", "double")])
        add("report/connector/%s" % label, connector(mapping, reportStrategy=strategy), "sensor/data", same_values)
    mapping = json_mapping(by_message, [], [dp("t", "${t}", "double")], reportStrategy={"type": "ON_CHANGE"})
    add("report/converter-level-ignored-by-json", connector(mapping), "sensor/data", same_values)
    mapping = json_mapping(by_message, [], [dp("t", "${t}", "double", reportStrategy={"type": "ON_RECEIVED"})])
    mapping["reportStrategy"] = {"type": "ON_CHANGE"}
    add("report/key-overrides-mapping", connector(mapping), "sensor/data", same_values)
    mapping = json_mapping(by_message, ["*"], [], )
    mapping["reportStrategy"] = {"type": "ON_CHANGE"}
    add("report/star-attributes", connector(mapping), "sensor/data", [{"sn": "A", "x": 1}, {"sn": "A", "x": 1, "y": 2}])


# ----------------------------------------------------------------------------------------------- topic filters
def gen_topics():
    attrs = [dp("model", "${model}")]
    payload = {"model": "M", "t": 1}
    filters = [
        ("plus", "sensor/+/data", "sensor/a/data"), ("plus-empty-level", "sensor/+/data", "sensor//data"),
        ("hash", "sensor/#", "sensor/a/b/c"), ("hash-parent", "sensor/#", "sensor"), ("hash-only", "#", "any/thing"),
        ("plus-only", "+", "single"), ("plus-leading", "+/data", "x/data"), ("exact", "sensor/data", "sensor/data"),
        ("trailing-slash", "data/", "data/"), ("leading-slash", "/sensor/data", "/sensor/data"),
        ("dots", "sensor/v1.0/data", "sensor/v1.0/data"), ("regex-chars", "s(x)[y]{2}|z*?", "s(x)[y]{2}|z*?"),
        ("spaces", "my sensor/data", "my sensor/data"), ("unicode", "capteur/température", "capteur/température"),
        ("share-plain", "$share/grp/sensor/data", "sensor/data"), ("share-plus", "$share/grp/sensor/+/data", "sensor/a/data"),
        ("share-hash", "$share/grp/sensor/#", "sensor/a"), ("share-plus-empty-level", "$share/grp/sensor/+/data", "sensor//data"),
        ("aws", "$aws/things/t1/shadow/update", "$aws/things/t1/shadow/update"),
        ("dollar-topic-hash", "#", "$SYS/x"), ("plus-in-level", "a+b/c", "aXb/c"), ("hash-in-level", "a#", "abc"),
        ("case", "Sensor/Data", "sensor/data"),
    ]
    for label, topic_filter, topic in filters:
        add("topic/%s" % label, connector(json_mapping(const("Topic Device"), attrs, [], topic_filter=topic_filter)),
            topic, payload)


# ----------------------------------------------------------------------------------------------- converter config
def gen_config():
    attrs = [dp("model", "${model}")]
    payload = {"model": "M", "t": 1}
    variants = [
        ("type-missing", {"converter": {"deviceInfo": const("C"), "attributes": attrs}}),
        ("type-unknown", {"converter": {"type": "xml", "deviceInfo": const("C"), "attributes": attrs}}),
        ("type-uppercase", {"converter": {"type": "JSON", "deviceInfo": const("C"), "attributes": attrs}}),
        ("extension-json-class", {"converter": {"type": "custom", "extension": "JsonMqttUplinkConverter",
                                                "deviceInfo": const("C"), "attributes": attrs}}),
        ("extension-bytes-class-on-json-type", {"converter": {"type": "json", "extension": "BytesMqttUplinkConverter",
                                                              "deviceInfo": {"deviceNameExpression": "[0:2]",
                                                                             "deviceProfileExpression": "default"},
                                                              "attributes": [bdp("r", "[:]")]}}),
        ("extension-unknown", {"converter": {"type": "custom", "extension": "NoSuchConverter"}}),
        ("no-converter", {}),
        ("attributes-missing", {"converter": {"type": "json", "deviceInfo": const("C"),
                                              "timeseries": [dp("t", "${t}", "int")]}}),
        ("both-missing", {"converter": {"type": "json", "deviceInfo": const("C")}}),
        ("attributes-null", {"converter": {"type": "json", "deviceInfo": const("C"), "attributes": None,
                                           "timeseries": [dp("t", "${t}", "int")]}}),
        ("attributes-object", {"converter": {"type": "json", "deviceInfo": const("C"), "attributes": {"k": "v"},
                                             "timeseries": [dp("t", "${t}", "int")]}}),
        ("entry-not-object", {"converter": {"type": "json", "deviceInfo": const("C"),
                                            "attributes": [dp("a", "${model}"), 5, dp("b", "x")]}}),
        ("unknown-options", {"converter": {"type": "json", "deviceInfo": const("C"), "attributes": attrs,
                                           "sendDataOnlyOnChange": True, "timeout": 1, "cached": True}}),
    ]
    for label, entry in variants:
        mapping = {"topicFilter": "sensor/data"}
        mapping.update(entry)
        add("config/%s" % label, connector(mapping), "sensor/data", payload)
    add("config/no-topicFilter", {"broker": BROKER, "mapping": [{"converter": {"type": "json", "deviceInfo": const("C"),
                                                                              "attributes": attrs}}]},
        "sensor/data", payload)
    add("config/no-broker", {"mapping": [json_mapping(const("C"), attrs)]}, "sensor/data", payload)
    add("config/mapping-in-requestsMapping", {"broker": BROKER, "requestsMapping": {"mapping": [
        json_mapping(const("C"), attrs)]}}, "sensor/data", payload)
    add("config/with-requestsMapping", {"broker": BROKER, "mapping": [json_mapping(const("C"), attrs)],
                                        "requestsMapping": {"connectRequests": [{"topicFilter": "sensor/connect"}],
                                                            "attributeUpdates": []}}, "sensor/data", payload)
    add("config/qos-and-logLevel", {"broker": BROKER, "logLevel": "DEBUG", "name": "Named",
                                    "mapping": [dict(json_mapping(const("C"), attrs), subscriptionQos=0)]},
        "sensor/data", payload)


# ----------------------------------------------------------------------------------------------- fuzz
FUZZ_KEYS = ["t", "h", "v", "name", "model", "s", "n", "flag", "o", "l", "x y", "k-1", "k_2"]
FUZZ_DATAPOINT_KEYS = FUZZ_KEYS + ["Ünï", "a.b", ""]
FUZZ_VALUES = [0, 1, -7, 42, 2 ** 40, 10 ** 21, 1.0, 0.5, -2.25, 1e-9, 1e22, 3.14159, True, False, None,
               "", "x", "42", "4.2", "true", "off", "None", "1e5", " 3 ", "ü", {"a": 1}, {"b": {"c": [1, 2]}}, [1, "2"], []]
FUZZ_TYPES = ["int", "long", "integer", "float", "double", "bool", "boolean", "string", "raw"]


def fuzz_value(rnd, depth=0):
    value = rnd.choice(FUZZ_VALUES)
    if depth < 2 and rnd.random() < 0.15:
        return {rnd.choice(FUZZ_KEYS): fuzz_value(rnd, depth + 1) for _ in range(rnd.randint(1, 3))}
    if depth < 2 and rnd.random() < 0.08:
        return [fuzz_value(rnd, depth + 1) for _ in range(rnd.randint(0, 3))]
    return value


def fuzz_expr(rnd, payload):
    keys = list(payload) if isinstance(payload, dict) and payload else FUZZ_KEYS
    key = rnd.choice(keys + ["missing"])
    expr = "${%s}" % key
    if isinstance(payload, dict) and isinstance(payload.get(key), dict) and payload[key] and rnd.random() < 0.6:
        expr = "${%s.%s}" % (key, rnd.choice(list(payload[key])))
    if isinstance(payload, dict) and isinstance(payload.get(key), list) and payload[key] and rnd.random() < 0.6:
        expr = "${%s[%d]}" % (key, rnd.randrange(len(payload[key]) + 1))
    roll = rnd.random()
    if roll < 0.12:
        expr = "pre-" + expr
    elif roll < 0.2:
        expr = expr + "_" + fuzz_expr(rnd, payload)
    elif roll < 0.24:
        expr = "const"
    return expr


def fuzz_payload(rnd, serial):
    payload = {"sn": serial}
    for _ in range(rnd.randint(1, 6)):
        payload[rnd.choice(FUZZ_KEYS)] = fuzz_value(rnd)
    roll = rnd.random()
    if roll < 0.1:
        payload["ts"] = rnd.choice([1690000000000, 1690000000000.5, "1690000000000", 0])
    elif roll < 0.15:
        payload["time"] = rnd.choice(["2024-01-02T03:04:05Z", "02/01/2024", "bad"])
    return payload


def gen_fuzz(count=450):
    rnd = random.Random(SEED)
    for n in range(count):
        serial = "F-%d" % rnd.randint(1, 4)
        if rnd.random() < 0.15:
            payload = [fuzz_payload(rnd, "F-%d" % rnd.randint(1, 3)) for _ in range(rnd.randint(1, 4))]
            sample = payload[0]
        else:
            payload = fuzz_payload(rnd, serial)
            sample = payload
        name_roll = rnd.random()
        if name_roll < 0.5:
            device_info = info("message", "${sn}")
            topic_filter, topic = "fuzz/+", "fuzz/x"
        elif name_roll < 0.75:
            device_info = info("topic", "(?<=fuzz/)(.*)", "constant", "Fuzz")
            topic_filter, topic = "fuzz/+", "fuzz/T-%d" % rnd.randint(1, 3)
        else:
            device_info = info("constant", "Fuzz Const", "message", "${model}")
            topic_filter, topic = "fuzz/#", "fuzz/a/b"

        def entries(max_count):
            result = []
            for _ in range(rnd.randint(0, max_count)):
                if rnd.random() < 0.05:
                    result.append("*")
                    continue
                key = rnd.choice(FUZZ_DATAPOINT_KEYS) if rnd.random() < 0.8 else fuzz_expr(rnd, sample)
                entry = dp(key, fuzz_expr(rnd, sample), rnd.choice(FUZZ_TYPES))
                if rnd.random() < 0.08:
                    entry["tsField"] = "${time}"
                result.append(entry)
            return result

        options = {}
        if rnd.random() < 0.1:
            options["useReceivedTs"] = True
        mapping = json_mapping(device_info, entries(3), entries(4), topic_filter=topic_filter, **options)
        add("fuzz/%03d" % n, connector(mapping), topic, payload)


GENERATORS = [gen_corpus, gen_device, gen_paths, gen_types, gen_templates, gen_keys, gen_star, gen_received_ts,
              gen_ts_field, gen_ts, gen_arrays, gen_bytes, gen_legacy, gen_malformed, gen_report, gen_topics,
              gen_config, gen_fuzz]


def main(argv):
    return common.generate(GENERATORS, CASES, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
