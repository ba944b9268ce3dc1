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
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# The helpers both comparisons use (JSONL and known-differences loading, strict JSON comparison, the loop over the
# cases and the report) are in ../reference_diff_common.py, shared with ../mqtt/compare.py.
sys.path.insert(0, os.path.dirname(HERE))
from reference_diff_common import compare_main, error_presence, render, same_value  # noqa: E402

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


def same_topic(a, b):
    return a.get("topic") == b.get("topic")


def match_lists(ref, ours, exact, describe_pair, show, what, problems):
    """Greedy in-order matching: exact matches first, then pairs in the same place (topic), then leftovers.
    describe_pair(reference item, our item) -> [(category, detail)]; show(item) -> its text."""
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
        hit = next((j for j in unmatched_ours if same_topic(ref[i], ours[j])), None)
        if hit is None:
            problems.append(("%s: missing" % what, "reference sends %s; ours does not" % show(ref[i])))
        else:
            unmatched_ours.remove(hit)
            problems.extend(describe_pair(ref[i], ours[hit]))
    for j in unmatched_ours:
        problems.append(("%s: extra" % what, "ours sends %s; reference does not" % show(ours[j])))
    if not leftover_ref and not unmatched_ours and [j for _, j in sorted(pairs)] != sorted(j for _, j in pairs):
        problems.append(("%s: order" % what, "same messages, other order"))


def compare_to_device(ref, ours, problems):
    def exact(a, b):
        return (a.get("topic") == b.get("topic") and device_payload(a) == device_payload(b)
                and a.get("qos") == b.get("qos") and bool(a.get("retain")) == bool(b.get("retain")))

    def describe(a, b):
        found = []
        if device_payload(a) != device_payload(b):
            found.append(("to device: payload", "%s: reference %s, ours %s" % (
                a.get("topic"), render(device_payload(a)[1], 200), render(device_payload(b)[1], 200))))
        if a.get("qos") != b.get("qos") or bool(a.get("retain")) != bool(b.get("retain")):
            found.append(("to device: qos/retain", "%s: reference q%s retain=%s, ours q%s retain=%s" % (
                a.get("topic"), a.get("qos"), a.get("retain"), b.get("qos"), b.get("retain"))))
        return found

    match_lists(ref, ours, exact, describe, show_device, "to device", problems)


def compare_to_thingsboard(ref, ours, options, problems):
    def exact(a, b):
        return (a.get("topic") == b.get("topic") and a.get("qos") == b.get("qos")
                and same_value(tb_payload(a, options), tb_payload(b, options))[0])

    def describe(a, b):
        found = []
        pa, pb = tb_payload(a, options), tb_payload(b, options)
        if not same_value(pa, pb)[0]:
            found.append(("to ThingsBoard: payload", "%s: reference %s, ours %s" % (
                a.get("topic"), render(pa, 200), render(pb, 200))))
        if a.get("qos") != b.get("qos"):
            found.append(("to ThingsBoard: qos", "%s: reference q%s, ours q%s" % (a.get("topic"), a.get("qos"),
                                                                                 b.get("qos"))))
        return found

    match_lists(ref, ours, exact, describe, show_tb, "to ThingsBoard", problems)


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
        problems.extend(error_presence(ref_line, our_line))
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


def describe_case(case):
    return ["    requests:  %s" % render(case.get("connector", {}).get("requestsMapping"), 500),
            "    event:     %s" % render(case.get("event"), 400)]


def main(argv):
    return compare_main(argv, __doc__, HERE, compare_line, CATEGORY_ORDER, describe_case, result_of,
                        switches={"--no-connect-subscriptions": ("connect_subscriptions", False),
                                  "--attribute-request-ids": ("attribute_request_ids", True)},
                        defaults={"connect_subscriptions": True, "attribute_request_ids": False})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
