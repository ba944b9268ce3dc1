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
import fnmatch
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

CATEGORY_ORDER = ["missing line", "config refused by ours", "nothing sent by ours", "nothing sent by reference",
                  "device name", "device type", "missing key", "extra key", "value type", "value", "ts",
                  "error presence"]


def load_jsonl(path, what):
    result = {}
    order = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError as e:
                sys.stderr.write("%s:%d: not JSON (%s)\n" % (path, number, e))
                sys.exit(2)
            case_id = item.get("id")
            if case_id is None:
                sys.stderr.write("%s:%d: %s line without an id\n" % (path, number, what))
                sys.exit(2)
            if case_id not in result:
                order.append(case_id)
            result[case_id] = item
    return result, order


def json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def same_value(a, b):
    """(equal, category if not): strict JSON types, floats by value, containers recursively."""
    ta, tb = json_type(a), json_type(b)
    if ta != tb:
        return False, "value type"
    if ta == "array":
        if len(a) != len(b):
            return False, "value"
        for x, y in zip(a, b):
            equal, category = same_value(x, y)
            if not equal:
                return False, category
        return True, None
    if ta == "object":
        if set(a) != set(b):
            return False, "value"
        for key in a:
            equal, category = same_value(a[key], b[key])
            if not equal:
                return False, category
        return True, None
    return (a == b), (None if a == b else "value")


def render(value, limit=120):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 3] + "..."


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
        ref_error = bool(ref_line.get("error"))
        our_error = bool(our_line.get("error") or our_line.get("configError"))
        if ref_error != our_error:
            problems.append(("error presence", "reference error: %s; ours error: %s" % (
                render(ref_line.get("error")), render(our_line.get("error") or our_line.get("configError")))))
    return problems


def load_known(path):
    if not path or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        known = json.load(f)
    if not isinstance(known, list) or not all(isinstance(k, dict) and "id" in k for k in known):
        sys.stderr.write("%s: expected a list of {\"id\", \"why\"}\n" % path)
        sys.exit(2)
    return known


def match_known(case_id, known):
    for entry in known:
        pattern = entry["id"]
        if pattern == case_id or (any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(case_id, pattern)):
            return entry
    return None


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


def main(argv):
    args, options = [], {"known": os.path.join(HERE, "known-differences.json"), "errors": False, "only": [],
                         "examples": 5}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--known":
            options["known"] = argv[i + 1]
            i += 1
        elif arg == "--strict":
            options["strict"] = True
        elif arg == "--errors":
            options["errors"] = True
        elif arg == "--only":
            options["only"].append(argv[i + 1])
            i += 1
        elif arg == "--examples":
            options["examples"] = int(argv[i + 1])
            i += 1
        elif arg in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(arg)
        i += 1
    if len(args) != 3:
        sys.stderr.write(__doc__)
        return 2
    cases, case_order = load_jsonl(args[0], "case")
    reference, _ = load_jsonl(args[1], "reference")
    ours, _ = load_jsonl(args[2], "ours")
    known = load_known(options["known"])

    compared = identical = 0
    differing = []
    known_hits = []
    known_identical = []
    used_known = set()
    by_category = {}
    for case_id in case_order:
        if options["only"] and not any(case_id.startswith(p) for p in options["only"]):
            continue
        compared += 1
        ref_line, our_line = reference.get(case_id), ours.get(case_id)
        if ref_line is None or our_line is None:
            problems = [("missing line", "no line in %s" % ("reference.jsonl" if ref_line is None else "ours.jsonl"))]
        else:
            problems = compare_line(ref_line, our_line, options["errors"])
        entry = match_known(case_id, known)
        if not problems:
            identical += 1
            if entry is not None and entry["id"] == case_id:
                known_identical.append(entry)
            continue
        if entry is not None:
            known_hits.append((case_id, entry.get("why", "")))
            used_known.add(entry["id"])
            continue
        differing.append(case_id)
        for category in dict.fromkeys(category for category, _ in problems):
            details = [detail for c, detail in problems if c == category]
            by_category.setdefault(category, []).append((case_id, details, ref_line, our_line))

    print("cases compared: %d   identical: %d   differing: %d   known differences: %d"
          % (compared, identical, len(differing), len(known_hits)))
    if by_category:
        print("\ndifferences by category (a case can be in several):")
        for category in sorted(by_category, key=lambda c: (CATEGORY_ORDER.index(c) if c in CATEGORY_ORDER else 99, c)):
            families = {}
            for case_id, _, _, _ in by_category[category]:
                family = "/".join(case_id.split("/")[:2])
                families[family] = families.get(family, 0) + 1
            top = ", ".join("%s %d" % kv for kv in sorted(families.items(), key=lambda kv: -kv[1])[:6])
            print("  %-26s %5d   (%s)" % (category, len(by_category[category]), top))
        for category in sorted(by_category, key=lambda c: (CATEGORY_ORDER.index(c) if c in CATEGORY_ORDER else 99, c)):
            if options["examples"] <= 0:
                break
            items = by_category[category]
            print("\n=== %s: %d case(s)%s" % (category, len(items),
                                            ", first %d:" % options["examples"] if len(items) > options["examples"] else ":"))
            for case_id, details, ref_line, our_line in items[:options["examples"]]:
                case = cases[case_id]
                print("- %s" % case_id)
                for detail in details[:3]:
                    print("    diff:      %s" % detail)
                if len(details) > 3:
                    print("    diff:      ... %d more" % (len(details) - 3))
                print("    config:    %s" % snippet_of(case))
                print("    topic:     %s" % case.get("topic"))
                print("    payload:   %s" % payload_of(case))
                print("    reference: %s" % result_of(ref_line))
                print("    ours:      %s" % result_of(our_line))
    if known_hits:
        print("\nknown differences (skipped): %d" % len(known_hits))
        for case_id, why in known_hits:
            print("  %s: %s" % (case_id, why))
    if known_identical:
        print("\nknown-differences entries whose case is now identical (remove them?):")
        for entry in known_identical:
            print("  %s" % entry["id"])
    stale = [entry["id"] for entry in known if entry["id"] not in used_known] if options.get("strict") else []
    if stale:
        print("\n--strict: known-differences entries that match no differing case (remove them): %d" % len(stale))
        for pattern in stale:
            print("  %s" % pattern)
    return 1 if differing or stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
