#!/usr/bin/env python3
"""Modbus connector benchmark: swift-iot-gateway at Neuron's load, and vs the Python gateway.

  gateway-bench modbus-sim ◄── Modbus TCP polls ── gateway under test ──► mosquitto :1884 ──► tb_sink
  (N devices, ports P..P+N-1,                      (modbus connector,       "ThingsBoard"     (fake TB,
   R holding registers each,                        memory storage)                            counts values)
   values change every second)

Cases, one after the other, each with a fresh broker, sink, simulator and gateway:
  1. swift-iot-gateway, --devices × --registers (default 500 × 30 = 15,000 registers/s, Neuron's test)
  2. Python gateway 3.8.5, --python-devices × --registers (a load it can sustain)
  3. swift-iot-gateway, the same smaller load (for the ratio)
Both gateways get the SAME config files from the same generator (tb_gateway.json from refbench's template with
memory storage; modbus.json; the Python package's logs.json).

Per case: start-up until the first telemetry reaches the sink, --warmup s, then a --window s measurement:
gateway CPU (utime+stime, /proc/<pid>/stat), RSS (VmRSS sampled each second, VmHWM, RssAnon), Modbus requests
and registers served (the simulator's kernel TCP counters, read on SIGUSR1 at both ends of the window), datapoints
that reached the fake ThingsBoard, the simulator's own CPU, and the CPU of everything else on the machine.

Everything this script starts is stopped by PID, also on Ctrl-C / SIGTERM.
Run through run.sh (builds the release binaries when missing).
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import benchlib as bl  # noqa: E402  (benchmarks/common)

MiB = bl.MiB


# ------------------------------------------------------------------------------------- config
def device_name(i):
    # tb_sink counts the values of devices named SN-...; others it only lists.
    return "SN-%05d" % (i + 1)


def modbus_config(devices, registers, base_port):
    return {"master": {"slaves": [{
        "name": "sim %d" % i, "deviceName": device_name(i), "deviceType": "modbus-sim",
        "type": "tcp", "method": "socket", "host": "127.0.0.1", "port": base_port + i, "unitId": 1,
        "pollPeriod": 1000, "timeout": 3, "byteOrder": "BIG", "wordOrder": "BIG",
        "attributes": [], "attributeUpdates": [], "rpc": [],
        "timeseries": [{"tag": "r%d" % k, "type": "16uint", "functionCode": 3, "objectsCount": 1, "address": k}
                       for k in range(registers)],
    } for i in range(devices)]}}


def write_config(args, run_dir, devices):
    """The same folder for both gateways: tb_gateway.json, modbus.json, the Python package's logs.json.
    refbench's template checks the connector files every 60 s; --config-check-seconds 0 turns that off (both
    gateways), to tell the cost of re-reading a large modbus.json apart from polling."""
    connector = {"type": "modbus", "name": "Modbus Connector", "configuration": "modbus.json"}
    return bl.write_gateway_folder(args, run_dir, connector, modbus_config(devices, args.registers, args.base_port),
                                   config_check_seconds=args.config_check_seconds)


# ------------------------------------------------------------------------------------- one case
def one_case(bench, tb_sink, args, gateway, devices):
    label = "%s-%dx%d" % (gateway, devices, args.registers)
    run_dir = os.path.join(args.run_root, label)
    cfg_file = write_config(args, run_dir, devices)
    target = devices * args.registers
    res = {"gateway": gateway, "devices": devices, "registers_per_device": args.registers,
           "target_registers_per_s": target, "warmup_s": args.warmup, "window_s": args.window, "run_dir": run_dir}
    broker = sink = sim = gw = None
    try:
        broker, sink = bl.start_thingsboard(bench, tb_sink, args.refbench, run_dir)
        # gateway-bench modbus-sim: prints READY when every port listens, counters on SIGUSR1
        sim = bl.LineProcess([args.sim_bin, "modbus-sim", "--devices", str(devices), "--registers",
                              str(args.registers), "--base-port", str(args.base_port)],
                             os.path.join(run_dir, "simulator.log"))
        sim.wait_ready()
        gw = bl.start_gateway(args, gateway, cfg_file, run_dir)
        res["startup_to_first_telemetry_s"] = bl.wait_first_telemetry(sink, gw, run_dir)
        time.sleep(args.warmup)

        # ---- the window
        s0 = sim.counters()
        dp0 = sink.snapshot()["bench_telemetry_values"]
        cpu = bl.CPUWindow(bench, {"gateway": gw.pid, "simulator": sim.proc.pid, "broker": broker.pid})
        cpu.start()
        samples = bl.sample_rss(gw, args.window)
        figures = cpu.stop()
        s1 = sim.counters()
        snap = sink.snapshot()
        elapsed = figures["window_measured_s"]
        regs = s1["registers"] - s0["registers"]
        reqs = s1["requests"] - s0["requests"]
        dps = snap["bench_telemetry_values"] - dp0
        res.update(figures)
        res.update(bl.memory_figures(gw, samples))
        res.update({
            "registers_per_s": regs / elapsed,
            "achieved_pct_of_target": 100.0 * regs / elapsed / target,
            "modbus_requests_per_s": reqs / elapsed,
            "datapoints_to_tb_per_s": dps / elapsed,
            "gateway_cpu_us_per_register": 1e6 * figures["gateway_cpu_s"] / regs if regs else None,
            "simulator_connections": [s0["connections"], s1["connections"]],
            "device_connects_at_tb": snap["device_connects"],
            "duplicate_or_other_devices": snap["other_devices"],
            "gateway_log_lines": bl.log_lines(run_dir),
        })
        return res
    except Exception as e:  # noqa
        res["error"] = repr(e)
        return res
    finally:
        bench.stop_pid(gw, grace=10.0)
        bench.stop_pid(sim.proc if sim else None)
        bl.stop_thingsboard(bench, broker, sink)


# ------------------------------------------------------------------------------------- table
ROWS = [  # (label, key, digits, scale, ratio: (Python column, Swift small column))
    ("target registers/s (devices × registers, 1 s poll)", "target_registers_per_s", 0, 1, None),
    ("achieved registers/s (served by the simulator)", "registers_per_s", 0, 1, None),
    ("achieved, % of target", "achieved_pct_of_target", 1, 1, None),
    ("Modbus requests/s", "modbus_requests_per_s", 0, 1, None),
    ("datapoints/s reaching ThingsBoard", "datapoints_to_tb_per_s", 0, 1, None),
    ("gateway CPU µs per polled register", "gateway_cpu_us_per_register", 1, 1, (1, 2)),
] + bl.resource_rows((1, 2)) + [
    ("start-up → first telemetry s", "startup_to_first_telemetry_s", 1, 1, None),
    ("simulator CPU, % of one core", "simulator_cpu_pct", 1, 1, None),
] + bl.SHARED_CPU_ROWS


def table(big, py, small):
    """Markdown: Swift at the full load | Python at the small load | Swift at the small load | ratio."""
    def head(r, name):
        return ("%s %d×%d" % (name, r["devices"], r["registers_per_device"]) if r else name), r

    return bl.markdown_table([head(big, "Swift"), head(py, "Python"), head(small, "Swift")], ROWS) \
        .replace("| ratio |", "| Python ÷ Swift (same load) |")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = bl.add_common_arguments(ap, here, "modbus")
    ap.add_argument("--sim-bin", default=os.path.join(root, ".build-release", "release", "gateway-bench"))
    ap.add_argument("--devices", type=int, default=500, help="devices for the full-load Swift case")
    ap.add_argument("--python-devices", type=int, default=25, help="devices for the Python case and its Swift twin")
    ap.add_argument("--registers", type=int, default=30, help="holding registers polled per device per second")
    ap.add_argument("--base-port", type=int, default=21000, help="first simulated device's port")
    ap.add_argument("--warmup", type=float, default=15, help="s after the first telemetry before measuring")
    ap.add_argument("--window", type=float, default=60, help="measured window, s")
    ap.add_argument("--config-check-seconds", type=int, default=60,
                    help="checkConnectorsConfigurationInSeconds in tb_gateway.json (refbench's template: 60; 0 = off)")
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

    plan = {"swift-full": ("swift", args.devices), "python": ("python", args.python_devices),
            "swift-small": ("swift", args.python_devices)}
    cases = [c for c in args.cases.split(",") if c]
    for c in cases:
        if c not in plan:
            ap.error("unknown case %r" % c)
    started = time.time()
    print("# Modbus connector benchmark: %s; %d registers per device, 1 s poll; warm-up %.0f s, window %.0f s"
          % (", ".join("%s %d devices" % plan[c] for c in cases), args.registers, args.warmup, args.window),
          flush=True)
    results = {}
    for c in cases:
        gateway, devices = plan[c]
        r = one_case(bench, tb_sink, args, gateway, devices)
        results[c] = r
        print(json.dumps({k: r.get(k) for k in ("gateway", "devices", "error", "registers_per_s",
                                                "achieved_pct_of_target", "gateway_cpu_pct", "rss_end_kib",
                                                "vmhwm_kib", "simulator_cpu_pct", "other_processes_cpu_pct")}),
              flush=True)
    stamp, out = bl.save_results(args.results, "modbus", started, args, results)
    ok = {c: r for c, r in results.items() if "error" not in r}
    print()
    print("Measured %s UTC on %s; %.0f s total; JSON: %s" % (stamp, json.dumps(bl.machine()), time.time() - started,
                                                             out))
    print()
    print(table(ok.get("swift-full"), ok.get("python"), ok.get("swift-small")))
    big = ok.get("swift-full")
    if big:
        print()
        print("Aim at %d × %d: CPU < 10%% of one core: %s (%.1f %%); RSS < 40 MB: %s (%.1f MiB end, %.1f MiB peak)"
              % (big["devices"], big["registers_per_device"],
                 "met" if big["gateway_cpu_pct"] < 10 else "NOT met", big["gateway_cpu_pct"],
                 "met" if big["rss_end_kib"] < 40 * 1000 * 1000 / 1024 else "NOT met", big["rss_end_kib"] / MiB,
                 big["vmhwm_kib"] / MiB))
    failed = [(c, r) for c, r in results.items() if "error" in r]
    for c, r in failed:
        print("FAILED: %s: %s (run folder %s)" % (c, r["error"], r["run_dir"]))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
