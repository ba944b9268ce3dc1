"""Helpers shared by the project's benchmark scripts (benchmarks/*/compare.py)."""
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


def load_refbench(path):
    """Imports refbench's bench.py (/proc helpers, run folders, stop_pid) and tb_sink.py (the fake
    ThingsBoard) from the company harness's own folder; they are reused, never copied."""
    path = os.path.abspath(path)
    if not os.path.isfile(os.path.join(path, "bench.py")):
        sys.exit("refbench not found at %s" % path)
    sys.path.insert(0, path)
    sys.dont_write_bytecode = True  # leave no __pycache__ behind in the shared refbench folder
    import bench  # noqa: E402  (refbench/bench.py)
    import tb_sink  # noqa: E402
    return bench, tb_sink


def proc_mem(pid):
    """VmRSS, VmHWM, RssAnon (private: heap and stacks) in KiB and the thread count, from /proc/<pid>/status."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM", "RssAnon", "Threads"):
                    out[k] = int(v.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


# ------------------------------------------------------------------ shared by the connector benchmarks
TB_PORT = 1884  # refbench's "ThingsBoard" broker (conf/mosquitto-tb.conf)
MiB = 1024.0


def gateway_command(args, gateway, cfg_file):
    """The only difference between two runs on the same config: which gateway is started. The Python one goes
    through refbench's run_gateway.py (update check off, MQTT5 No-Local on the TB subscriptions)."""
    if gateway == "python":
        return [args.gw_python, os.path.join(args.refbench, "run_gateway.py"), cfg_file,
                "--no-local-tb-subscriptions", str(TB_PORT)]
    return [args.swift_bin, "run", "--config", os.path.dirname(cfg_file), "--log-level", "warning"]


def write_gateway_folder(args, run_dir, connector, connector_config, config_check_seconds=60, storage="memory"):
    """One config folder for both gateways: tb_gateway.json from refbench's template with its `storage` variant
    (memory, file or sqlite; relative data paths, so start the gateway in run_dir) and this one connector ({"type", "name", "configuration"}), the connector's file, and the Python package's
    logs.json. Returns the path of tb_gateway.json."""
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
        main_cfg["storage"] = json.load(f)[storage]
    main_cfg["thingsboard"]["checkConnectorsConfigurationInSeconds"] = config_check_seconds
    main_cfg["connectors"] = [connector]
    # swift-iot-gateway's local HTTP endpoint is not needed; the Python gateway has no such section.
    main_cfg["admin"] = {"enabled": False}
    with open(os.path.join(cfg, "tb_gateway.json"), "w") as f:
        json.dump(main_cfg, f, indent=2)
    with open(os.path.join(cfg, connector["configuration"]), "w") as f:
        json.dump(connector_config, f, indent=1)
    return os.path.join(cfg, "tb_gateway.json")


def start_thingsboard(bench, tb_sink, refbench, run_dir):
    """refbench's TB broker on TB_PORT plus its fake ThingsBoard (answers getSessionLimits, counts values of
    SN- devices). Returns (broker process, sink); stop both with stop_thingsboard."""
    if bench.port_open(TB_PORT):
        raise RuntimeError("port %d already in use - stop that broker first" % TB_PORT)
    broker = subprocess.Popen(["mosquitto", "-c", os.path.join(refbench, "conf", "mosquitto-tb.conf")],
                              stdout=open(os.path.join(run_dir, "mosq_tb.log"), "w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 5
    while not bench.port_open(TB_PORT):
        if time.monotonic() > deadline:
            bench.stop_pid(broker)
            raise RuntimeError("broker did not start within 5 s")
        time.sleep(0.1)
    sink = tb_sink.TBSink("127.0.0.1", TB_PORT)
    sink.start()
    return broker, sink


def stop_thingsboard(bench, broker, sink):
    if sink is not None:
        sink.stop()
    bench.stop_pid(broker)


def start_gateway(args, gateway, cfg_file, run_dir):
    return subprocess.Popen(gateway_command(args, gateway, cfg_file), cwd=run_dir,
                            stdout=open(os.path.join(run_dir, "gateway.out"), "w"), stderr=subprocess.STDOUT)


def wait_first_telemetry(sink, gw, run_dir, timeout=90):
    """Seconds from now until the sink saw the first SN- telemetry; raises when the gateway exits first."""
    started = time.time()
    deadline = time.monotonic() + timeout
    while sink.snapshot()["t_first_tel"] is None:
        if gw.poll() is not None:
            raise RuntimeError("gateway exited with %r (see %s/gateway.out)" % (gw.poll(), run_dir))
        if time.monotonic() > deadline:
            raise RuntimeError("no telemetry within %d s (see %s/gateway.out)" % (timeout, run_dir))
        time.sleep(0.2)
    return sink.snapshot()["t_first_tel"] - started


def log_lines(run_dir):
    with open(os.path.join(run_dir, "gateway.out"), errors="replace") as f:
        return sum(1 for _ in f)


class LineProcess:
    """A helper process (simulator, server) whose stdout lines a thread reads into a queue: it prints a ready
    line, and on SIGUSR1 one JSON line of counters."""

    def __init__(self, command, log_path, env=None):
        self.log_path = log_path
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=open(log_path, "w"), text=True,
                                     env=env)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def wait_ready(self, prefix="READY", timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
                if line.startswith(prefix):
                    return line
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
        raise RuntimeError("%s not ready within %ss (exit code %r, see %s)"
                           % (os.path.basename(self.proc.args[0]), timeout, self.proc.poll(), self.log_path))

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
        raise RuntimeError("%s printed no counters" % os.path.basename(self.proc.args[0]))


def machine_steal_s():
    """CPU seconds (all cores) the hypervisor gave to other guests, from /proc/stat (`steal`); refbench's
    machine_busy_s() counts them as busy. On a shared VM they are the main source of run-to-run variation."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (v[7] if len(v) > 7 else 0) / os.sysconf("SC_CLK_TCK")


class CPUWindow:
    """CPU seconds of named processes, of this harness and of the whole machine between start() and stop():
    the gateway's share, and whether anything else competed for the cores."""

    def __init__(self, bench, pids):
        self.bench, self.pids = bench, pids

    def _sample(self):
        return ({name: self.bench.proc_cpu_s(pid) for name, pid in self.pids.items()},
                time.process_time(), self.bench.machine_busy_s(), machine_steal_s(), time.monotonic())

    def start(self):
        self.first = self._sample()

    def stop(self):
        (p0, self0, busy0, steal0, t0), (p1, self1, busy1, steal1, t1) = self.first, self._sample()
        elapsed = t1 - t0
        used = {name: p1[name] - p0[name] for name in self.pids}
        own = sum(used.values()) + (self1 - self0)
        out = {"%s_cpu_pct" % name: 100.0 * s / elapsed for name, s in used.items()}
        out["harness_cpu_pct"] = 100.0 * (self1 - self0) / elapsed
        # Time the hypervisor ran other guests on our vCPUs. Processes' CPU times can include the steal that hit
        # them (the guest's scheduler clock runs on), so it is not subtracted from anything: a window with
        # much steal shows more CPU per request for the same work.
        out["steal_pct"] = 100.0 * (steal1 - steal0) / elapsed
        # CPU of everything else on the machine during the window (non-zero = competition for the cores)
        out["other_processes_cpu_pct"] = 100.0 * ((busy1 - busy0) - own) / elapsed
        out["window_measured_s"] = elapsed
        out["gateway_cpu_s"] = used.get("gateway")
        return out


def sample_rss(gw, seconds, every=1.0):
    """VmRSS/RssAnon samples of the gateway for `seconds`; raises when it exits meanwhile."""
    samples, t0 = [], time.monotonic()
    while time.monotonic() - t0 < seconds:
        if gw.poll() is not None:
            raise RuntimeError("gateway exited with %r during the window" % gw.poll())
        m = proc_mem(gw.pid)
        samples.append((round(time.monotonic() - t0, 1), m.get("VmRSS"), m.get("RssAnon")))
        time.sleep(every)
    return samples


def memory_figures(gw, samples):
    end = proc_mem(gw.pid)
    return {"rss_end_kib": end.get("VmRSS"), "rss_max_sampled_kib": max([s[1] for s in samples if s[1]] or [0]),
            "rss_anon_end_kib": end.get("RssAnon"), "vmhwm_kib": end.get("VmHWM"), "threads": end.get("Threads"),
            # (s into the window, VmRSS KiB, RssAnon KiB) every ~5 s: growth here means memory not returned
            "rss_series": samples[::5]}


def fmt(v, digits=0):
    if v is None:
        return "–"
    return "{:,.{d}f}".format(v, d=digits)


def markdown_table(columns, rows):
    """columns: [(header, result dict or None)]; rows: [(label, key, digits, scale, ratio)] where ratio is
    None or (numerator column index, denominator column index) giving a last "ratio" cell."""
    head = ["metric"] + [h for h, _ in columns] + ["ratio"]
    out = [head]
    for label, key, digits, scale, ratio in rows:
        vals = [None if r is None or r.get(key) is None else r[key] * scale for _, r in columns]
        cell = ""
        if ratio and vals[ratio[0]] is not None and vals[ratio[1]]:
            cell = "%.1f×" % (vals[ratio[0]] / vals[ratio[1]])
        out.append([label] + [fmt(v, digits) for v in vals] + [cell])
    lines = ["| " + " | ".join(r) + " |" for r in out]
    lines.insert(1, "|" + "---|" * len(head))
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


def interrupt_on_sigterm():
    """SIGTERM behaves like Ctrl-C: the finally-blocks stop what was started."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, interrupt)


def save_results(folder, name, started, args, results):
    stamp = time.strftime("%Y-%m-%dT%H-%M-%SZ", time.gmtime(started))
    os.makedirs(folder, exist_ok=True)
    out = os.path.join(folder, "%s-%s.json" % (name, stamp))
    with open(out, "w") as f:
        json.dump({"started_utc": stamp, "machine": machine(), "options": dict(vars(args)), "cases": results},
                  f, indent=1)
    return stamp, out


def resource_rows(ratio):
    """The gateway's own CPU and memory rows of a markdown_table; `ratio` as in markdown_table."""
    return [
        ("gateway CPU, % of one core", "gateway_cpu_pct", 1, 1, ratio),
        ("gateway RSS MiB (end of window)", "rss_end_kib", 1, 1 / MiB, ratio),
        ("gateway peak RSS MiB (VmHWM)", "vmhwm_kib", 1, 1 / MiB, ratio),
        ("gateway private RSS MiB (RssAnon)", "rss_anon_end_kib", 1, 1 / MiB, ratio),
        ("gateway threads", "threads", 0, 1, None),
    ]


SHARED_CPU_ROWS = [  # what else ran on the machine during the window
    ("mosquitto CPU, % of one core", "broker_cpu_pct", 1, 1, None),
    ("this harness (fake TB) CPU, % of one core", "harness_cpu_pct", 1, 1, None),
    ("other processes' CPU (and steal outside the rows above), % of one core", "other_processes_cpu_pct", 1, 1, None),
    ("hypervisor steal, % of one core (2 cores: up to 200)", "steal_pct", 1, 1, None),
]


def add_common_arguments(ap, here, name):
    """Options every connector benchmark has: where refbench and both gateways are, where results go."""
    root = os.path.abspath(os.path.join(here, "..", ".."))
    ap.add_argument("--refbench", default=os.path.join(root, "..", "shared", "refbench"))
    ap.add_argument("--swift-bin", default=os.path.join(root, ".build-release", "release", "iot-gateway"))
    ap.add_argument("--gw-python", default="/tmp/tbgw-venv/bin/python")
    ap.add_argument("--run-root", default="/tmp/%sbench-runs" % name)
    ap.add_argument("--results", default=os.path.join(here, "results"), help="folder for the JSON result")
    return root
