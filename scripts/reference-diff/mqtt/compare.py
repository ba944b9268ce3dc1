#!/usr/bin/env python3
"""Compare our MQTT conversion results with the reference gateway's.

    python3 compare.py cases.jsonl reference.jsonl ours.jsonl [options]

    --strict          also fail when a known-differences entry matches no differing case (stale)
    --known FILE      known, deliberate differences (default: known-differences.json beside this script);
                      a JSON list of {"id": "<case id or fnmatch pattern like bytes/value/*/07-*>", "why": "..."}
    --errors          also report cases where only one side reports an error (off by default: the two
                      implementations word and place their errors differently)
    --only PREFIX     compare only the cases whose id starts with PREFIX (repeatable)
    --examples N      examples printed per category (default 5)

Result lines (reference.jsonl, ours.jsonl): {"id", "devices": [{"deviceName", "deviceType",
"telemetry": [{"ts", "values"}], "attributes"}], "error"?, "configError"?}.

Rules:
* Devices are matched by name; their order is not compared (each goes in its own publish). A name that
  appears twice in one line is merged (attributes updated, telemetry appended) before comparing.
* Telemetry is compared as a map ts -> values after merging entries with an equal ts in order (later
  values win), as the reference's SDK does before publishing: the order of entries is not meaningful on
  the wire, every entry carries its own ts. A ts is compared with its JSON type (5 is not 5.0).
* Values are compared with their JSON types: 1, 1.0, "1" and true all differ; floats compare by value;
  objects and arrays recursively.
Exit status: 0 when every compared case is identical or known, 1 otherwise, 2 on bad input.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# The helpers both comparisons use (JSONL and known-differences loading, strict JSON comparison, the loop over the
# cases and the report) are in ../reference_diff_common.py, shared with ../mqtt-requests/compare.py.
sys.path.insert(0, os.path.dirname(HERE))
from reference_diff_common import compare_main, error_presence, json_type, render, same_value  # noqa: E402

CATEGORY_ORDER = ["missing line", "config refused by ours", "nothing sent by ours", "nothing sent by reference",
                  "device name", "device type", "missing key", "extra key", "value type", "value", "ts",
                  "error presence"]


def ts_key(ts):
    return (json_type(ts), json.dumps(ts, sort_keys=True))


def normalize(line):
    """deviceName -> {"deviceType", "attributes", "telemetry": {ts_key: (ts, values)}}"""
    devices = {}
    for device in line.get("devices") or []:
        name = device.get("deviceName")
        entry = devices.setdefault(name, {"deviceType": device.get("deviceType"), "attributes": {}, "telemetry": {}})
        entry["attributes"].update(device.get("attributes") or {})
        for item in device.get("telemetry") or []:
            key = ts_key(item.get("ts"))
            if key not in entry["telemetry"]:
                entry["telemetry"][key] = (item.get("ts"), {})
            entry["telemetry"][key][1].update(item.get("values") or {})
    return devices


def compare_maps(where, ref, ours, problems):
    for key in ref:
        if key not in ours:
            problems.append(("missing key", "%s.%s: reference %s, ours has no such key" % (where, key, render(ref[key]))))
            continue
        equal, category = same_value(ref[key], ours[key])
        if not equal:
            problems.append((category, "%s.%s: reference %s (%s), ours %s (%s)" % (
                where, key, render(ref[key]), json_type(ref[key]), render(ours[key]), json_type(ours[key]))))
    for key in ours:
        if key not in ref:
            problems.append(("extra key", "%s.%s: ours %s, not in reference" % (where, key, render(ours[key]))))


def compare_line(ref_line, our_line, check_errors):
    problems = []
    ref, ours = normalize(ref_line), normalize(our_line)
    if ref and not ours:
        if our_line.get("configError"):
            problems.append(("config refused by ours", "ours: " + our_line["configError"][:200]))
        else:
            problems.append(("nothing sent by ours", "reference sends %d device(s)%s" % (
                len(ref), "; ours: " + our_line["error"][:160] if our_line.get("error") else "")))
    elif ours and not ref:
        problems.append(("nothing sent by reference", "ours sends %d device(s)%s" % (
            len(ours), "; reference: " + ref_line["error"][:160] if ref_line.get("error") else "")))
    else:
        only_ref = [name for name in ref if name not in ours]
        only_ours = [name for name in ours if name not in ref]
        if only_ref or only_ours:
            problems.append(("device name", "reference only: %s; ours only: %s" % (render(only_ref), render(only_ours))))
        for name in ref:
            if name not in ours:
                continue
            r, o = ref[name], ours[name]
            if r["deviceType"] != o["deviceType"]:
                problems.append(("device type", "%s: reference %s, ours %s" % (
                    render(name), render(r["deviceType"]), render(o["deviceType"]))))
            compare_maps("%s.attributes" % render(name, 40), r["attributes"], o["attributes"], problems)
            ref_ts, our_ts = r["telemetry"], o["telemetry"]
            if set(ref_ts) != set(our_ts):
                ref_list = [ts for ts, _ in ref_ts.values()]
                our_list = [ts for ts, _ in our_ts.values()]
                problems.append(("ts", "%s: reference ts %s, ours ts %s" % (render(name, 40), render(ref_list),
                                                                             render(our_list))))
                if len(ref_ts) == 1 and len(our_ts) == 1:  # one entry each: still compare the values
                    compare_maps("%s.telemetry" % render(name, 40), list(ref_ts.values())[0][1],
                                 list(our_ts.values())[0][1], problems)
            else:
                for key, (ts, values) in ref_ts.items():
                    compare_maps("%s.telemetry@%s" % (render(name, 40), render(ts)), values, our_ts[key][1], problems)
    if check_errors:
        problems.extend(error_presence(ref_line, our_line))
    return problems


def snippet_of(case):
    connector = case.get("connector") or {}
    mappings = connector.get("mapping") or connector.get("dataMapping") or []
    mapping = mappings[0] if mappings and isinstance(mappings[0], dict) else {}
    shown = {"topicFilter": mapping.get("topicFilter"), "converter": mapping.get("converter")}
    extra = {k: v for k, v in mapping.items() if k not in ("topicFilter", "converter")}
    if extra:
        shown.update(extra)
    if connector.get("reportStrategy") is not None:
        shown["connector.reportStrategy"] = connector["reportStrategy"]
    return render(shown, 500)


def payload_of(case):
    if "payloadHex" in case:
        return "hex " + (case["payloadHex"][:200] or "(empty)")
    return render(case.get("payload", ""), 300)


def result_of(line):
    if line is None:
        return "(no line)"
    shown = {"devices": line.get("devices")}
    for key in ("error", "configError"):
        if line.get(key):
            shown[key] = line[key][:200]
    return render(shown, 700)


def describe_case(case):
    return ["    config:    %s" % snippet_of(case),
            "    topic:     %s" % case.get("topic"),
            "    payload:   %s" % payload_of(case)]


def main(argv):
    return compare_main(argv, __doc__, HERE, lambda ref_line, our_line, options: compare_line(
        ref_line, our_line, options["errors"]), CATEGORY_ORDER, describe_case, result_of)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
