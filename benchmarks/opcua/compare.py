#!/usr/bin/env python3
"""OPC-UA connector benchmark: 10,000 monitored items changing every second, and vs the Python gateway.

  bench_server.py (asyncua) ──► OPC-UA subscription ──► gateway under test ──► mosquitto :1884 ──► tb_sink
  (D devices × I Double items,   data changes              (opcua connector,       "ThingsBoard"     (fake TB,
   every value new each second)                             memory storage)                           counts values)

Cases, one after the other, each with a fresh broker, sink, server and gateway:
  1. swift-iot-gateway, --devices × --items (default 100 × 100 = 10,000 items)
  2. Python gateway 3.8.5, --python-devices × --items (a load it sustains)
  3. swift-iot-gateway, the same smaller load (for the ratio)
Both gateways get the SAME config files from the same generator (tb_gateway.json from refbench's template with
memory storage; opcua.json with one mapping per device, subscriptions on; the Python package's logs.json).

Per case: start-up until the first telemetry reaches the sink, --warmup s, then a --window s measurement: gateway
CPU (utime+stime), RSS (VmRSS each second, VmHWM, RssAnon), values written by the server (its counters, read on
SIGUSR1 at both ends of the window; "late rounds" mean the server itself could not keep up), datapoints that
reached the fake ThingsBoard, the server's CPU, and the CPU of everything else on the machine.

Everything this script starts is stopped by PID, also on Ctrl-C / SIGTERM. Run through run.sh.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import benchlib as bl  # noqa: E402  (benchmarks/common)


def device_name(d):
    return "SN-%05d" % (d + 1)  # tb_sink counts the values of devices named SN-...


def opcua_config(devices, items, port, publishing_ms):
    """One mapping per device with a literal browse path: the Python gateway matches path segments literally
    (swift-iot-gateway would also take one `Dev\\d+` pattern for all of them)."""
    return {
        "server": {"url": "opc.tcp://127.0.0.1:%d/bench/" % port, "timeoutInMillis": 5000,
                   "scanPeriodInMillis": 3600000, "pollPeriodInMillis": 5000, "enableSubscriptions": True,
                   "subCheckPeriodInMillis": publishing_ms, "subDataMaxBatchSize": 1000,
                   "subDataMinBatchCreationTimeMs": 200, "subscriptionProcessBatchSize": 2000,
                   "sessionTimeoutInMillis": 120000, "showMap": False, "security": "Basic128Rsa15",
                   "identity": {"type": "anonymous"}},
        "mapping": [{
            "deviceNodeSource": "path", "deviceNodePattern": "Root\\.Objects\\.Dev%05d" % d,
            "deviceInfo": {"deviceNameExpression": device_name(d), "deviceNameExpressionSource": "constant",
                           "deviceProfileExpression": "opcua-bench", "deviceProfileExpressionSource": "constant"},
            "attributes": [],
            "timeseries": [{"key": "v%d" % k, "type": "path", "value": "${v%d}" % k} for k in range(items)],
            "rpc_methods": [], "attributes_updates": [],
        } for d in range(devices)],
    }


def server_command(args, kind, devices):
    """Both servers build the same address space and change every value once a second."""
    if kind == "swift":
        return [args.sim_bin, "opcua-sim", "--port", str(args.port), "--devices", str(devices),
                "--items", str(args.items)]
    return [args.server_python, os.path.join(HERE, "bench_server.py"), str(args.port), "--devices", str(devices),
            "--items", str(args.items)]


def one_case(bench, tb_sink, args, gateway, devices, server_kind):
    label = "%s-%dx%d-%s-server" % (gateway, devices, args.items, server_kind)
    run_dir = os.path.join(args.run_root, label)
    connector = {"type": "opcua", "name": "OPC-UA Connector", "configuration": "opcua.json"}
    cfg_file = bl.write_gateway_folder(args, run_dir, connector,
                                       opcua_config(devices, args.items, args.port, args.publishing_ms))
    target = devices * args.items
    res = {"gateway": gateway, "server": server_kind, "devices": devices, "items_per_device": args.items,
           "target_values_per_s": target,
           "warmup_s": args.warmup, "window_s": args.window, "run_dir": run_dir}
    broker = sink = server = gw = None
    try:
        broker, sink = bl.start_thingsboard(bench, tb_sink, args.refbench, run_dir)
        server = bl.LineProcess(server_command(args, server_kind, devices), os.path.join(run_dir, "server.log"))
        server.wait_ready(timeout=120)  # building 10,000 nodes in Python takes a while
        gw = bl.start_gateway(args, gateway, cfg_file, run_dir)
        res["startup_to_first_telemetry_s"] = bl.wait_first_telemetry(sink, gw, run_dir, timeout=180)
        time.sleep(args.warmup)

        s0 = server.counters()
        dp0 = sink.snapshot()["bench_telemetry_values"]
        cpu = bl.CPUWindow(bench, {"gateway": gw.pid, "server": server.proc.pid, "broker": broker.pid})
        cpu.start()
        samples = bl.sample_rss(gw, args.window)
        figures = cpu.stop()
        s1 = server.counters()
        dps = sink.snapshot()["bench_telemetry_values"] - dp0
        elapsed = figures["window_measured_s"]
        writes = s1["writes"] - s0["writes"]
        res.update(figures)
        res.update(bl.memory_figures(gw, samples))
        res.update({
            "server_values_per_s": writes / elapsed,
            "server_late_rounds": s1["late_rounds"] - s0["late_rounds"],
            "server_last_round_s": s1["last_round_s"],
            "datapoints_to_tb_per_s": dps / elapsed,
            "delivered_pct_of_written": 100.0 * dps / writes if writes else None,
            "gateway_cpu_us_per_datapoint": 1e6 * figures["gateway_cpu_s"] / dps if dps else None,
            "device_connects_at_tb": sink.snapshot()["device_connects"],
            "gateway_log_lines": bl.log_lines(run_dir),
        })
        return res
    except Exception as e:  # noqa
        res["error"] = repr(e)
        return res
    finally:
        bench.stop_pid(gw, grace=10.0)
        bench.stop_pid(server.proc if server else None)
        bl.stop_thingsboard(bench, broker, sink)


ROWS = [  # (label, key, digits, scale, ratio: (Python column, Swift small column))
    ("monitored items (devices × items)", "target_values_per_s", 0, 1, None),
    ("values written by the server /s", "server_values_per_s", 0, 1, None),
    ("server rounds later than 1 s (server overloaded)", "server_late_rounds", 0, 1, None),
    ("datapoints/s reaching ThingsBoard", "datapoints_to_tb_per_s", 0, 1, None),
    ("delivered, % of written", "delivered_pct_of_written", 1, 1, None),
    ("gateway CPU µs per datapoint", "gateway_cpu_us_per_datapoint", 1, 1, (1, 2)),
] + bl.resource_rows((1, 2)) + [
    ("start-up → first telemetry s", "startup_to_first_telemetry_s", 1, 1, None),
    ("OPC-UA server CPU, % of one core", "server_cpu_pct", 1, 1, None),
] + bl.SHARED_CPU_ROWS


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = bl.add_common_arguments(ap, HERE, "opcua")
    ap.add_argument("--server-python", default=os.path.join(root, ".venv-peers", "bin", "python"),
                    help="a Python with asyncua for the server (the test peers' venv)")
    ap.add_argument("--sim-bin", default=os.path.join(root, ".build-release", "release", "gateway-bench"))
    ap.add_argument("--full-server", default="swift", choices=("swift", "asyncua"),
                    help="server of the full-load case: gateway-bench opcua-sim (default; asyncua cannot change "
                         "10,000 items a second on this machine) or bench_server.py (asyncua)")
    ap.add_argument("--small-server", default="asyncua", choices=("swift", "asyncua"),
                    help="server of the Python case and its Swift twin (default asyncua: the reference stack)")
    ap.add_argument("--devices", type=int, default=100, help="devices for the full-load Swift case")
    ap.add_argument("--python-devices", type=int, default=5,
                    help="devices for the Python case and its Swift twin (5 × 100: a load the Python gateway sustains)")
    ap.add_argument("--items", type=int, default=100, help="Double items per device, each new every second")
    ap.add_argument("--publishing-ms", type=int, default=100,
                    help="subCheckPeriodInMillis (the subscription's publishing interval; reference example: 100)")
    ap.add_argument("--port", type=int, default=24840)
    ap.add_argument("--warmup", type=float, default=20, help="s after the first telemetry before measuring")
    ap.add_argument("--window", type=float, default=60, help="measured window, s")
    ap.add_argument("--cases", default="swift-full,python,swift-small",
                    help="comma list of swift-full, python, swift-small")
    args = ap.parse_args()
    args.refbench = os.path.abspath(args.refbench)
    for path in (args.swift_bin, args.sim_bin):
        if not os.access(path, os.X_OK):
            ap.error("no binary at %s (build it in release first, see README.md)" % path)
    bench, tb_sink = bl.load_refbench(args.refbench)
    os.makedirs(args.run_root, exist_ok=True)
    bl.interrupt_on_sigterm()

    plan = {"swift-full": ("swift", args.devices, args.full_server),
            "python": ("python", args.python_devices, args.small_server),
            "swift-small": ("swift", args.python_devices, args.small_server)}
    cases = [c for c in args.cases.split(",") if c]
    for c in cases:
        if c not in plan:
            ap.error("unknown case %r" % c)
    started = time.time()
    print("# OPC-UA connector benchmark: %s; %d items per device, each new every second; publishing interval "
          "%d ms; warm-up %.0f s, window %.0f s" % (", ".join("%s %d devices (%s server)" % plan[c] for c in cases),
                                                    args.items,
                                                    args.publishing_ms, args.warmup, args.window), flush=True)
    results = {}
    for c in cases:
        gateway, devices, server_kind = plan[c]
        r = one_case(bench, tb_sink, args, gateway, devices, server_kind)
        results[c] = r
        print(json.dumps({k: r.get(k) for k in ("gateway", "devices", "error", "datapoints_to_tb_per_s",
                                                "server_late_rounds", "gateway_cpu_pct", "rss_end_kib",
                                                "vmhwm_kib", "server_cpu_pct", "other_processes_cpu_pct")}),
              flush=True)
    stamp, out = bl.save_results(args.results, "opcua", started, args, results)
    ok = {c: r for c, r in results.items() if "error" not in r}

    def head(c, name):
        r = ok.get(c)
        return ("%s %d×%d (%s server)" % (name, r["devices"], r["items_per_device"], r["server"]) if r else name), r

    print()
    print("Measured %s UTC on %s; %.0f s total; JSON: %s" % (stamp, json.dumps(bl.machine()),
                                                             time.time() - started, out))
    print()
    print(bl.markdown_table([head("swift-full", "Swift"), head("python", "Python"), head("swift-small", "Swift")],
                            ROWS).replace("| ratio |", "| Python ÷ Swift (same load) |"))
    big = ok.get("swift-full")
    if big:
        print()
        print("Aim at %d items: CPU < 5%% of one core: %s (%.1f %%); RSS < 40 MB: %s (%.1f MiB end, %.1f MiB peak)"
              % (big["target_values_per_s"], "met" if big["gateway_cpu_pct"] < 5 else "NOT met",
                 big["gateway_cpu_pct"], "met" if big["rss_end_kib"] < 40 * 1000 * 1000 / 1024 else "NOT met",
                 big["rss_end_kib"] / bl.MiB, big["vmhwm_kib"] / bl.MiB))
    failed = [(c, r) for c, r in results.items() if "error" in r]
    for c, r in failed:
        print("FAILED: %s: %s (run folder %s)" % (c, r["error"], r["run_dir"]))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
