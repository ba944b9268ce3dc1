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
import platform
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from benchlib import load_refbench, proc_mem  # noqa: E402  (benchmarks/common)

TB_PORT = 1884
MiB = 1024.0






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
    """The same folder for both gateways: tb_gateway.json, modbus.json, the Python package's logs.json."""
    if os.path.exists(run_dir):
        shutil.rmtree(run_dir)
    cfg = os.path.join(run_dir, "config")
    os.makedirs(cfg)
    pkg = subprocess.check_output([args.gw_python, "-c", "import thingsboard_gateway,os;"
                                   "print(os.path.dirname(thingsboard_gateway.__file__))"], text=True).strip()
    shutil.copy(os.path.join(pkg, "config", "logs.json"), cfg)
    with open(os.path.join(args.refbench, "gwconf", "tb_gateway.template.json")) as f:
        main_cfg = json.load(f)
    with open(os.path.join(args.refbench, "gwconf", "storage_variants.json")) as f:
        main_cfg["storage"] = json.load(f)["memory"]
    # refbench's template checks the connector files every 60 s; --config-check-seconds 0 turns that off (both
    # gateways), to tell the cost of re-reading a large modbus.json apart from polling.
    main_cfg["thingsboard"]["checkConnectorsConfigurationInSeconds"] = args.config_check_seconds
    main_cfg["connectors"] = [{"type": "modbus", "name": "Modbus Connector", "configuration": "modbus.json"}]
    # swift-iot-gateway's local HTTP endpoint is not needed (the simulator counts the polls); the Python
    # gateway has no such section and ignores it.
    main_cfg["admin"] = {"enabled": False}
    with open(os.path.join(cfg, "tb_gateway.json"), "w") as f:
        json.dump(main_cfg, f, indent=2)
    with open(os.path.join(cfg, "modbus.json"), "w") as f:
        json.dump(modbus_config(devices, args.registers, args.base_port), f, indent=1)
    return os.path.join(cfg, "tb_gateway.json")


def gateway_command(args, gateway, cfg_file):
    if gateway == "python":
        return [args.gw_python, os.path.join(args.refbench, "run_gateway.py"), cfg_file,
                "--no-local-tb-subscriptions", str(TB_PORT)]
    return [args.swift_bin, "run", "--config", os.path.dirname(cfg_file), "--log-level", "warning"]


# ------------------------------------------------------------------------------------- simulator
class Simulator:
    """`gateway-bench modbus-sim`; its stdout lines are read by a thread into a queue."""

    def __init__(self, args, devices, log_path):
        self.log_path = log_path
        self.proc = subprocess.Popen([args.sim_bin, "modbus-sim", "--devices", str(devices), "--registers",
                                      str(args.registers), "--base-port", str(args.base_port)],
                                     stdout=subprocess.PIPE, stderr=open(log_path, "w"), text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.lines.get(timeout=0.5) == "READY":
                    return
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
        raise RuntimeError("simulator not ready within %ss (exit code %r, see %s)"
                           % (timeout, self.proc.poll(), self.log_path))

    def counters(self, timeout=5):
        self.proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if line.startswith("{"):
                return json.loads(line)
        raise RuntimeError("simulator printed no counters")


# ------------------------------------------------------------------------------------- one case
def one_case(rb, tb_sink, args, gateway, devices):
    bench = rb
    label = "%s-%dx%d" % (gateway, devices, args.registers)
    run_dir = os.path.join(args.run_root, label)
    cfg_file = write_config(args, run_dir, devices)
    target = devices * args.registers
    res = {"gateway": gateway, "devices": devices, "registers_per_device": args.registers,
           "target_registers_per_s": target, "warmup_s": args.warmup, "window_s": args.window, "run_dir": run_dir}
    procs = {}
    sim = sink = None
    try:
        if bench.port_open(TB_PORT):
            raise RuntimeError("port %d already in use - stop that broker first" % TB_PORT)
        procs["mosq_tb"] = subprocess.Popen(["mosquitto", "-c", os.path.join(args.refbench, "conf",
                                                                             "mosquitto-tb.conf")],
                                            stdout=open(os.path.join(run_dir, "mosq_tb.log"), "w"),
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 5
        while not bench.port_open(TB_PORT):
            if time.monotonic() > deadline:
                raise RuntimeError("broker did not start within 5 s")
            time.sleep(0.1)
        sink = tb_sink.TBSink("127.0.0.1", TB_PORT)
        sink.start()
        sim = Simulator(args, devices, os.path.join(run_dir, "simulator.log"))
        procs["simulator"] = sim.proc
        sim.wait_ready()

        t_launch = time.time()
        procs["gateway"] = gw = subprocess.Popen(gateway_command(args, gateway, cfg_file), cwd=run_dir,
                                                 stdout=open(os.path.join(run_dir, "gateway.out"), "w"),
                                                 stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while sink.snapshot()["t_first_tel"] is None:
            if gw.poll() is not None:
                raise RuntimeError("gateway exited with %r (see %s/gateway.out)" % (gw.poll(), run_dir))
            if time.monotonic() > deadline:
                raise RuntimeError("no telemetry within 90 s (see %s/gateway.out)" % run_dir)
            time.sleep(0.2)
        res["startup_to_first_telemetry_s"] = sink.snapshot()["t_first_tel"] - t_launch
        time.sleep(args.warmup)

        # ---- the window
        s0 = sim.counters()
        t0 = time.monotonic()
        gw0, sim_cpu0, busy0 = bench.proc_cpu_s(gw.pid), bench.proc_cpu_s(sim.proc.pid), bench.machine_busy_s()
        broker0, self0 = bench.proc_cpu_s(procs["mosq_tb"].pid), time.process_time()
        dp0 = sink.snapshot()["bench_telemetry_values"]
        rss = []
        while time.monotonic() - t0 < args.window:
            if gw.poll() is not None:
                raise RuntimeError("gateway exited with %r during the window" % gw.poll())
            m = proc_mem(gw.pid)
            rss.append((m.get("VmRSS"), m.get("RssAnon"), round(time.monotonic() - t0, 1)))
            time.sleep(1)
        s1 = sim.counters()
        elapsed = time.monotonic() - t0
        gw1, sim_cpu1, busy1 = bench.proc_cpu_s(gw.pid), bench.proc_cpu_s(sim.proc.pid), bench.machine_busy_s()
        broker1, self1 = bench.proc_cpu_s(procs["mosq_tb"].pid), time.process_time()
        snap = sink.snapshot()
        end = proc_mem(gw.pid)

        gw_cpu, sim_cpu = gw1 - gw0, sim_cpu1 - sim_cpu0
        regs = s1["registers"] - s0["registers"]
        reqs = s1["requests"] - s0["requests"]
        dps = snap["bench_telemetry_values"] - dp0
        own = gw_cpu + sim_cpu + (broker1 - broker0) + (self1 - self0)
        res.update({
            "window_measured_s": elapsed,
            "registers_per_s": regs / elapsed,
            "achieved_pct_of_target": 100.0 * regs / elapsed / target,
            "modbus_requests_per_s": reqs / elapsed,
            "datapoints_to_tb_per_s": dps / elapsed,
            "gateway_cpu_pct": 100.0 * gw_cpu / elapsed,
            "gateway_cpu_us_per_register": 1e6 * gw_cpu / regs if regs else None,
            "rss_end_kib": end.get("VmRSS"),
            "rss_max_sampled_kib": max([r[0] for r in rss if r[0]] or [0]),
            "rss_anon_end_kib": end.get("RssAnon"),
            # (s into the window, VmRSS KiB, RssAnon KiB) every ~5 s: growth here means memory not returned
            "rss_series": [(r[2], r[0], r[1]) for r in rss[::5]],
            "vmhwm_kib": end.get("VmHWM"),
            "threads": end.get("Threads"),
            "simulator_cpu_pct": 100.0 * sim_cpu / elapsed,
            "simulator_connections": [s0["connections"], s1["connections"]],
            "broker_cpu_pct": 100.0 * (broker1 - broker0) / elapsed,
            "harness_cpu_pct": 100.0 * (self1 - self0) / elapsed,
            # CPU of everything else on the machine during the window (non-zero = competition for the cores)
            "other_processes_cpu_pct": 100.0 * ((busy1 - busy0) - own) / elapsed,
            "device_connects_at_tb": snap["device_connects"],
            "duplicate_or_other_devices": snap["other_devices"],
        })
        with open(os.path.join(run_dir, "gateway.out"), errors="replace") as f:
            res["gateway_log_lines"] = sum(1 for _ in f)
        return res
    except Exception as e:  # noqa
        res["error"] = repr(e)
        return res
    finally:
        bench.stop_pid(procs.get("gateway"), grace=10.0)
        bench.stop_pid(procs.get("simulator"))
        if sink is not None:
            sink.stop()
        bench.stop_pid(procs.get("mosq_tb"))


# ------------------------------------------------------------------------------------- table
def fmt(v, digits=0):
    if v is None:
        return "–"
    return "{:,.{d}f}".format(v, d=digits)


def table(big, py, small):
    """Markdown: Swift at the full load | Python at the small load | Swift at the small load | ratio."""
    def col(r, key, scale=1.0):
        return None if r is None or r.get(key) is None else r[key] * scale

    def head(r, name):
        return "%s %d×%d" % (name, r["devices"], r["registers_per_device"]) if r else name

    rows = [["metric", head(big, "Swift"), head(py, "Python"), head(small, "Swift"),
             "Python ÷ Swift (same load)"]]

    def add(label, key, digits=0, scale=1.0, ratio=False):
        vals = [col(big, key, scale), col(py, key, scale), col(small, key, scale)]
        r = ""
        if ratio and vals[1] is not None and vals[2]:
            r = "%.1f×" % (vals[1] / vals[2])
        rows.append([label] + [fmt(v, digits) for v in vals] + [r])

    add("target registers/s (devices × registers, 1 s poll)", "target_registers_per_s")
    add("achieved registers/s (served by the simulator)", "registers_per_s")
    add("achieved, % of target", "achieved_pct_of_target", 1)
    add("Modbus requests/s", "modbus_requests_per_s")
    add("datapoints/s reaching ThingsBoard", "datapoints_to_tb_per_s")
    add("gateway CPU, % of one core", "gateway_cpu_pct", 1, ratio=True)
    add("gateway CPU µs per polled register", "gateway_cpu_us_per_register", 1, ratio=True)
    add("gateway RSS MiB (end of window)", "rss_end_kib", 1, 1 / MiB, ratio=True)
    add("gateway peak RSS MiB (VmHWM)", "vmhwm_kib", 1, 1 / MiB, ratio=True)
    add("gateway private RSS MiB (RssAnon)", "rss_anon_end_kib", 1, 1 / MiB, ratio=True)
    add("gateway threads", "threads")
    add("start-up → first telemetry s", "startup_to_first_telemetry_s", 1)
    add("simulator CPU, % of one core", "simulator_cpu_pct", 1)
    add("mosquitto CPU, % of one core", "broker_cpu_pct", 1)
    add("this harness (fake TB) CPU, % of one core", "harness_cpu_pct", 1)
    add("other processes' CPU, % of one core", "other_processes_cpu_pct", 1)
    lines = ["| " + " | ".join(r) + " |" for r in rows]
    lines.insert(1, "|" + "---|" * len(rows[0]))
    return "\n".join(lines)


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return {"nproc": os.cpu_count(), "cpu": model, "ram_gib": round(mem_kib / 1024 / 1024, 1),
            "kernel": platform.release()}


def interrupt(signum, frame):
    raise KeyboardInterrupt()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--refbench", default=os.path.join(root, "..", "shared", "refbench"))
    ap.add_argument("--swift-bin", default=os.path.join(root, ".build-release", "release", "iot-gateway"))
    ap.add_argument("--sim-bin", default=os.path.join(root, ".build-release", "release", "gateway-bench"))
    ap.add_argument("--gw-python", default="/tmp/tbgw-venv/bin/python")
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
    ap.add_argument("--run-root", default="/tmp/modbusbench-runs")
    ap.add_argument("--results", default=os.path.join(here, "results"), help="folder for the JSON result")
    args = ap.parse_args()
    args.refbench = os.path.abspath(args.refbench)
    for path in (args.swift_bin, args.sim_bin):
        if not os.access(path, os.X_OK):
            ap.error("no binary at %s (build it in release first, see README.md)" % path)
    rb, tb_sink = load_refbench(args.refbench)
    os.makedirs(args.run_root, exist_ok=True)
    signal.signal(signal.SIGTERM, interrupt)  # like Ctrl-C: the finally-blocks stop what was started

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
        r = one_case(rb, tb_sink, args, gateway, devices)
        results[c] = r
        print(json.dumps({k: r.get(k) for k in ("gateway", "devices", "error", "registers_per_s",
                                                "achieved_pct_of_target", "gateway_cpu_pct", "rss_end_kib",
                                                "vmhwm_kib", "simulator_cpu_pct", "other_processes_cpu_pct")}),
              flush=True)
    stamp = time.strftime("%Y-%m-%dT%H-%M-%SZ", time.gmtime(started))
    os.makedirs(args.results, exist_ok=True)
    out = os.path.join(args.results, "modbus-%s.json" % stamp)
    with open(out, "w") as f:
        json.dump({"started_utc": stamp, "machine": machine(), "options": {k: v for k, v in vars(args).items()},
                   "cases": results}, f, indent=1)
    ok = {c: r for c, r in results.items() if "error" not in r}
    print()
    print("Measured %s UTC on %s; %.0f s total; JSON: %s" % (stamp, json.dumps(machine()), time.time() - started,
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
