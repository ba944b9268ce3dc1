"""Helpers shared by the reference-diff tools of `mqtt/` and `mqtt-requests/`.

Standard library only: it is imported by the case generators and `compare.py` (any Python 3) and by
`reference_convert.py` (the reference venv). The scripts find it by putting this folder on `sys.path`.

* case generators (`make_cases.py`): `jtext`, `CaseList`, `set_payload`, `set_present`, `info`, `COMPAT`,
  `corpus_sources`, `generate`, `write_cases`;
* reference runners (`reference_convert.py`): `ErrorCollector`, `install_collector`, `collected_errors`,
  `convert_cases`;
* comparisons (`compare.py`): `load_jsonl`, `json_type`, `same_value`, `render`, `error_presence`, `load_known`,
  `match_known`, `compare_main` (options, the loop over the cases, the report, the exit status).
"""
import fnmatch
import json
import logging
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


# ============================================================================================== case generators
COMPAT = os.environ.get("TB_COMPAT_DIR", os.path.normpath(os.path.join(HERE, "../../../shared/compat")))


def jtext(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class CaseList(list):
    """The cases of a generator, in order; an id can be added once only."""

    def __init__(self):
        super().__init__()
        self.ids = set()

    def add(self, case):
        case_id = case["id"]
        assert case_id not in self.ids, case_id
        self.ids.add(case_id)
        self.append(case)


def set_payload(target, payload=None, payload_hex=None):
    """`payloadHex` when given, else `payload` as text (a non-text value as its compact JSON)."""
    if payload_hex is not None:
        target["payloadHex"] = payload_hex
    else:
        target["payload"] = payload if isinstance(payload, str) else jtext(payload)
    return target


def set_present(target, *fields):
    """Adds the (key, value) fields whose value is not None to `target`, in order; returns it."""
    for key, value in fields:
        if value is not None:
            target[key] = value
    return target


def info(name_source, name_expr, profile_source=None, profile_expr=None):
    """A `deviceInfo` section with the fields that are not None."""
    return set_present({}, ("deviceNameExpressionSource", name_source), ("deviceNameExpression", name_expr),
                       ("deviceProfileExpressionSource", profile_source), ("deviceProfileExpression", profile_expr))


def corpus_sources(unit_subfolders, extra=()):
    """(label, path) of the compatibility corpus: the reference's config/mqtt.json, the upstream unit-test
    configs in `unit_subfolders`, then `extra` ((label, path relative to COMPAT) pairs) that exist. Warns on
    stderr when there is none."""
    sources = []
    path = os.path.join(COMPAT, "reference-configs", "mqtt.json")
    if os.path.exists(path):
        sources.append(("mqtt.json", path))
    base = os.path.join(COMPAT, "upstream-tests", "unit", "connectors", "mqtt", "data")
    for sub in unit_subfolders:
        folder = os.path.join(base, sub)
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                if name.endswith(".json"):
                    sources.append((sub + "/" + name, os.path.join(folder, name)))
    for label, relative in extra:
        path = os.path.join(COMPAT, *relative.split("/"))
        if os.path.exists(path):
            sources.append((label, path))
    if not sources:
        sys.stderr.write("warning: compatibility corpus not found under %s; corpus cases skipped\n" % COMPAT)
    return sources


def generate(generators, cases, argv):
    """Runs the generators (each adds its cases to `cases`), then writes the cases as `write_cases` does."""
    for generator in generators:
        generator()
    return write_cases(cases, argv)


def write_cases(cases, argv):
    """Writes the cases, one compact JSON line each, to the file named in argv (or stdout); with a
    file or --stats, a count per family on stderr."""
    stats = "--stats" in argv
    args = [a for a in argv if not a.startswith("--")]
    lines = "".join(json.dumps(case, ensure_ascii=False, separators=(",", ":")) + "\n" for case in cases)
    if args:
        with open(args[0], "w", encoding="utf-8") as f:
            f.write(lines)
    else:
        sys.stdout.write(lines)
    if stats or args:
        counts = {}
        for case in cases:
            family = case["id"].split("/")[0]
            counts[family] = counts.get(family, 0) + 1
        sys.stderr.write("%d cases: %s\n" % (len(cases), ", ".join("%s %d" % kv for kv in counts.items())))
    return 0


# ============================================================================================== reference runners
class ErrorCollector(logging.Handler):
    """Collects ERROR log lines in `messages` as "<logger>: <text> [<exception>]"; each runner words the text in
    its own `message_text`."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.messages = []

    def message_text(self, record):
        return record.getMessage()

    def emit(self, record):
        text = " ".join(str(self.message_text(record)).split())
        if record.exc_info and record.exc_info[1] is not None:
            text += " [%s: %s]" % (type(record.exc_info[1]).__name__, record.exc_info[1])
        self.messages.append("%s: %s" % (record.name, text[:200]))


def install_collector(collector):
    """Makes `collector` the root logger's only handler (level WARNING)."""
    logging.getLogger().addHandler(collector)
    logging.getLogger().setLevel(logging.WARNING)
    for handler in list(logging.getLogger().handlers):
        if handler is not collector:
            logging.getLogger().removeHandler(handler)


def collected_errors(collector, printed, errors):
    """The error texts of a case: the collector's log lines, then `errors` with what was printed, if anything."""
    if printed.getvalue().strip():
        errors.append("stdout: " + " ".join(printed.getvalue().split())[:300])
    return collector.messages + errors


def convert_cases(argv, doc, run_case, encode):
    """`reference_convert.py CASES`: one encoded result line (`encode(result)` -> bytes) per case on stdout."""
    if len(argv) != 2:
        sys.stderr.write(doc)
        return 2
    out = sys.stdout.buffer
    with open(argv[1], "r", encoding="utf-8") as cases:
        for line in cases:
            if not line.strip():
                continue
            out.write(encode(run_case(json.loads(line))) + b"\n")
    out.flush()
    return 0


# ============================================================================================== comparisons
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


JSON_TYPES = ((bool, "bool"), (int, "int"), (float, "float"), (str, "string"), (list, "array"), (dict, "object"))


def json_type(value):
    if value is None:
        return "null"
    for python_type, name in JSON_TYPES:  # bool before int: a bool is an int in Python
        if isinstance(value, python_type):
            return name
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


def error_presence(ref_line, our_line):
    """[("error presence", detail)] when only one side reports an error (ours: `error` or `configError`), else []."""
    ref_error = bool(ref_line.get("error"))
    our_error = bool(our_line.get("error") or our_line.get("configError"))
    if ref_error == our_error:
        return []
    return [("error presence", "reference error: %s; ours error: %s" % (
        render(ref_line.get("error")), render(our_line.get("error") or our_line.get("configError"))))]


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


def parse_options(argv, doc, known, switches=None, defaults=None):
    """(args, options) from argv, or (None, exit status) after `--help` or a wrong count of arguments.
    `switches`: {"--flag": (option, value)} beside the common options."""
    options = {"known": known, "errors": False, "only": [], "examples": 5, "strict": False}
    options.update(defaults or {})
    switches = dict({"--strict": ("strict", True), "--errors": ("errors", True)}, **(switches or {}))
    args = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--known":
            options["known"] = argv[i + 1]
            i += 1
        elif arg in switches:
            name, value = switches[arg]
            options[name] = value
        elif arg == "--only":
            options["only"].append(argv[i + 1])
            i += 1
        elif arg == "--examples":
            options["examples"] = int(argv[i + 1])
            i += 1
        elif arg in ("-h", "--help"):
            print(doc)
            return None, 0
        else:
            args.append(arg)
        i += 1
    if len(args) != 3:
        sys.stderr.write(doc)
        return None, 2
    return args, options


def compare_main(argv, doc, here, compare_line, category_order, describe_case, result_of, switches=None,
                 defaults=None):
    """`compare.py CASES REFERENCE OURS [options]`: compares every case, prints the report, returns the exit status.

    compare_line(ref_line, our_line, options) -> [(category, detail)]; describe_case(case) -> the example lines
    shown between the diffs and the two results; result_of(line) -> the text of one side's result."""
    args, options = parse_options(argv, doc, os.path.join(here, "known-differences.json"), switches, defaults)
    if args is None:
        return options
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
    order = sorted(by_category, key=lambda c: (category_order.index(c) if c in category_order else 99, c))
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
                print("- %s" % case_id)
                for detail in details[:3]:
                    print("    diff:      %s" % detail)
                if len(details) > 3:
                    print("    diff:      ... %d more" % (len(details) - 3))
                for text in describe_case(cases[case_id]):
                    print(text)
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
