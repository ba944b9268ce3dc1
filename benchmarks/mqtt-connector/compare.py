#!/usr/bin/env python3
"""MQTT connector benchmark: the Python reference gateway and swift-iot-gateway, same run.

Both gateways get the same load through the same two mosquitto brokers on the same machine, with
the SAME configuration folder contents (refbench's gwconf: tb_gateway.json + mqtt_bench.json +
the Python package's logs.json), one after the other, interleaved per storage kind:

  mqtt-load ──► mosquitto :1883 ──► gateway (MQTT connector) ──► mosquitto :1884 ──► fake TB (tb_sink)

The load generator is `gateway-bench mqtt-load` (Swift, loadgen.py-compatible, fast enough to outrun both
gateways; default when the release gateway-bench exists) or refbench's loadgen.py (--loadgen python).
Scenarios: "closed" (closed-loop burst, throughput/CPU/memory table per storage kind), "backlog" (the gateway is
frozen while the burst is published, so the broker queues it; then it drains the queue with no load generator
running: the gateway's own sustained rate) and "latency" (open loop at --latency-rate msg/s for
--latency-duration s, sqlite, QoS 1; per reading sink arrival − publish time from mqtt-load's --send-log;
p50/p90/p99/max per gateway; unless --no-latency-floor, also with a mosquitto bridge in the gateway's place: the
same hops with a relay that converts and stores nothing, the floor this machine puts under any gateway's latency).

The company harness (refbench) is reused, not copied: its loadgen.py can be run as a subprocess, its
TBSink class (tb_sink.py) and /proc + run-folder helpers (bench.py) are imported, the brokers use
its conf/ files, and the Python gateway is started through its run_gateway.py exactly as refbench
does (update check off, MQTT5 No-Local on the TB subscriptions; swift-iot-gateway sets No-Local
itself). What this file adds is the choice of gateway command (like refbench's `gw_cmd`) and the
side-by-side table.

Run through run.sh (installs prerequisites when missing); directly:
  /tmp/bench-venv/bin/python compare.py --refbench ../shared/refbench --swift-bin .build-release/release/iot-gateway

Per run: fresh brokers, sink and gateway; start-up probe; idle sample (RSS 13 s after start-up, CPU
over 10 s; closed-loop runs only); the load; drain until every reading arrived, or no progress for --stall s, or
--drain-cap s after publishing ended; everything this script started is stopped by PID.
"""
import argparse
import gc
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import hops  # noqa: E402
from benchlib import TB_PORT, MiB, fmt, gateway_command, interrupt_on_sigterm, load_refbench, machine_steal_s, proc_mem  # noqa: E402,E501
import types

import paho.mqtt.client as mqtt

EXT_PORT = 1883
RELAY_PORT = 1885
# "relay" is no gateway: a third mosquitto that bridges sensor/+/data from the external broker to the
# ThingsBoard-side one (latency scenario only). Same hops, QoS and processes as a gateway run, with a relay
# in C that converts and stores nothing: the floor this machine puts under any gateway's latency.
GATEWAYS = ("python", "swift", "relay", "nio-relay")
# "nio-relay" is the same relay written in Swift (gateway-bench mqtt-relay: the project's MQTT codec on bare
# SwiftNIO handlers, one event loop): the floor of a SwiftNIO program on this machine, beside mosquitto's C.
RELAYS = ("relay", "nio-relay")
RELAY_CONF = """# written by compare.py: a mosquitto bridge in the gateway's place (the latency floor)
per_listener_settings false
listener %(relay_port)d 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 2000000
max_inflight_messages 20
log_dest stderr
log_type error
log_type warning
log_type notice
"""
# One bridge per side: sensor/+/data comes in from the external broker and goes out to the ThingsBoard side.
RELAY_BRIDGE = """
connection %(name)s
address 127.0.0.1:%(port)d
topic sensor/+/data %(direction)s 1
cleansession true
notifications false
try_private false
bridge_protocol_version mqttv311
"""


def relay_sink_class(tb_sink):
    """refbench's fake ThingsBoard, which also takes the relayed sensor messages (sensor/<id>/data, the load
    generator's own JSON) as if the gateway had sent them as v1/gateway/telemetry: same counting, same clock."""
    class RelaySink(tb_sink.TBSink):
        def _on_connect(self, client, userdata, flags, rc, props=None):
            client.subscribe([("v1/gateway/#", 0), ("v1/devices/me/#", 0), ("sensor/+/data", 0)])

        def _on_message(self, client, userdata, msg):
            if not msg.topic.startswith("sensor/"):
                return super()._on_message(client, userdata, msg)
            now = time.time()
            try:
                data = json.loads(msg.payload)
                device = data["serialNumber"]
                values = {"temperature": data["temperature"], "humidity": data.get("humidity")}
            except Exception:  # noqa
                with self.lock:
                    self.parse_errors += 1
                return
            self._telemetry({device: [{"ts": int(now * 1000), "values": values}]}, now)
    return RelaySink


def merge_broker_options(connector_file, options):
    """--swift-broker-options: keys merged into the MQTT connector's broker section (this gateway's run only)."""
    with open(connector_file) as f:
        connector = json.load(f)
    connector["broker"].update(json.loads(options))
    with open(connector_file, "w") as f:
        json.dump(connector, f, indent=2)


def run_command(args, gateway, cfg_file, run_dir):
    if gateway == "nio-relay":
        return [args.bench_bin, "mqtt-relay", "--from", str(EXT_PORT), "--to", str(TB_PORT)] + \
            (["--quick-ack"] if args.nio_relay_quick_ack else [])
    if gateway != "relay":
        return gateway_command(args, gateway, cfg_file)
    conf = os.path.join(run_dir, "relay.conf")
    with open(conf, "w") as f:
        f.write(RELAY_CONF % {"relay_port": RELAY_PORT})
        for name, port, direction in (("external", EXT_PORT, "in"), ("thingsboard", TB_PORT, "out")):
            f.write(RELAY_BRIDGE % {"name": name, "port": port, "direction": direction})
    return ["mosquitto", "-c", conf]


def loadgen_command(args, qos, messages, send_log, rate=None, duration=None):
    """refbench's loadgen.py, or gateway-bench mqtt-load (same options, topics, payloads, result line).
    messages: closed loop; None: open loop at `rate` for `duration` s (default --latency-rate for
    --latency-duration; needs the Swift one)."""
    common = ["--devices", str(args.devices), "--qos", str(qos), "--port", str(EXT_PORT),
              "--max-seconds", str(args.publish_cap)]
    common += ["--messages", str(messages)] if messages else \
        ["--rate", str(rate or args.latency_rate), "--duration", str(duration or args.latency_duration)]
    if args.loadgen == "python":
        return [sys.executable, os.path.join(args.refbench, "loadgen.py")] + common
    cmd = [args.bench_bin, "mqtt-load"] + common + ["--connections", str(args.connections), "--window", str(args.window)]
    return cmd + (["--send-log", send_log] if send_log else [])


def latency_stats(sink, send_log, devices, seq_start=1):
    """Per reading: the sink's first arrival (TBSink.seen) minus its publish time in the send log.
    Both are wall-clock times of this machine (time.time() / CLOCK_REALTIME)."""
    with sink.lock:
        seen = dict(sink.seen)
    lat, missing = [], 0
    # Per reading, for a look at where the slow ones fall: sequence, publish time (µs), latency (µs).
    with open(send_log) as f, open(os.path.join(os.path.dirname(send_log), "latencies.txt"), "w") as out:
        for line in f:
            seq_s, us_s = line.split()
            seq = int(seq_s)
            arrival = seen.get(("SN-%05d" % ((seq - seq_start) % devices + 1), float(seq)))
            if arrival is None:
                missing += 1
            else:
                lat.append(arrival - int(us_s) / 1e6)
                out.write("%d %s %d\n" % (seq, us_s, round(lat[-1] * 1e6)))
    if not lat:
        return {"latency_samples": 0, "latency_missing": missing}
    lat.sort()

    def pct(p):  # nearest rank
        return lat[min(len(lat) - 1, max(0, int(-(-p * len(lat) // 100)) - 1))] * 1000.0

    return {"latency_samples": len(lat), "latency_missing": missing,
            "latency_p50_ms": pct(50), "latency_p90_ms": pct(90), "latency_p99_ms": pct(99),
            "latency_p999_ms": pct(99.9), "latency_max_ms": lat[-1] * 1000.0, "latency_min_ms": lat[0] * 1000.0,
            "latency_mean_ms": 1000.0 * sum(lat) / len(lat)}


class ThingsBoardOutage(threading.Thread):
    """Outage cell: --outage-at s after the load starts the ThingsBoard-side broker is killed (SIGKILL: a crash
    or a cut link, the gateway's connection is reset), and --outage-length s later it is started again with the
    same configuration. The fake ThingsBoard reconnects within a second; the gateway reconnects by itself."""

    def __init__(self, procs, args, run_dir):
        super().__init__(daemon=True)
        self.procs, self.args, self.run_dir = procs, args, run_dir
        self.t_kill = self.t_restart = None

    def run(self):
        time.sleep(self.args.outage_at)
        broker = self.procs["mosq_tb"]
        broker.kill()
        broker.wait()
        self.t_kill = time.time()
        time.sleep(self.args.outage_length)
        self.procs["mosq_tb"] = subprocess.Popen(
            ["mosquitto", "-c", os.path.join(self.args.refbench, "conf", "mosquitto-tb.conf")],
            stdout=open(os.path.join(self.run_dir, "mosq_tb-after-outage.log"), "w"), stderr=subprocess.STDOUT)
        self.t_restart = time.time()

    def facts(self):
        return {"outage_kill_unix_s": self.t_kill, "outage_restart_unix_s": self.t_restart,
                "outage_length_s": (self.t_restart - self.t_kill) if self.t_kill and self.t_restart else None}


def outage_stats(run_dir, outage):
    """From latencies.txt (and sends.txt for the lost): readings published while ThingsBoard was down, how
    long after its restart the last of them arrived, and when the lost ones were published."""
    if outage.t_kill is None or outage.t_restart is None:
        return {}
    kill_us, restart_us = outage.t_kill * 1e6, outage.t_restart * 1e6
    during, caught_up = 0, None
    delivered = set()
    with open(os.path.join(run_dir, "latencies.txt")) as f:
        for line in f:
            seq, sent_us, latency_us = (int(x) for x in line.split())
            delivered.add(seq)
            if sent_us < restart_us:
                arrival_us = sent_us + latency_us
                caught_up = max(caught_up or 0, arrival_us)
                if sent_us >= kill_us:
                    during += 1
    lost_sent = []
    with open(os.path.join(run_dir, "sends.txt")) as f:
        for line in f:
            seq, sent_us = (int(x) for x in line.split())
            if seq not in delivered:
                lost_sent.append((sent_us - kill_us) / 1e3)
    return {"outage_readings_published_while_down_delivered": during,
            "outage_catch_up_after_restart_s": (caught_up - restart_us) / 1e6 if caught_up else None,
            "outage_lost_published_ms_from_kill": [round(x, 1) for x in lost_sent[:50]]}


def one_run(rb, tb_sink, args, gateway, storage, messages, idx, mode="closed"):
    """mode "closed": closed-loop burst of `messages` at --qos; "latency": open loop at --latency-rate for
    --latency-duration s at --latency-qos, with a send log, latency per reading; "backlog": the gateway is
    frozen (SIGSTOP) while the closed-loop burst is published, so the external broker queues it, then resumed
    (SIGCONT): its drain rate, with no load generator competing for the cores, is the gateway's own capacity."""
    bench = rb
    open_loop = mode in ("latency", "outage")
    qos = args.latency_qos if open_loop else args.qos
    run_dir = os.path.join(args.run_root, "%s-%s-%s-qos%d-%d" % (mode, gateway, storage, qos, idx))
    # refbench's own run-folder builder: identical config files for both gateways
    cfg_args = types.SimpleNamespace(gw_python=args.gw_python, name_source="message", storage=storage)
    cfg_file = bench.prepare_run_dir(cfg_args, run_dir)
    if gateway == "swift" and args.swift_broker_options:
        merge_broker_options(os.path.join(os.path.dirname(cfg_file), "mqtt_bench.json"), args.swift_broker_options)
    res = {"gateway": gateway, "storage": storage, "qos": qos, "run": idx, "mode": mode, "loadgen_kind": args.loadgen,
           "messages": messages, "devices": args.devices, "run_dir": run_dir}
    if gateway == "nio-relay":
        res["nio_relay_quick_ack"] = args.nio_relay_quick_ack
    if gateway == "swift" and args.swift_broker_options:
        res["swift_broker_options"] = json.loads(args.swift_broker_options)
    procs = {}
    sink = probe = None
    try:
        for port in (EXT_PORT, TB_PORT, RELAY_PORT):
            if bench.port_open(port):
                raise RuntimeError("port %d already in use - stop that broker first" % port)
        for name, conf in (("mosq_ext", "mosquitto-ext.conf"), ("mosq_tb", "mosquitto-tb.conf")):
            procs[name] = subprocess.Popen(["mosquitto", "-c", os.path.join(args.refbench, "conf", conf)],
                                           stdout=open(os.path.join(run_dir, name + ".log"), "w"),
                                           stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 5
        while not (bench.port_open(EXT_PORT) and bench.port_open(TB_PORT)):
            if time.monotonic() > deadline:
                raise RuntimeError("brokers did not start within 5 s")
            time.sleep(0.1)

        sink_class = relay_sink_class(tb_sink) if gateway in RELAYS else tb_sink.TBSink
        sink = sink_class("127.0.0.1", TB_PORT)
        sink.start()
        probe = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="mqttbench-probe",
                            protocol=mqtt.MQTTv311)
        probe.connect("127.0.0.1", EXT_PORT)
        probe.loop_start()

        # ---- start-up: a probe sensor publishes every 100 ms until its telemetry reaches the sink
        t_launch = time.time()
        procs["gateway"] = gw = subprocess.Popen(run_command(args, gateway, cfg_file, run_dir), cwd=run_dir,
                                                 stdout=open(os.path.join(run_dir, "gateway.out"), "w"),
                                                 stderr=subprocess.STDOUT)
        k = 0
        deadline = time.monotonic() + 60
        while sink.t_first_probe is None and time.monotonic() < deadline and gw.poll() is None:
            k += 1
            probe.publish("sensor/PROBE-0001/data",
                          '{"serialNumber":"PROBE-0001","sensorType":"probe","model":"P","temperature":%d,'
                          '"humidity":0}' % k, 0)
            time.sleep(0.1)
        if sink.t_first_probe is None:
            raise RuntimeError("gateway produced no telemetry within 60 s (exit code %r, see %s/gateway.out)"
                               % (gw.poll(), run_dir))
        res["startup_to_first_telemetry_s"] = sink.t_first_probe - t_launch

        # ---- idle: RSS 13 s after start-up, CPU over the last 10 s of that (closed-loop runs only)
        time.sleep(3)
        if mode == "closed":
            c0 = bench.proc_cpu_s(gw.pid)
            time.sleep(args.idle_seconds)
            c1 = bench.proc_cpu_s(gw.pid)
            mem = proc_mem(gw.pid)
            res["idle_rss_kib"] = mem.get("VmRSS")
            res["idle_rss_anon_kib"] = mem.get("RssAnon")
            res["idle_threads"] = mem.get("Threads")
            res["idle_cpu_pct"] = 100.0 * (c1 - c0) / args.idle_seconds

        # ---- load: closed loop (as fast as the generator's window allows) or open loop at a fixed rate
        send_log = os.path.join(run_dir, "sends.txt") if open_loop else None
        lg_cmd = loadgen_command(args, qos, messages, send_log,
                                 *((args.outage_rate, args.outage_duration) if mode == "outage" else ()))

        def baselines():
            return ({n: bench.proc_cpu_s(p.pid) for n, p in procs.items() if n.startswith("mosq")},
                    time.process_time(), bench.machine_busy_s(), machine_steal_s(), bench.proc_cpu_s(gw.pid))

        broker_cpu0, self_cpu0, busy0, steal0, cpu_load0 = baselines()
        samples = []  # (t, gw_cpu_s, rss_kib, rss_anon_kib, delivered, machine steal s)
        # The sink stamps arrivals in this process, so a garbage collection here delays the stamps of whatever
        # arrives meanwhile, for any gateway (one full collection took 16 ms during a latency cell, young ones
        # up to 9 ms on a busy VM). The cell allocates little that could form cycles: no collection during it.
        if open_loop:
            gc.freeze()
            gc.disable()
        if mode == "backlog":
            gw.send_signal(signal.SIGSTOP)

        def sample():
            m = proc_mem(gw.pid)
            samples.append((time.time(), bench.proc_cpu_s(gw.pid), m.get("VmRSS"), m.get("RssAnon"),
                            sink.bench_unique, machine_steal_s()))

        if mode == "latency" and args.capture_hops and gateway not in RELAYS:
            procs["tcpdump"] = subprocess.Popen(
                ["tcpdump", "-i", "lo", "-s", "0", "-U", "-w", os.path.join(run_dir, "hops.pcap"),
                 "tcp port %d or tcp port %d" % (EXT_PORT, TB_PORT)],
                stdout=subprocess.DEVNULL, stderr=open(os.path.join(run_dir, "tcpdump.log"), "w"))
            time.sleep(1)  # tcpdump's capture is open before the first publish
        procs["loadgen"] = lg = subprocess.Popen(lg_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                 text=True)
        outage = None
        if mode == "outage":
            sink.c.reconnect_delay_set(min_delay=1, max_delay=1)  # back within a second of the broker
            outage = ThingsBoardOutage(procs, args, run_dir)
            outage.start()
        lg_deadline = time.monotonic() + args.publish_cap + 70  # loadgen's own cap + its 60 s flush wait
        while lg.poll() is None:
            if time.monotonic() > lg_deadline:
                raise RuntimeError("loadgen did not finish in time")
            sample()
            time.sleep(0.25)
        lg_out, lg_err = lg.communicate()
        try:
            lgres = json.loads(lg_out.strip().splitlines()[-1])
        except Exception:  # noqa
            raise RuntimeError("loadgen failed: %s %s" % (lg_out, lg_err))
        res["loadgen"] = lgres
        published = lgres["published"]
        t_resume = None
        if mode == "backlog":
            # Everything is measured from the resume on: the generator has finished and is not competing.
            time.sleep(0.5)  # the broker has queued the last publishes
            res["delivered_before_resume"] = sink.bench_unique
            broker_cpu0, self_cpu0, busy0, steal0, cpu_load0 = baselines()
            samples = []
            t_resume = time.time()
            gw.send_signal(signal.SIGCONT)
        t_pub_end = time.monotonic()
        drain_cap = args.backlog_drain_cap if mode == "backlog" else args.drain_cap
        last_progress_t, last_count = t_pub_end, sink.bench_unique
        ended = "all delivered"
        while sink.bench_unique < published:
            sample()
            now = time.monotonic()
            if sink.bench_unique != last_count:
                last_count, last_progress_t = sink.bench_unique, now
            if now - last_progress_t > args.stall:
                ended = "stalled (no new data for %ss)" % args.stall
                break
            if now - t_pub_end > drain_cap:
                ended = "drain cap (%ss after publishing) reached" % drain_cap
                break
            if gw.poll() is not None:
                ended = "gateway exited with %r" % gw.poll()
                break
            time.sleep(0.25)
        sample()
        busy1 = bench.machine_busy_s()
        steal1 = machine_steal_s()
        snap = sink.snapshot()
        res["ended"] = ended
        miss = bench.missing_readings(sink, published, args.devices)
        gc.enable()
        if outage is not None:
            outage.join()
            res.update(outage.facts())
        if send_log:
            res.update(latency_stats(sink, send_log, args.devices))
            if outage is not None:
                res.update(outage_stats(run_dir, outage))
            # Steal over time, to tell a stall of the gateway from a preemption of the VM: one line per
            # 0.25 s sample, "<unix time s> <steal CPU-s since the cell began>" (latencies.txt has the
            # publish times).
            with open(os.path.join(run_dir, "steal.txt"), "w") as out:
                for s in samples:
                    out.write("%.3f %.2f\n" % (s[0], s[5] - steal0))
        steal_steps = [b[5] - a[5] for a, b in zip(samples, samples[1:])]
        res.update(write_series(run_dir, samples, cpu_load0, steal0))
        if procs.get("tcpdump") is not None:
            bench.stop_pid(procs.pop("tcpdump"))
            res.update(hops.hop_stats(os.path.join(run_dir, "hops.pcap"), EXT_PORT, TB_PORT))

        # CPU up to the first sample at/after the last delivery (excludes the stall wait)
        t_last = snap["t_last_tel"] or time.time()
        cpu_end = next((s[1] for s in samples if s[0] >= t_last and s[1] is not None), samples[-1][1])
        gw_cpu = cpu_end - cpu_load0
        delivered = snap["bench_unique_readings"]
        t_start = t_resume if mode == "backlog" else lgres["t_first_publish"]
        e2e = (snap["t_last_tel"] - t_start) if snap["t_last_tel"] else None
        end_mem = proc_mem(gw.pid)
        rss_vals = [s[2] for s in samples if s[2]]
        anon_vals = [s[3] for s in samples if s[3]]
        # (after an outage the ThingsBoard-side broker is another process than at the baseline: not counted)
        broker_cpu = {n: (bench.proc_cpu_s(procs[n].pid) or 0) - (c or 0) for n, c in broker_cpu0.items()
                      if not (mode == "outage" and n == "mosq_tb")}
        gw_total = (bench.proc_cpu_s(gw.pid) or 0) - (cpu_load0 or 0)
        loadgen_cpu = 0 if mode == "backlog" else (lgres.get("loadgen_cpu_s") or 0)
        own = gw_total + sum(broker_cpu.values()) + (time.process_time() - self_cpu0) + loadgen_cpu
        res.update({
            "published_messages": published,
            "delivered_unique_readings": delivered,
            "lost_readings": published - delivered,
            "lost_pct": 100.0 * (published - delivered) / published if published else None,
            "lost_seq_sample": miss[:20],
            "duplicate_readings": snap["duplicate_readings"],
            # the window the rate is taken over: from the first publish, or (backlog) from the resume
            "first_publish_to_last_delivery_s": None if mode == "backlog" else e2e,
            "resume_to_last_delivery_s": e2e if mode == "backlog" else None,
            "delivered_datapoints_per_s": (2 * delivered / e2e) if e2e else None,
            "loadgen_publish_rate_msgs_per_s": lgres.get("achieved_rate"),
            "drain_after_last_publish_s": (snap["t_last_tel"] - lgres["t_last_publish"])
            if snap["t_last_tel"] else None,
            "gateway_cpu_s": gw_cpu,
            "gateway_cpu_s_per_100k_datapoints": (gw_cpu / (2 * delivered) * 100000) if delivered else None,
            "gateway_cpu_pct_during_load": (100.0 * gw_cpu / e2e) if e2e else None,
            # peak RSS as refbench: max(VmHWM, sampled VmRSS); VmHWM covers start-up as well
            "peak_rss_kib": max([end_mem.get("VmHWM") or 0] + rss_vals),
            "peak_rss_anon_kib": max(anon_vals) if anon_vals else None,
            "threads_end": end_mem.get("Threads"),
            "telemetry_mqtt_messages": snap["telemetry_mqtt_messages"],
            "broker_cpu_s": broker_cpu,
            "harness_cpu_s": time.process_time() - self_cpu0,
            # CPU of anything else on the machine during the load (non-zero = competition for the cores)
            "other_processes_cpu_s_during_load": (busy1 - busy0) - own,
            # Time the hypervisor ran other guests on our vCPUs (partly inside the processes' CPU times above):
            # the tail latency follows it.
            "steal_cpu_s_during_load": steal1 - steal0,
            # The most steal between two samples (0.25 s apart): ~0.2 s is one long preemption of a vCPU.
            "steal_cpu_s_max_per_sample": max(steal_steps) if steal_steps else None,
            "others_cpu_s_during_drain": (busy1 - busy0) - gw_total if mode == "backlog" else None,
        })
        with open(os.path.join(run_dir, "gateway.out"), errors="replace") as f:
            res["gateway_log_lines"] = sum(1 for _ in f)
        return res
    except Exception as e:  # noqa
        res["error"] = repr(e)
        return res
    finally:
        gc.enable()
        gc.unfreeze()
        if mode == "backlog" and procs.get("gateway") is not None and procs["gateway"].poll() is None:
            procs["gateway"].send_signal(signal.SIGCONT)  # a frozen gateway could not act on SIGTERM
        if probe is not None:
            probe.disconnect()
            probe.loop_stop()
        bench.stop_pid(procs.get("loadgen"))
        bench.stop_pid(procs.get("tcpdump"))
        bench.stop_pid(procs.get("gateway"), grace=10.0)
        if sink is not None:
            sink.stop()
        bench.stop_pid(procs.get("mosq_tb"))
        bench.stop_pid(procs.get("mosq_ext"))


def write_series(run_dir, samples, cpu0, steal0):
    """The harness's 0.25 s samples of the load and the drain, for a look at memory over a long cell (a leak
    grows RSS steadily while the rate stays the same): `series.txt`, one line per sample, "<s since the load
    began> <gateway CPU-s> <VmRSS KiB> <RssAnon KiB> <unique readings delivered> <steal CPU-s>"; and the private
    memory a minute into the load, halfway and at the end."""
    if not samples:
        return {}
    t0 = samples[0][0]
    with open(os.path.join(run_dir, "series.txt"), "w") as out:
        for t, cpu, rss, anon, delivered, steal in samples:
            out.write("%.2f %.3f %s %s %d %.2f\n" % (t - t0, (cpu or 0) - (cpu0 or 0), rss, anon, delivered,
                                                    steal - steal0))

    def anon_at(seconds):
        return next((s[3] for s in samples if s[0] - t0 >= seconds and s[3]), None)

    span = samples[-1][0] - t0
    return {"rss_anon_kib_after_60s": anon_at(60), "rss_anon_kib_halfway": anon_at(span / 2),
            "rss_anon_kib_at_end": samples[-1][3], "series_seconds": span}


# ---------------------------------------------------------------------------------- table
def med(results, key, scale=1.0):
    vals = [r[key] for r in results if r.get(key) is not None]
    return statistics.median(vals) * scale if vals else None


def ratio(a, b, digits=1):
    if a is None or b is None or b == 0:
        return "–"
    return "%.*f×" % (digits, a / b)


def table(results, storages, backlog=False):
    """Markdown: one block of columns (python | swift | ratio) per storage kind. backlog: the rates are
    drain rates of a queued burst (no "kept up" lower bound, no idle or generator rows)."""
    head = ["metric"]
    for s in storages:
        head += ["%s: Python" % s, "%s: Swift" % s, "%s: Swift vs Python" % s]
    rows = []

    def kept_up(storage, gateway):
        """Drained within 1 s of the last publish: the load generator, not the gateway, set the pace."""
        d = med([r for r in results if r["storage"] == storage and r["gateway"] == gateway],
                "drain_after_last_publish_s")
        return d is not None and d < 1.0

    def add(label, key, better, scale=1.0, digits=0, ratio_digits=1, lower_bound_if_kept_up=False):
        row = [label]
        for s in storages:
            py = med([r for r in results if r["storage"] == s and r["gateway"] == "python"], key, scale)
            sw = med([r for r in results if r["storage"] == s and r["gateway"] == "swift"], key, scale)
            row += [fmt(py, digits), fmt(sw, digits)]
            if better == "higher":
                r = ratio(sw, py, ratio_digits)
                bound = "≥ " if lower_bound_if_kept_up and kept_up(s, "swift") else ""
                row.append(bound + r + " more" if r != "–" else r)
            elif better == "lower":
                r = ratio(py, sw, ratio_digits)
                row.append(r + " less" if r != "–" else r)
            else:
                row.append("")
        rows.append(row)

    if backlog:
        add("messages queued at the broker, then drained", "published_messages", None)
        add("delivered datapoints/s (drain of the queued burst)", "delivered_datapoints_per_s", "higher")
        add("resume → last delivery s", "resume_to_last_delivery_s", None, digits=1)
    else:
        add("messages published (closed loop)", "published_messages", None)
        add("delivered datapoints/s", "delivered_datapoints_per_s", "higher", lower_bound_if_kept_up=True)
    add("gateway CPU s per 100k datapoints", "gateway_cpu_s_per_100k_datapoints", "lower", digits=2)
    add("gateway CPU % of one core during load", "gateway_cpu_pct_during_load", None)
    add("peak RSS MiB", "peak_rss_kib", "lower", 1 / MiB, 1)
    add("peak private (anon) RSS MiB", "peak_rss_anon_kib", "lower", 1 / MiB, 1)
    if backlog:
        add("messages lost (unique readings missing)", "lost_readings", None)
        add("duplicate readings", "duplicate_readings", None)
        add("broker + sink CPU s during the drain (machine busy minus gateway)", "others_cpu_s_during_drain", None,
            digits=1)
        add("hypervisor steal CPU s during the drain", "steal_cpu_s_during_load", None, digits=1)
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines + ["", "Ratios compare medians."])
    add("idle RSS MiB (13 s after start-up)", "idle_rss_kib", "lower", 1 / MiB, 1)
    add("idle private (anon) RSS MiB", "idle_rss_anon_kib", "lower", 1 / MiB, 1)
    add("idle CPU % of one core", "idle_cpu_pct", None, digits=2)
    add("messages lost (unique readings missing)", "lost_readings", None)
    add("messages lost, % of published", "lost_pct", None, digits=3)
    add("duplicate readings", "duplicate_readings", None)
    add("start-up → first telemetry s", "startup_to_first_telemetry_s", "lower", digits=2)
    add("loadgen publish rate msg/s", "loadgen_publish_rate_msgs_per_s", None)
    add("drain after last publish s", "drain_after_last_publish_s", None, digits=2)
    add("other processes' CPU s during load (and steal outside them)", "other_processes_cpu_s_during_load", None, digits=1)
    add("hypervisor steal CPU s during load", "steal_cpu_s_during_load", None, digits=1)
    row = ["kept up with the load generator (drain < 1 s)"]
    for s in storages:
        row += ["yes" if kept_up(s, "python") else "no", "yes" if kept_up(s, "swift") else "no", ""]
    rows.append(row)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    notes = ["", "Ratios compare medians. \"≥\": that gateway kept up with the load generator (its delivered rate "
             "is the generator's publish rate), so the throughput ratio is a lower bound."]
    return "\n".join(lines + notes)


def latency_table(results):
    """Markdown: fixed-rate end-to-end latency, Python | Swift | ratio, and the mosquitto relay (the floor)
    when it ran."""
    relays = [g for g in RELAYS if any(r["gateway"] == g for r in results)]
    relay_heads = {"relay": "mosquitto relay (no gateway)", "nio-relay": "SwiftNIO relay (no gateway%s)" % (
        ", TCP_QUICKACK" if any(r.get("nio_relay_quick_ack") for r in results) else "")}
    head = ["metric", "Python", "Swift", "Swift vs Python"] + [relay_heads[g] for g in relays]
    rows = []

    def add(label, key, better, digits=1):
        py = med([r for r in results if r["gateway"] == "python"], key)
        sw = med([r for r in results if r["gateway"] == "swift"], key)
        if better == "lower":
            r = ratio(py, sw)
            cmp = r + " less" if r != "–" else r
        else:
            cmp = ""
        row = [label, fmt(py, digits), fmt(sw, digits), cmp]
        for relay in relays:
            row.append(fmt(med([r for r in results if r["gateway"] == relay], key), digits))
        rows.append(row)

    add("messages published (open loop)", "published_messages", None, 0)
    add("generator rate achieved msg/s", "loadgen_publish_rate_msgs_per_s", None, 0)
    add("latency p50 ms", "latency_p50_ms", "lower", 2)
    add("latency p90 ms", "latency_p90_ms", "lower", 2)
    add("latency p99 ms", "latency_p99_ms", "lower", 2)
    # A median of two runs is their mean: one stall in one run moves it, so each run is shown too.
    each = ["latency p99 ms, each run"]
    for gateway in ["python", "swift"] + relays:
        values = [fmt(r.get("latency_p99_ms"), 2) for r in results if r["gateway"] == gateway]
        each.append(" / ".join(values))
        if gateway == "swift":
            each.append("")
    rows.append(each)
    add("latency p99.9 ms", "latency_p999_ms", "lower", 2)
    add("latency max ms", "latency_max_ms", "lower", 2)
    add("readings without latency (lost)", "latency_missing", None, 0)
    add("gateway CPU % of one core during load", "gateway_cpu_pct_during_load", None, 0)
    add("gateway CPU s per 100k datapoints", "gateway_cpu_s_per_100k_datapoints", "lower", 2)
    add("other processes' CPU s during load (and steal outside them)", "other_processes_cpu_s_during_load", None, 1)
    add("hypervisor steal CPU s during load", "steal_cpu_s_during_load", None, 1)
    add("hypervisor steal CPU s, most in one 0.25 s sample", "steal_cpu_s_max_per_sample", None, 2)
    if any("hop_gateway_p99_ms" in r for r in results):  # --capture-hops
        add("captured: broker in (generator → gateway) p99 ms", "hop_broker_in_p99_ms", None, 2)
        add("captured: in the gateway (received → published) p50 ms", "hop_gateway_p50_ms", "lower", 2)
        add("captured: in the gateway (received → published) p99 ms", "hop_gateway_p99_ms", "lower", 2)
        add("captured: in the gateway, max ms", "hop_gateway_max_ms", "lower", 2)
        add("captured: broker out (gateway → sink) p99 ms", "hop_broker_out_p99_ms", None, 2)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def outage_table(results):
    """Markdown: what each gateway delivered across a ThingsBoard outage."""
    head = ["metric", "Python", "Swift"]
    rows = []

    def add(label, key, digits=0):
        rows.append([label] + [fmt(med([r for r in results if r["gateway"] == g], key), digits)
                               for g in ("python", "swift")])

    add("messages published", "published_messages")
    add("readings lost", "lost_readings")
    add("duplicate readings", "duplicate_readings")
    add("readings published while ThingsBoard was down, delivered", "outage_readings_published_while_down_delivered")
    add("s after the restart until the last of them arrived", "outage_catch_up_after_restart_s", 1)
    add("latency p50 ms", "latency_p50_ms", 2)
    add("latency max ms", "latency_max_ms", 0)
    add("gateway CPU s per 100k datapoints", "gateway_cpu_s_per_100k_datapoints", 2)
    lost = ["lost readings, published at ms from the kill"]
    for g in ("python", "swift"):
        lost.append("; ".join(", ".join(str(x) for x in r.get("outage_lost_published_ms_from_kill", [])[:10]) or "none"
                              for r in results if r["gateway"] == g))
    rows.append(lost)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--refbench", default=os.path.join(root, "..", "shared", "refbench"))
    ap.add_argument("--swift-bin", default=os.path.join(root, ".build-release", "release", "iot-gateway"))
    ap.add_argument("--gw-python", default="/tmp/tbgw-venv/bin/python")
    ap.add_argument("--storages", default="memory,sqlite", help="comma list of memory,file,sqlite")
    ap.add_argument("--gateways", default="python,swift",
                    help="comma list of python,swift,relay,nio-relay (relay: a mosquitto bridge in the gateway's place, "
                         "latency scenario only: the latency floor of this machine; nio-relay: the same relay on "
                         "bare SwiftNIO, gateway-bench mqtt-relay: the CPU floor of a SwiftNIO program)")
    ap.add_argument("--qos", type=int, default=1, choices=(0, 1), help="sensor → external broker QoS")
    ap.add_argument("--py-messages", type=int, default=20000,
                    help="closed-loop messages for the Python gateway (≈1,250 dp/s: ≈20 s)")
    ap.add_argument("--swift-messages", type=int, default=200000,
                    help="closed-loop messages for swift-iot-gateway")
    ap.add_argument("--devices", type=int, default=100)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--idle-seconds", type=float, default=10)
    ap.add_argument("--stall", type=float, default=10)
    ap.add_argument("--publish-cap", type=float, default=100, help="loadgen hard stop, s")
    ap.add_argument("--drain-cap", type=float, default=100, help="s after publishing ended")
    ap.add_argument("--run-root", default="/tmp/mqttbench-runs")
    ap.add_argument("--out", default=None, help="JSON lines of every run (default <run-root>/results.jsonl)")
    default_bench = os.path.join(root, ".build-release", "release", "gateway-bench")
    ap.add_argument("--bench-bin", default=default_bench, help="gateway-bench (release) for --loadgen swift")
    ap.add_argument("--loadgen", choices=("python", "swift"), default=None,
                    help="load generator: refbench's loadgen.py, or gateway-bench mqtt-load (default: swift "
                         "when the release gateway-bench exists, else python)")
    ap.add_argument("--connections", type=int, default=4, help="swift load generator: MQTT connections")
    ap.add_argument("--window", type=int, default=500,
                    help="load generator: publishes unfinished at once (QoS 1: unacknowledged); loadgen.py's default")
    ap.add_argument("--scenarios", default="closed,backlog,latency",
                    help="comma list: closed (closed-loop throughput table), latency (fixed-rate latency table), "
                         "backlog (the gateway's own drain rate: the burst is queued at the broker while the "
                         "gateway is frozen, then drained with no load generator running)")
    ap.add_argument("--backlog-py-messages", type=int, default=60000,
                    help="backlog scenario: messages for the Python gateway (≈1 minute of its drain)")
    ap.add_argument("--backlog-swift-messages", type=int, default=1000000,
                    help="backlog scenario: messages for swift-iot-gateway")
    ap.add_argument("--backlog-drain-cap", type=float, default=300, help="backlog scenario: s after the resume")
    ap.add_argument("--latency-rate", type=float, default=1000, help="latency scenario: msg/s (open loop)")
    ap.add_argument("--latency-duration", type=float, default=20, help="latency scenario: seconds")
    ap.add_argument("--latency-storage", default="sqlite", help="latency scenario: storage kind")
    ap.add_argument("--latency-qos", type=int, default=1, choices=(0, 1), help="latency scenario: sensor QoS")
    ap.add_argument("--outage-rate", type=float, default=200, help="outage scenario: msg/s (open loop)")
    ap.add_argument("--outage-duration", type=float, default=60, help="outage scenario: seconds of load")
    ap.add_argument("--outage-at", type=float, default=15, help="outage scenario: s into the load the TB broker dies")
    ap.add_argument("--outage-length", type=float, default=20, help="outage scenario: s the TB broker stays down")
    ap.add_argument("--outage-storage", default="sqlite", help="outage scenario: storage kind")
    ap.add_argument("--latency-floor", action=argparse.BooleanOptionalAction, default=True,
                    help="latency scenario: also run the mosquitto relay in the gateway's place (same hops, QoS, "
                         "sink and clock; it converts and stores nothing): the floor this machine puts under any "
                         "gateway's latency at that moment")
    ap.add_argument("--swift-broker-options", default=None, metavar="JSON",
                    help="keys merged into the MQTT connector's broker section for swift-iot-gateway only, e.g. "
                         "'{\"acknowledgeAfterStorage\": true, \"cleanStart\": false, \"sessionExpiryInterval\": 300}'")
    ap.add_argument("--nio-relay-quick-ack", action="store_true",
                    help="nio-relay: set TCP_QUICKACK after every read on the ThingsBoard side, as swift-iot-gateway "
                         "does (without it the relay acknowledges TCP data as mosquitto's bridge does)")
    ap.add_argument("--capture-hops", action="store_true",
                    help="latency scenario: capture both brokers' loopback traffic (tcpdump, as root) and split each "
                         "reading's latency into broker-in, gateway and broker-out legs (hops.py; fields hop_*)")
    args = ap.parse_args()
    if args.capture_hops and shutil.which("tcpdump") is None:
        sys.exit("--capture-hops needs tcpdump (apt-get install tcpdump)")
    args.bench_bin = os.path.abspath(args.bench_bin)
    if args.loadgen is None:
        args.loadgen = "swift" if os.access(args.bench_bin, os.X_OK) else "python"
    if args.loadgen == "swift" and not os.access(args.bench_bin, os.X_OK):
        ap.error("no gateway-bench at %s (build it in release first, see README.md)" % args.bench_bin)
    if args.loadgen == "swift" and subprocess.run([args.bench_bin, "mqtt-load", "--help"], stdout=subprocess.DEVNULL,
                                                  stderr=subprocess.DEVNULL).returncode != 0:
        ap.error("%s has no mqtt-load subcommand: rebuild it in release (see README.md)" % args.bench_bin)
    scenarios = [s for s in args.scenarios.split(",") if s]
    for sc in scenarios:
        if sc not in ("closed", "latency", "backlog", "outage"):
            ap.error("unknown scenario %r" % sc)
    if ("latency" in scenarios or "outage" in scenarios) and args.loadgen != "swift":
        ap.error("the latency and outage scenarios need --loadgen swift (its --send-log gives each message's "
                 "publish time)")
    args.refbench = os.path.abspath(args.refbench)
    args.swift_bin = os.path.abspath(args.swift_bin)
    storages = [s for s in args.storages.split(",") if s]
    gateways = [g for g in args.gateways.split(",") if g]
    for g in gateways:
        if g not in GATEWAYS:
            ap.error("unknown gateway %r" % g)
    if "swift" in gateways and not os.access(args.swift_bin, os.X_OK):
        ap.error("no gateway binary at %s (build it in release first, see README.md)" % args.swift_bin)
    rb, tb_sink = load_refbench(args.refbench)
    os.makedirs(args.run_root, exist_ok=True)
    out_path = args.out or os.path.join(args.run_root, "results.jsonl")
    # SIGTERM behaves like Ctrl-C: the finally-blocks stop everything this script started
    interrupt_on_sigterm()

    print("# MQTT connector: Python reference gateway vs swift-iot-gateway (scenarios %s; closed loop QoS %d, "
          "%d devices; load generator: %s)" % (",".join(scenarios), args.qos, args.devices,
                                              "gateway-bench mqtt-load" if args.loadgen == "swift" else "loadgen.py"),
          flush=True)
    print("# Python gets %d messages, Swift %d: throughput is a rate (delivered / (last delivery - first "
          "publish)), CPU is per 100k delivered datapoints, so unequal run lengths compare fairly; they only "
          "keep each Python run under ~2 minutes." % (args.py_messages, args.swift_messages), flush=True)
    results = []
    t_start = time.time()
    cells = []  # (mode, storage, gateway), interleaved so that outside load hits both gateways
    gateways_proper = [g for g in gateways if g not in RELAYS]  # the relays are the latency scenario's floor only
    if "closed" in scenarios:
        cells += [("closed", s, g) for s in storages for g in gateways_proper]
    if "backlog" in scenarios:
        cells += [("backlog", s, g) for s in storages for g in gateways_proper]
    if "latency" in scenarios:
        latency_gateways = gateways + (["relay"] if args.latency_floor and "relay" not in gateways else [])
        cells += [("latency", args.latency_storage, g) for g in latency_gateways]
    if "outage" in scenarios:
        cells += [("outage", args.outage_storage, g) for g in gateways_proper]
    for idx in range(1, args.runs + 1):
        for mode, storage, gateway in cells:
            if mode == "closed":
                n = args.py_messages if gateway == "python" else args.swift_messages
            elif mode == "backlog":
                n = args.backlog_py_messages if gateway == "python" else args.backlog_swift_messages
            else:
                n = None
            r = one_run(rb, tb_sink, args, gateway, storage, n, idx, mode)
            results.append(r)
            with open(out_path, "a") as f:
                f.write(json.dumps(r) + "\n")
            brief = {k: r.get(k) for k in ("mode", "gateway", "storage", "run", "error", "ended",
                                           "published_messages", "loadgen_publish_rate_msgs_per_s",
                                           "delivered_datapoints_per_s", "gateway_cpu_s_per_100k_datapoints",
                                           "peak_rss_kib", "idle_rss_kib", "lost_readings", "latency_p50_ms",
                                           "latency_p99_ms", "other_processes_cpu_s_during_load",
                                           "steal_cpu_s_during_load")}
            print(json.dumps(brief), flush=True)
    ok = [r for r in results if "error" not in r]
    print()
    print("Measured %s UTC, %d run(s) per cell (medians), %.0f s total; per-run JSON: %s"
          % (time.strftime("%Y-%m-%d %H:%M", time.gmtime(t_start)), args.runs, time.time() - t_start, out_path))
    closed = [r for r in ok if r["mode"] == "closed"]
    latency = [r for r in ok if r["mode"] == "latency"]
    backlog = [r for r in ok if r["mode"] == "backlog"]
    outages = [r for r in ok if r["mode"] == "outage"]
    if closed:
        print()
        print("## Closed loop, QoS %d at the sensors" % args.qos)
        print()
        print(table(closed, storages))
    if backlog:
        print()
        print("## Backlog drain: the burst (QoS %d) queued at the broker while the gateway was frozen, then drained"
              % args.qos)
        print()
        print(table(backlog, storages, backlog=True))
    if latency:
        print()
        print("## Fixed rate: %g msg/s for %g s, QoS %d at the sensors, %s storage, QoS 1 to ThingsBoard"
              % (args.latency_rate, args.latency_duration, args.latency_qos, args.latency_storage))
        print()
        print(latency_table(latency))
    if outages:
        print()
        print("## ThingsBoard outage: %g msg/s for %g s (QoS %d, %s storage); the ThingsBoard-side broker killed "
              "%g s in and restarted %g s later" % (args.outage_rate, args.outage_duration, args.latency_qos,
                                                    args.outage_storage, args.outage_at, args.outage_length))
        print()
        print(outage_table(outages))
    failed = [r for r in results if "error" in r]
    for r in failed:
        print("FAILED: %s %s %s run %d: %s (run folder %s)" % (r["mode"], r["gateway"], r["storage"], r["run"],
                                                              r["error"], r["run_dir"]))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
