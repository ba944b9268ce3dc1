#!/usr/bin/env python3
"""REST connector benchmark: wrk POSTing JSON readings to the Python gateway and to swift-iot-gateway, same run.

  wrk (--connections, 1 thread) ──► HTTP POST /bench ──► gateway under test ──► mosquitto :1884 ──► tb_sink
  {"sensorName": "SN-000d",                               (rest connector,        "ThingsBoard"     (fake TB,
   "temp": <unique>, "hum": h}                              --storage)                               counts readings)

Both gateways get the SAME config files from the same generator (tb_gateway.json from refbench's template with
--storage: memory by default, or refbench's file / sqlite variant; rest.json with one endpoint; the Python package's logs.json), one after the other, with the same
wrk invocation: a --warmup s run, then the measured --window s run. wrk is closed-loop: each connection sends its
next request when the previous answer arrived, so requests/s is the gateway's throughput at that concurrency and
the latency percentiles are those under that saturation.

Measured per gateway: requests/s and latency percentiles (wrk --latency), non-2xx answers and socket errors,
gateway CPU (utime+stime) and RSS (VmRSS each second, VmHWM, RssAnon) during the window, wrk's own CPU, the CPU of
everything else on the machine, and, after the load, whether every accepted request (2xx) reached the fake
ThingsBoard (each request carries a unique value; waited for up to --drain-cap s).

Everything this script starts is stopped by PID, also on Ctrl-C / SIGTERM. Run through run.sh.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import benchlib as bl  # noqa: E402  (benchmarks/common)

ENDPOINT = "/bench"


def rest_config(port):
    return {
        "server": {"host": "127.0.0.1", "port": port, "SSL": False},
        "mapping": [{
            "endpoint": ENDPOINT, "HTTPMethods": ["POST"], "security": {"type": "anonymous"},
            "converter": {
                "type": "json",
                "deviceInfo": {"deviceNameExpressionSource": "request", "deviceNameExpression": "${sensorName}",
                               "deviceProfileExpressionSource": "constant", "deviceProfileExpression": "rest-bench"},
                "attributes": [],
                "timeseries": [{"type": "double", "key": "temperature", "value": "${temp}"},
                               {"type": "double", "key": "humidity", "value": "${hum}"}],
            },
        }],
        "requestsMapping": {"attributeRequests": [], "attributeUpdates": [], "serverSideRpc": []},
    }


def wait_http(port, gw, run_dir, timeout=90):
    """Until the endpoint answers a first reading (which also proves the path to the sink)."""
    body = json.dumps({"sensorName": "SN-00000", "temp": -1, "hum": 0}).encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if gw.poll() is not None:
            raise RuntimeError("gateway exited with %r (see %s/gateway.out)" % (gw.poll(), run_dir))
        try:
            req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, ENDPOINT), data=body,
                                         headers={"Content-Type": "application/json"}, method="POST")
            with urllib.request.urlopen(req, timeout=2) as r:
                if 200 <= r.status < 300:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the REST endpoint did not answer within %d s (see %s/gateway.out)" % (timeout, run_dir))


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_wrk(text):
    """wrk --latency output → requests, requests/s, non-2xx, socket errors, latency percentiles in ms."""
    out = {}
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", text)
    if m:
        out["requests"] = int(m.group(1))
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["requests_per_s"] = float(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["socket_errors"] = sum(int(g) for g in m.groups()) if m else 0
    for pct, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M):
        out["latency_p%s_ms" % pct] = float(value) * UNITS[unit]
    m = re.search(r"Latency\s+([\d.]+)(us|ms|s|m)\s+([\d.]+)(us|ms|s|m)\s+([\d.]+)(us|ms|s|m)", text)
    if m:
        out["latency_avg_ms"] = float(m.group(1)) * UNITS[m.group(2)]
        out["latency_max_ms"] = float(m.group(5)) * UNITS[m.group(6)]
    return out


def run_wrk(args, seconds, log_path, offset):
    cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", "%ds" % seconds, "--latency",
           "--timeout", "10s", "-s", os.path.join(HERE, "post_reading.lua"),
           "http://127.0.0.1:%d%s" % (args.port, ENDPOINT)]
    env = dict(os.environ, BENCH_DEVICES=str(args.devices), BENCH_OFFSET=str(offset))
    return subprocess.Popen(cmd, stdout=open(log_path, "w"), stderr=subprocess.STDOUT, env=env)


def one_case(bench, tb_sink, args, gateway):
    run_dir = os.path.join(args.run_root, gateway)
    connector = {"type": "rest", "name": "REST Connector", "configuration": "rest.json"}
    cfg_file = bl.write_gateway_folder(args, run_dir, connector, rest_config(args.port), storage=args.storage)
    res = {"gateway": gateway, "storage": args.storage, "connections": args.connections, "wrk_threads": args.threads,
           "devices": args.devices, "warmup_s": args.warmup, "window_s": args.window, "run_dir": run_dir}
    broker = sink = gw = None
    try:
        if bench.port_open(args.port):
            raise RuntimeError("port %d already in use" % args.port)
        broker, sink = bl.start_thingsboard(bench, tb_sink, args.refbench, run_dir)
        t_launch = time.time()
        gw = bl.start_gateway(args, gateway, cfg_file, run_dir)
        wait_http(args.port, gw, run_dir)
        res["startup_to_first_answer_s"] = time.time() - t_launch

        warm = run_wrk(args, args.warmup, os.path.join(run_dir, "wrk-warmup.txt"), offset=0)
        warm.wait()
        with open(os.path.join(run_dir, "wrk-warmup.txt")) as f:
            warm_res = parse_wrk(f.read())

        wrk = run_wrk(args, args.window, os.path.join(run_dir, "wrk.txt"), offset=10 ** 9)
        cpu = bl.CPUWindow(bench, {"gateway": gw.pid, "wrk": wrk.pid, "broker": broker.pid})
        cpu.start()
        samples = bl.sample_rss(gw, args.window - 0.5)
        figures = cpu.stop()
        wrk.wait()
        res.update(bl.memory_figures(gw, samples))
        res.update(figures)
        with open(os.path.join(run_dir, "wrk.txt")) as f:
            res.update(parse_wrk(f.read()))

        # Every accepted request must reach ThingsBoard: wait until they did or nothing moves for 10 s.
        accepted = sum(r.get("requests", 0) - r["non_2xx"] for r in (warm_res, res))
        t_end, last, last_change = time.monotonic(), -1, time.monotonic()
        while time.monotonic() - t_end < args.drain_cap and time.monotonic() - last_change < 10:
            got = sink.snapshot()["bench_unique_readings"]
            if got >= accepted:
                break
            if got != last:
                last, last_change = got, time.monotonic()
            time.sleep(0.5)
        delivered = sink.snapshot()["bench_unique_readings"]
        res.update({
            "accepted_requests_total": accepted, "readings_at_tb_total": delivered,
            "accepted_but_missing_at_tb": max(0, accepted - delivered),
            "drain_s": time.monotonic() - t_end,
            "gateway_cpu_us_per_request": (1e6 * figures["gateway_cpu_s"] / res["requests"]
                                           if res.get("requests") else None),
            "gateway_log_lines": bl.log_lines(run_dir),
        })
        return res
    except Exception as e:  # noqa
        res["error"] = repr(e)
        return res
    finally:
        bench.stop_pid(gw, grace=10.0)
        bl.stop_thingsboard(bench, broker, sink)


ROWS = [  # (label, key, digits, scale, ratio: (Swift column, Python column) or the reverse for costs)
    ("requests/s", "requests_per_s", 0, 1, (1, 0)),
    ("latency p50 ms", "latency_p50_ms", 2, 1, (0, 1)),
    ("latency p90 ms", "latency_p90_ms", 2, 1, (0, 1)),
    ("latency p99 ms", "latency_p99_ms", 2, 1, (0, 1)),
    ("latency max ms", "latency_max_ms", 1, 1, None),
    ("non-2xx answers", "non_2xx", 0, 1, None),
    ("socket errors", "socket_errors", 0, 1, None),
    ("gateway CPU µs per request", "gateway_cpu_us_per_request", 1, 1, (0, 1)),
] + bl.resource_rows((0, 1)) + [
    ("accepted requests (warm-up + window)", "accepted_requests_total", 0, 1, None),
    ("of them missing at ThingsBoard after the drain", "accepted_but_missing_at_tb", 0, 1, None),
    ("start-up → first answer s", "startup_to_first_answer_s", 1, 1, None),
    ("wrk CPU, % of one core", "wrk_cpu_pct", 1, 1, None),
] + bl.SHARED_CPU_ROWS


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bl.add_common_arguments(ap, HERE, "rest")
    ap.add_argument("--port", type=int, default=25000, help="the REST connector's port")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections (requests in flight)")
    ap.add_argument("--threads", type=int, default=1, help="wrk threads")
    ap.add_argument("--storage", default="memory", choices=["memory", "file", "sqlite"],
                    help="the gateways' storage (refbench's variants); with file or sqlite both answer once stored")
    ap.add_argument("--devices", type=int, default=100, help="devices the readings are spread over")
    ap.add_argument("--warmup", type=int, default=5, help="s of load before the measured window")
    ap.add_argument("--window", type=int, default=30, help="measured window, s")
    ap.add_argument("--drain-cap", type=float, default=120, help="s to wait for accepted readings at the sink")
    ap.add_argument("--gateways", default="python,swift")
    args = ap.parse_args()
    args.refbench = os.path.abspath(args.refbench)
    if not os.access(args.swift_bin, os.X_OK):
        ap.error("no binary at %s (build it in release first, see README.md)" % args.swift_bin)
    bench, tb_sink = bl.load_refbench(args.refbench)
    os.makedirs(args.run_root, exist_ok=True)
    bl.interrupt_on_sigterm()

    gateways = [g for g in args.gateways.split(",") if g]
    started = time.time()
    print("# REST connector benchmark: wrk -t%d -c%d, JSON POST, %d devices, %s storage; warm-up %d s, window %d s; %s"
          % (args.threads, args.connections, args.devices, args.storage, args.warmup, args.window, ", ".join(gateways)),
          flush=True)
    results = {}
    for g in gateways:
        r = one_case(bench, tb_sink, args, g)
        results[g] = r
        print(json.dumps({k: r.get(k) for k in ("gateway", "error", "requests_per_s", "latency_p99_ms", "non_2xx",
                                                "gateway_cpu_pct", "rss_end_kib", "accepted_but_missing_at_tb",
                                                "other_processes_cpu_pct", "steal_pct")}), flush=True)
    stamp, out = bl.save_results(args.results, "rest", started, args, results)
    ok = {g: r for g, r in results.items() if "error" not in r}
    print()
    print("Measured %s UTC on %s; %.0f s total; JSON: %s" % (stamp, json.dumps(bl.machine()),
                                                             time.time() - started, out))
    print()
    print(bl.markdown_table([("Python", ok.get("python")), ("Swift", ok.get("swift"))], ROWS)
          .replace("| ratio |", "| Swift vs Python (better ÷ worse) |"))
    py, sw = ok.get("python"), ok.get("swift")
    if py and sw and py.get("requests_per_s") and sw.get("requests_per_s"):
        ratio = sw["requests_per_s"] / py["requests_per_s"]
        print()
        print("Aim: at least 20× the Python gateway's throughput: %s (%.1f×)" % ("met" if ratio >= 20 else "NOT met",
                                                                                ratio))
    failed = [(g, r) for g, r in results.items() if "error" in r]
    for g, r in failed:
        print("FAILED: %s: %s (run folder %s)" % (g, r["error"], r["run_dir"]))
    lost = [(g, r) for g, r in ok.items() if r.get("accepted_but_missing_at_tb")]
    for g, r in lost:
        print("LOST: %s: %d accepted requests never reached ThingsBoard" % (g, r["accepted_but_missing_at_tb"]))
    sys.exit(1 if failed or lost else 0)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
