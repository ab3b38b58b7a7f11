#!/usr/bin/env python3
"""Helpers of scripts/bench.sh: the bench catalog, ports, the machine's fsync rate, and the report.

    bench_support.py free-port
    bench_support.py credit-code N          a valid GB 32100 unified social credit code, the Nth
    bench_support.py catalog DIR P           resource files of the bench catalog (P providers)
    bench_support.py fsync DIR SECONDS       write+fsync and write+fdatasync rates in DIR, as JSON
    bench_support.py machine DIR             cores, memory, disk, CPU, load, as JSON
    bench_support.py render RESULTS MD JSON  docs/benchmarks.md and docs/benchmarks.json
"""
import json
import os
import socket
import sys
import time

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def credit_code(n):
    """A GB 32100 code for a municipal organ (11) of 640100 with both check characters right."""
    body8 = "%08d" % (77000000 + n)
    # GB 11714 organisation code check character (the 9th character of the body).
    s = sum(int(c) * w for c, w in zip(body8, ORG_WEIGHTS))
    c9 = 11 - s % 11
    org = body8 + ("0" if c9 == 11 else "X" if c9 == 10 else str(c9))
    body = "11" + "640100" + org
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS))
    return body + CREDIT_ALPHABET[(31 - total % 31) % 31]


def resource(code, provider, name):
    fields = [
        {"name": "id", "title": "记录标识", "type": "string", "required": True, "sensitivity": "L2"},
        {"name": "sentAt", "title": "发送时间(微秒)", "type": "integer", "required": False, "sensitivity": "L1"},
    ] + [{"name": "f%d" % i, "title": "字段%d" % i, "type": "string", "required": False, "sensitivity": "L2"} for i in range(10)]
    return {
        "code": code, "name": name, "category": "other", "provider": provider,
        "description": "性能基准测试用资源：每条记录约 1 KB（benchmark resource, 1 KB records）。",
        "primaryKey": "id", "fields": fields,
        "sharing": {"type": "unconditional", "basis": "sharebus benchmark suite (make bench)"},
        "open": False, "updateCycle": "realtime", "version": 1, "status": "published",
    }


def catalog(directory, providers):
    os.makedirs(directory, exist_ok=True)
    items = [("bench.ingest%d" % i, "bench.p%d" % i, "基准写入%d" % i) for i in range(1, providers + 1)]
    items += [("bench.fanout", "bench.p1", "基准分发"), ("bench.latency", "bench.p1", "基准时延"),
              ("bench.lookup", "bench.p1", "基准核验"), ("bench.backlog", "bench.p1", "基准积压"), ("bench.push", "bench.p1", "基准推送")]
    for code, provider, name in items:
        with open(os.path.join(directory, code + ".json"), "w", encoding="utf-8") as f:
            json.dump(resource(code, provider, name), f, ensure_ascii=False, indent=2)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def fsync_rate(directory, seconds):
    """4 KiB written then flushed, in a loop bounded by time and count, in the data folder's file system."""
    out = {}
    block = b"s" * 4096
    for name, flush in (("fsync", os.fsync), ("fdatasync", os.fdatasync)):
        path = os.path.join(directory, "fsync-probe")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        n, start = 0, time.monotonic()
        while n < 200000 and time.monotonic() - start < seconds:
            os.write(fd, block)
            flush(fd)
            n += 1
        elapsed = time.monotonic() - start
        os.close(fd)
        os.unlink(path)
        out[name + "_per_s"] = round(n / elapsed, 1)
    return out


def machine(directory):
    info = {"cores": os.cpu_count()}
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    st = os.statvfs(directory)
    info["disk_free_gib"] = round(st.f_bavail * st.f_frsize / 2**30, 1)
    info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    info["kernel"] = os.uname().release
    # The block device behind the data folder.
    try:
        dev = os.stat(directory).st_dev
        with open("/proc/self/mountinfo") as f:
            for line in f:
                parts = line.split()
                major, minor = parts[2].split(":")
                if os.makedev(int(major), int(minor)) == dev:
                    sep = parts.index("-")
                    info["disk"] = "%s (%s) at %s" % (parts[sep + 2], parts[sep + 1], parts[4])
                    break
    except (OSError, ValueError, IndexError):
        pass
    return info


def tree_cpu(pid):
    """CPU seconds of a server and its children: its own and its reaped children's time, plus the
    time of the children still running (PostgreSQL's backends and helpers)."""
    tick = os.sysconf("SC_CLK_TCK")

    def stat(p):
        with open("/proc/%d/stat" % p) as f:
            text = f.read()
        return text[text.rindex(")") + 2:].split()

    fields = stat(pid)
    # After the command: ppid is the 2nd field, utime, stime, cutime, cstime the 12th to 15th.
    total = sum(int(x) for x in fields[11:15])
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == pid:
            continue
        try:
            child = stat(int(entry))
        except (OSError, ValueError):
            continue
        if int(child[1]) == pid:
            total += int(child[11]) + int(child[12])
    return total / tick


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "free-port":
        print(free_port())
    elif cmd == "credit-code":
        print(credit_code(int(argv[2])))
    elif cmd == "catalog":
        catalog(argv[2], int(argv[3]))
    elif cmd == "fsync":
        print(json.dumps(fsync_rate(argv[2], float(argv[3]))))
    elif cmd == "machine":
        print(json.dumps(machine(argv[2])))
    elif cmd == "tree-cpu":
        print("%.2f" % tree_cpu(int(argv[2])))
    elif cmd == "annotate":
        # annotate FILE KEY VALUE: add a number to a workload's JSON result (when it is an object).
        with open(argv[2]) as f:
            data = json.load(f)
        if isinstance(data, dict) and "error" not in data:
            data[argv[3]] = float(argv[4])
            with open(argv[2], "w") as f:
                json.dump(data, f)
    elif cmd == "render":
        import bench_render
        bench_render.render(argv[2], argv[3], argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
