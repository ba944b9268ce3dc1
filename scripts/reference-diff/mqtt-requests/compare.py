#!/usr/bin/env python3
"""Compare our MQTT requestsMapping results with the reference gateway's.

    python3 compare.py cases.jsonl reference.jsonl ours.jsonl [options]

    --strict                    also fail when a known-differences entry matches no differing case (stale)
    --known FILE                known, deliberate differences (default: known-differences.json beside this script,
                                if present); a JSON list of {"id": "<case id or fnmatch pattern>", "why": "..."}
    --errors                    also report cases where only one side reports an error
    --no-connect-subscriptions  do not compare `subscribedOnConnect`
    --attribute-request-ids     compare the `id` of attribute requests too (off: each side numbers its own)
    --only PREFIX               compare only the cases whose id starts with PREFIX (repeatable)
    --examples N                examples printed per category (default 5)

Result lines (reference.jsonl, ours.jsonl): {"id", "toDevice": [{"topic", "payload" | "payloadHex", "qos",
"retain"}], "toThingsBoard": [{"what", "topic", "qos", "payload"}], "subscribed": [{"topic", "qos"}],
"unsubscribed": [topic], "subscribedOnConnect": [{"topic", "qos"}], "uplinkQueued"?, "error"?, "configError"?}.

Rules:
* toDevice: publishes are matched in order by (topic, payload bytes, qos, retain); what is left is paired by topic
  and reported as a payload / qos / retain difference, or as missing / extra. The payload text is compared exactly
  (it is what the device receives). Same publishes in another order: category "to device: order".
* toThingsBoard: the same with (topic, payload compared as JSON with strict types: 1, 1.0, "1" and true differ,
  a JSON string holding JSON is not the object), qos; `id` of attribute requests ignored by default.
* subscribed / unsubscribed: compared as multisets; subscribedOnConnect as sets of (topic, qos).
* uplinkQueued: whether the message went to the uplink converters instead of the request handlers.
Exit status: 0 when every compared case is identical or known, 1 otherwise, 2 on bad input.
"""
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Shared helpers of the uplink comparison (strict JSON-type comparison, JSONL and known-differences loading).
_spec = importlib.util.spec_from_file_location("mqtt_uplink_compare", os.path.join(HERE, "..", "mqtt", "compare.py"))
_uplink = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_uplink)
same_value, json_type, render = _uplink.same_value, _uplink.json_type, _uplink.render
load_jsonl, load_known, match_known = _uplink.load_jsonl, _uplink.load_known, _uplink.match_known

CATEGORY_ORDER = ["missing line", "config refused by ours",
                  "to device: missing", "to device: extra", "to device: payload", "to device: qos/retain",
                  "to device: order",
                  "to ThingsBoard: missing", "to ThingsBoard: extra", "to ThingsBoard: payload",
                  "to ThingsBoard: qos", "to ThingsBoard: order",
                  "subscribed", "unsubscribed", "connect subscriptions", "uplink routing", "error presence"]


def device_payload(entry):
    return ("hex", entry["payloadHex"]) if "payloadHex" in entry else ("text", entry.get("payload"))


def show_device(entry):
    kind, value = device_payload(entry)
    text = ("hex " + value) if kind == "hex" else json.dumps(value, ensure_ascii=False)
    return "%s %s q%s%s" % (entry.get("topic"), text[:160], entry.get("qos"), " retain" if entry.get("retain") else "")


def tb_payload(entry, options):
    payload = entry.get("payload") if "payload" in entry else {"payloadHex": entry.get("payloadHex")}
    if (entry.get("what") == "attributeRequest" and not options["attribute_request_ids"]
            and isinstance(payload, dict) and isinstance(payload.get("id"), int)):
        payload = dict(payload, id="<n>")
    return payload


def show_tb(entry):
    return "%s %s q%s" % (entry.get("topic"), render(entry.get("payload", entry.get("payloadHex")), 200),
                          entry.get("qos"))


def match_lists(ref, ours, exact, same_place, describe_pair, what, problems):
    """Greedy in-order matching: exact matches first, then pairs in the same place (topic), then leftovers."""
    unmatched_ours = list(range(len(ours)))
    pairs = []
    leftover_ref = []
    for i, item in enumerate(ref):
        hit = next((j for j in unmatched_ours if exact(item, ours[j])), None)
        if hit is None:
            leftover_ref.append(i)
        else:
            unmatched_ours.remove(hit)
            pairs.append((i, hit))
    for i in leftover_ref:
        hit = next((j for j in unmatched_ours if same_place(ref[i], ours[j])), None)
        if hit is None:
            problems.append(("%s: missing" % what, "reference sends %s; ours does not" % describe_pair(ref[i], None)))
        else:
            unmatched_ours.remove(hit)
            problems.extend(describe_pair(ref[i], ours[hit]))
    for j in unmatched_ours:
        problems.append(("%s: extra" % what, "ours sends %s; reference does not" % describe_pair(None, ours[j])))
    if not leftover_ref and not unmatched_ours and [j for _, j in sorted(pairs)] != sorted(j for _, j in pairs):
        problems.append(("%s: order" % what, "same messages, other order"))


def compare_to_device(ref, ours, problems):
    def exact(a, b):
        return (a.get("topic") == b.get("topic") and device_payload(a) == device_payload(b)
                and a.get("qos") == b.get("qos") and bool(a.get("retain")) == bool(b.get("retain")))

    def same_place(a, b):
        return a.get("topic") == b.get("topic")

    def describe(a, b):
        if b is None:
            return show_device(a)
        if a is None:
            return show_device(b)
        found = []
        if device_payload(a) != device_payload(b):
            found.append(("to device: payload", "%s: reference %s, ours %s" % (
                a.get("topic"), render(device_payload(a)[1], 200), render(device_payload(b)[1], 200))))
        if a.get("qos") != b.get("qos") or bool(a.get("retain")) != bool(b.get("retain")):
            found.append(("to device: qos/retain", "%s: reference q%s retain=%s, ours q%s retain=%s" % (
                a.get("topic"), a.get("qos"), a.get("retain"), b.get("qos"), b.get("retain"))))
        return found

    match_lists(ref, ours, exact, same_place, describe, "to device", problems)


def compare_to_thingsboard(ref, ours, options, problems):
    def exact(a, b):
        return (a.get("topic") == b.get("topic") and a.get("qos") == b.get("qos")
                and same_value(tb_payload(a, options), tb_payload(b, options))[0])

    def same_place(a, b):
        return a.get("topic") == b.get("topic")

    def describe(a, b):
        if b is None:
            return show_tb(a)
        if a is None:
            return show_tb(b)
        found = []
        pa, pb = tb_payload(a, options), tb_payload(b, options)
        if not same_value(pa, pb)[0]:
            found.append(("to ThingsBoard: payload", "%s: reference %s, ours %s" % (
                a.get("topic"), render(pa, 200), render(pb, 200))))
        if a.get("qos") != b.get("qos"):
            found.append(("to ThingsBoard: qos", "%s: reference q%s, ours q%s" % (a.get("topic"), a.get("qos"),
                                                                                 b.get("qos"))))
        return found

    match_lists(ref, ours, exact, same_place, describe, "to ThingsBoard", problems)


def multiset(items, key):
    counts = {}
    for item in items or []:
        k = key(item)
        counts[k] = counts.get(k, 0) + 1
    return counts


def compare_line(ref_line, our_line, options):
    problems = []
    if our_line.get("configError"):
        sent = ref_line.get("toDevice") or ref_line.get("toThingsBoard") or ref_line.get("subscribed")
        if sent:
            problems.append(("config refused by ours", "ours: " + our_line["configError"][:200]))
            return problems
    compare_to_device(ref_line.get("toDevice") or [], our_line.get("toDevice") or [], problems)
    compare_to_thingsboard(ref_line.get("toThingsBoard") or [], our_line.get("toThingsBoard") or [], options,
                           problems)
    for field in ("subscribed", "unsubscribed"):
        key = (lambda item: (item.get("topic"), item.get("qos"))) if field == "subscribed" else (lambda item: item)
        a, b = multiset(ref_line.get(field), key), multiset(our_line.get(field), key)
        if a != b:
            problems.append((field, "reference %s, ours %s" % (render(sorted(a.items()), 200),
                                                               render(sorted(b.items()), 200))))
    if options["connect_subscriptions"]:
        key = lambda item: (item.get("topic"), item.get("qos"))  # noqa: E731
        a = set(multiset(ref_line.get("subscribedOnConnect"), key))
        b = set(multiset(our_line.get("subscribedOnConnect"), key))
        if a != b:
            problems.append(("connect subscriptions", "reference only %s; ours only %s" % (
                render(sorted(a - b), 200), render(sorted(b - a), 200))))
    if bool(ref_line.get("uplinkQueued")) != bool(our_line.get("uplinkQueued")):
        problems.append(("uplink routing", "reference uplinkQueued=%s, ours %s" % (
            ref_line.get("uplinkQueued", 0), our_line.get("uplinkQueued", 0))))
    if options["errors"]:
        ref_error = bool(ref_line.get("error"))
        our_error = bool(our_line.get("error") or our_line.get("configError"))
        if ref_error != our_error:
            problems.append(("error presence", "reference error: %s; ours error: %s" % (
                render(ref_line.get("error")), render(our_line.get("error") or our_line.get("configError")))))
    return problems


def result_of(line):
    if line is None:
        return "(no line)"
    shown = {key: line.get(key) for key in ("toDevice", "toThingsBoard", "subscribed", "unsubscribed")
             if line.get(key)}
    for key in ("error", "configError"):
        if line.get(key):
            shown[key] = line[key][:200]
    return render(shown, 900)


def main(argv):
    args = []
    options = {"known": os.path.join(HERE, "known-differences.json"), "errors": False, "only": [], "examples": 5,
               "connect_subscriptions": True, "attribute_request_ids": False, "strict": False}
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
        elif arg == "--no-connect-subscriptions":
            options["connect_subscriptions"] = False
        elif arg == "--attribute-request-ids":
            options["attribute_request_ids"] = True
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
    differing, known_hits, known_identical = [], [], []
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
            problems = compare_line(ref_line, our_line, options)
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
    order = sorted(by_category, key=lambda c: (CATEGORY_ORDER.index(c) if c in CATEGORY_ORDER else 99, c))
    if by_category:
        print("\ndifferences by category (a case can be in several):")
        for category in order:
            families = {}
            for case_id, _, _, _ in by_category[category]:
                family = "/".join(case_id.split("/")[:2])
                families[family] = families.get(family, 0) + 1
            top = ", ".join("%s %d" % kv for kv in sorted(families.items(), key=lambda kv: -kv[1])[:6])
            print("  %-26s %5d   (%s)" % (category, len(by_category[category]), top))
        for category in order:
            if options["examples"] <= 0:
                break
            items = by_category[category]
            print("\n=== %s: %d case(s)%s" % (category, len(items),
                                            ", first %d:" % options["examples"] if len(items) > options["examples"]
                                            else ":"))
            for case_id, details, ref_line, our_line in items[:options["examples"]]:
                case = cases[case_id]
                print("- %s" % case_id)
                for detail in details[:3]:
                    print("    diff:      %s" % detail)
                if len(details) > 3:
                    print("    diff:      ... %d more" % (len(details) - 3))
                print("    requests:  %s" % render(case.get("connector", {}).get("requestsMapping"), 500))
                print("    event:     %s" % render(case.get("event"), 400))
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
    stale = [entry["id"] for entry in known if entry["id"] not in used_known] if options["strict"] else []
    if stale:
        print("\n--strict: known-differences entries that match no differing case (remove them): %d" % len(stale))
        for pattern in stale:
            print("  %s" % pattern)
    return 1 if differing or stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
