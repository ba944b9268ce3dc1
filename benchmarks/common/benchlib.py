"""Helpers shared by the project's benchmark scripts (benchmarks/*/compare.py)."""
import os
import sys


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
