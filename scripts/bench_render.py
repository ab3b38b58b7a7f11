#!/usr/bin/env python3
"""Renders the results of scripts/bench.sh into docs/benchmarks.md and docs/benchmarks.json.

    bench_render.py RESULTS_DIR OUT.md OUT.json

Every figure is put beside its reference from the same run, as a ratio. The hand-written analysis
(what bounds each figure, findings for the code) lives in Benchmarks/ANALYSIS.md and is appended.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(results, name):
    path = os.path.join(results, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        text = f.read().strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return json.loads(text.splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": text[-500:]}


def get(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def ratio(a, b):
    if a is None or b in (None, 0):
        return None
    return a / b


def fmt(x, unit=""):
    if x is None:
        return "n/a"
    if isinstance(x, float) and x < 10:
        s = "%.2f" % x
    elif isinstance(x, (int, float)):
        s = "{:,.0f}".format(x)
    else:
        s = str(x)
    return s + unit


def fmt_ratio(r):
    return "n/a" if r is None else "%.2f×" % r


def yes(x):
    return "n/a" if x is None else ("yes" if x else "**no**")


def sec(x):
    return "n/a" if x is None else "%.1f" % x


def ms(us):
    return None if us is None else us / 1000.0


def fmt_ms(us):
    return "n/a" if us is None else ("%.2f ms" % (us / 1000.0))


def render(results, out_md, out_json):
    r = {name: load(results, name) for name in (
        "run", "machine", "fsync", "fsync-end", "ceiling", "w1-bus-1op", "w1-bus-100op", "w1-rabbit-1", "w1-rabbit-100", "w2-bus", "w3-bus",
        "w3-rabbit", "w4-seed", "w4-bus", "w4-bus-query", "w4-nginx", "w5-bus", "store", "w6-bus", "w6-rabbit-steady", "w6-rabbit-bulk",
        "pg", "pg-store", "w1-pg1-1op", "w1-pg1-100op", "w3-pg1", "w1-pg3-1op", "w1-pg3-100op", "w3-pg3")}
    run, machine, disk, ceiling = r["run"] or {}, r["machine"] or {}, r["fsync"] or {}, r["ceiling"] or {}
    figures = []

    def figure(workload, what, value, reference_name, reference, target=None, meets=None, unit="", higher_is_better=True):
        rt = ratio(value, reference)
        met = None
        if meets is not None and rt is not None:
            met = meets(rt)
        figures.append({"workload": workload, "figure": what, "sharebus": value, "reference_name": reference_name,
                        "reference": reference, "ratio": rt, "target": target, "met": met, "unit": unit})

    b1, b100 = r["w1-bus-1op"] or {}, r["w1-bus-100op"] or {}
    q1, q100 = r["w1-rabbit-1"] or {}, r["w1-rabbit-100"] or {}
    figure("W1", "records/s, 1-op envelopes, 64 providers", get(b1, "records_per_s"), "RabbitMQ persistent + confirm, 1 msg per confirm",
           get(q1, "messages_per_s"), "≥ 1.00× RabbitMQ", lambda x: x >= 1.0, " rec/s")
    figure("W1", "records/s, 100-op envelopes, 64 providers", get(b100, "records_per_s"),
           "RabbitMQ persistent + confirm, 100 msgs per confirm", get(q100, "messages_per_s"), "≥ 1.00× RabbitMQ", lambda x: x >= 1.0, " rec/s")
    figure("W1", "records/s, 100-op envelopes, against the verify ceiling", get(b100, "records_per_s"),
           "ES256 verify ceiling × 100 records (all cores)", get(ceiling, "records_per_s_ceiling_100op"), "≥ 0.60× ceiling",
           lambda x: x >= 0.6, " rec/s")
    figure("W1", "envelopes/s, 1-op, against the verify ceiling", get(b1, "envelopes_per_s"), "ES256 verifies/s (all cores)",
           get(ceiling, "verifies_per_s_1op"), None, None, " env/s")
    end_rate = get(r["fsync-end"] or {}, "fdatasync_per_s")
    figure("W1", "envelopes/s, 1-op, against the disk's flush rate", get(b1, "envelopes_per_s"),
           "write+fdatasync per second (SQLite's flush) in the data folder, at the start%s"
           % ("" if end_rate is None else " (%s at the end)" % fmt(end_rate)), get(disk, "fdatasync_per_s"), None, None, " env/s")
    figure("W1", "p99 latency, 1-op (push → receipt)", ms(get(b1, "latency_us", "p99")), "RabbitMQ publish → confirm p99",
           ms(get(q1, "latency_us", "p99")), None, None, " ms", False)
    figure("W1", "p99 latency, 100-op (push → receipt)", ms(get(b100, "latency_us", "p99")), "RabbitMQ 100 publishes → confirms p99",
           ms(get(q100, "latency_us", "p99")), None, None, " ms", False)
    w2 = r["w2-bus"] or {}
    if w2:
        pushed_rate = get(w2, "provider", "records_per_s")
        subs = get(w2, "subscribers") or 10
        figure("W2", "records delivered/s, 10 pull subscribers", get(w2, "delivered_per_s"),
               "provider's push rate × subscribers (every subscriber keeping up)", None if pushed_rate is None else pushed_rate * subs,
               None, None, " rec/s")
        figure("W2", "end-to-end lag p50 (push start → subscriber)", ms(get(w2, "lag_us", "p50")),
               "the provider's own push → receipt p50, same run", ms(get(w2, "provider", "latency_us", "p50")), None, None, " ms", False)
    w3, w3r = r["w3-bus"] or {}, r["w3-rabbit"] or {}
    if w3:
        figure("W3", "p50 push → long-poll delivery", ms(get(w3, "latency_us", "p50")), "RabbitMQ publish → consumer p50",
               ms(get(w3r, "latency_us", "p50")), None, None, " ms", False)
        figure("W3", "p99 push → long-poll delivery", ms(get(w3, "latency_us", "p99")), "RabbitMQ publish → consumer p99",
               ms(get(w3r, "latency_us", "p99")), "≤ 2.00× RabbitMQ", lambda x: x <= 2.0, " ms", False)
    w4, w4q, w4n = r["w4-bus"] or {}, r["w4-bus-query"] or {}, r["w4-nginx"] or {}
    route = get(w4, "route") or "?"
    if route == "verify":
        figure("W4", "POST /v1/verify answers (200)/s, 64 connections, one consumer", get(w4, "answers_per_s"),
               "nginx, fixed JSON over mTLS", get(w4n, "answers_per_s"), "≥ 0.50× nginx", lambda x: x >= 0.5, " req/s")
        figure("W4", "POST /v1/verify requests completed/s incl. 429 rate-limited", get(w4, "requests_per_s"),
               "nginx, fixed JSON over mTLS", get(w4n, "answers_per_s"), None, None, " req/s")
    if w4q or route != "verify":
        q = w4q if w4q else w4
        figure("W4", "GET /v1/resources/{code}/records/{key} (query) answers/s, 64 connections", get(q, "answers_per_s"),
               "nginx, fixed JSON over mTLS", get(w4n, "answers_per_s"), "≥ 0.50× nginx" if route != "verify" else None,
               (lambda x: x >= 0.5) if route != "verify" else None, " req/s")
        figure("W4", "query p99 latency", ms(get(q, "latency_us", "p99")), "nginx p99", ms(get(w4n, "latency_us", "p99")), None, None,
               " ms", False)
    w5 = r["w5-bus"] or {}
    push_rss = get(w5, "push", "bus_rss_max_mb")
    drain_rss = get(w5, "drain", "bus_rss_max_mb")
    figure("W5", "drain rate, one subscriber", get(w5, "drain", "records_per_s"), "push rate of the same backlog",
           get(w5, "push", "records_per_s"), None, None, " rec/s")
    figure("W5", "bus RSS, push phase (max sampled)", push_rss, "target 300 MB", 300.0, "< 300 MB", lambda x: x < 1.0, " MB", False)
    figure("W5", "bus RSS, drain phase (max sampled)", drain_rss, "target 300 MB", 300.0, "< 300 MB", lambda x: x < 1.0, " MB", False)

    w6, w6s, w6b = r["w6-bus"] or {}, r["w6-rabbit-steady"] or {}, r["w6-rabbit-bulk"] or {}
    if w6:
        st, bu = get(w6, "steady") or {}, get(w6, "bulk") or {}
        figure("W6", "push deliveries/s to a webhook, %s envelopes/s offered" % (get(st, "rate") or "?"), get(st, "deliveries_per_s"),
               "RabbitMQ push consumer (basic.consume, manual acks), same rate", get(w6s, "deliveries_per_s"), None, None, " rec/s")
        figure("W6", "p50 push → webhook, steady", ms(get(st, "lag_us", "p50")), "RabbitMQ publish → consumer p50, same rate",
               ms(get(w6s, "lag_us", "p50")), None, None, " ms", False)
        figure("W6", "p99 push → webhook, steady", ms(get(st, "lag_us", "p99")), "RabbitMQ publish → consumer p99, same rate",
               ms(get(w6s, "lag_us", "p99")), None, None, " ms", False)
        figure("W6", "push deliveries/s to a webhook, bulk (%s provider connections)" % (get(bu, "connections") or "?"),
               get(bu, "deliveries_per_s"), "RabbitMQ push consumer, %s publishers as fast as confirms come back" % (get(w6b, "threads") or "?"),
               get(w6b, "deliveries_per_s"), None, None, " rec/s")
        figure("W6", "push deliveries/s, bulk, against the provider's push rate", get(bu, "deliveries_per_s"),
               "the provider's 1-op push rate in the same phase (delivery keeping up = 1.00×)", get(bu, "push_rate"), None, None, " rec/s")
        figure("W6", "p99 push → webhook, bulk", ms(get(bu, "lag_us", "p99")), "RabbitMQ publish → consumer p99, bulk",
               ms(get(w6b, "lag_us", "p99")), None, None, " ms", False)
    q3 = r["w3-rabbit"] or {}
    for nodes in (1, 3):
        a, b, l = r["w1-pg%d-1op" % nodes], r["w1-pg%d-100op" % nodes], r["w3-pg%d" % nodes]
        if not (a or b or l):
            continue
        a, b, l = a or {}, b or {}, l or {}
        where = "PostgreSQL, %d node%s" % (nodes, "" if nodes == 1 else "s")
        figure("W1 · " + where, "records/s, 1-op envelopes, 64 providers", get(a, "records_per_s"),
               "RabbitMQ persistent + confirm, 1 msg per confirm", get(q1, "messages_per_s"), "≥ 1.00× RabbitMQ", lambda x: x >= 1.0, " rec/s")
        figure("W1 · " + where, "records/s, 100-op envelopes, 64 providers", get(b, "records_per_s"),
               "RabbitMQ persistent + confirm, 100 msgs per confirm", get(q100, "messages_per_s"), "≥ 1.00× RabbitMQ", lambda x: x >= 1.0,
               " rec/s")
        figure("W1 · " + where, "p99 latency, 1-op (push → receipt)", ms(get(a, "latency_us", "p99")), "RabbitMQ publish → confirm p99",
               ms(get(q1, "latency_us", "p99")), None, None, " ms", False)
        figure("W3 · " + where, "p50 push → long-poll delivery%s" % ("" if nodes == 1 else " (push to node 1, long-poll on node 2)"),
               ms(get(l, "latency_us", "p50")), "RabbitMQ publish → consumer p50", ms(get(q3, "latency_us", "p50")), None, None, " ms", False)
        figure("W3 · " + where, "p99 push → long-poll delivery%s" % ("" if nodes == 1 else " (push to node 1, long-poll on node 2)"),
               ms(get(l, "latency_us", "p99")), "RabbitMQ publish → consumer p99", ms(get(q3, "latency_us", "p99")), "≤ 2.00× RabbitMQ",
               lambda x: x <= 2.0, " ms", False)

    if run.get("only"):
        # A partial run (BENCH_ONLY): only the figures of what ran.
        figures[:] = [f for f in figures if f["sharebus"] is not None]
    data = {"run": run, "machine": machine, "disk": disk, "figures": figures, "results": r}
    with open(out_json, "w") as f:
        json.dump(data, f, indent=2, sort_keys=True, ensure_ascii=False)
        f.write("\n")

    L = []
    mode = run.get("mode", "?")
    L.append("# sharebus benchmarks")
    L.append("")
    L.append("Generated by `make bench` (`scripts/bench.sh`%s) on %s, bus commit `%s`%s, bus built **%s**. "
             "Every figure stands beside its reference measured in the same run on the same machine; the ratio is sharebus ÷ reference."
             % (" --quick" if mode == "quick" else "", run.get("date", "?"), run.get("commit", "?"),
                " (with uncommitted changes in Sources/)" if run.get("dirty") else "", run.get("bus_build", "?")))
    L.append("Raw results: [benchmarks.json](benchmarks.json). How the workloads are driven: [Benchmarks/README.md](../Benchmarks/README.md).")
    L.append("")
    L.append("## Machine")
    L.append("")
    L.append("| | |")
    L.append("|---|---|")
    L.append("| CPU | %s, %s cores |" % (machine.get("cpu", "?"), machine.get("cores", "?")))
    L.append("| Memory | %s GiB |" % machine.get("memory_gib", "?"))
    L.append("| Disk of the data folder | %s, %s GiB free |" % (machine.get("disk", "?"), machine.get("disk_free_gib", "?")))
    disk_end = r["fsync-end"] or {}
    L.append("| Disk flush rate in the data folder (4 KiB write + flush, 3 s loop) | at the start: %s fsync/s, %s fdatasync/s; "
             "at the end: %s fsync/s, %s fdatasync/s |"
             % (fmt(disk.get("fsync_per_s")), fmt(disk.get("fdatasync_per_s")), fmt(disk_end.get("fsync_per_s")),
                fmt(disk_end.get("fdatasync_per_s"))))
    L.append("| ES256 verify ceiling (swift-crypto, %s threads, tight loop) | %s verifies/s over a 1-op signing input, %s over a 100-op one (%s bytes) |"
             % (ceiling.get("threads", "?"), fmt(ceiling.get("verifies_per_s_1op")), fmt(ceiling.get("verifies_per_s_100op")),
                fmt(ceiling.get("input_bytes_100op"))))
    L.append("| Load average at the start | %s (1, 5, 15 min) |" % ", ".join(str(x) for x in machine.get("load_average", [])))
    L.append("| Kernel, Swift | %s; %s |" % (machine.get("kernel", "?"), run.get("swift", "?")))
    L.append("| References | RabbitMQ %s (Debian), librabbitmq %s, nginx %s (Debian) |"
             % (run.get("rabbitmq", "?"), run.get("librabbitmq", "?"), run.get("nginx", "?")))
    pg = r["pg"] or {}
    if pg:
        L.append("| PostgreSQL store (W1, W3 rows so named) | %s; %s |" % (pg.get("version", pg.get("error", "?")), ", ".join(
            "%s = %s" % kv for kv in sorted((pg.get("settings") or {}).items()))))
    L.append("")
    L.append("The machine may carry other work during a run (see the load average), "
             "and the load generators run on the same 2 cores as the servers they measure. Read small differences as noise.")
    L.append("")
    L.append("## Summary")
    L.append("")
    L.append("| Workload | Figure | sharebus | Reference | Reference value | Ratio | Target | Met |")
    L.append("|---|---|---:|---|---:|---:|---|---|")
    for f in figures:
        unit = f["unit"]
        val = f["sharebus"]
        refv = f["reference"]
        def show(v):
            if v is None:
                return "n/a"
            if unit == " ms":
                return "%.2f ms" % v
            return fmt(v, unit)
        met = "" if f["met"] is None else ("yes" if f["met"] else "**no**")
        L.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (f["workload"], f["figure"], show(val), f["reference_name"], show(refv),
                                                             fmt_ratio(f["ratio"]), f["target"] or "", met))
    L.append("")
    L.append("Rows whose workload names no store measure one `sharebus serve` process on its SQLite store. "
             "Targets are recorded here, not asserted by any test.")
    L.append("")

    L.append("## Details")
    L.append("")

    def lat(d, key="latency_us"):
        x = get(d, key) or {}
        if not x.get("count"):
            return "n/a"
        return "p50 %s, p90 %s, p99 %s, p99.9 %s, max %s (n = %s)" % (
            fmt_ms(x.get("p50")), fmt_ms(x.get("p90")), fmt_ms(x.get("p99")), fmt_ms(x.get("p99.9")), fmt_ms(x.get("max")),
            "{:,}".format(x.get("count")))

    def err(d):
        if not d:
            return " (not run)"
        if "error" in d:
            return " — **failed**: `%s`" % d["error"].strip().splitlines()[-1][:200]
        e = d.get("errors")
        return "" if not e else " — %s failed requests (%s)" % (e, "; ".join(d.get("first_errors", []))[:300])

    partial = bool(run.get("only"))
    w1_ran = not partial or any(r[k] for k in ("w1-bus-1op", "w1-bus-100op"))
    if w1_ran:
        L.append("### W1 durable ingest")
        L.append("")
        L.append("%s providers (departments, one resource each), 64 workers each on its own mTLS keep-alive connection; every envelope "
                 "ES256-signed by the client, each worker waiting for the 201 receipt (= on disk) before the next. Records ~%s bytes of JSON."
                 % (get(b1, "providers") or "?", get(b1, "record_bytes") or "~1000"))
        L.append("")
        for name, d in (("1-op envelopes", b1), ("100-op envelopes", b100)):
            L.append("- sharebus, %s: %s records/s, %s envelopes/s over %s s; push → receipt %s. Bus CPU %s cores, bus peak RSS %s MB; "
                     "load generator CPU %s s.%s"
                     % (name, fmt(get(d, "records_per_s")), fmt(get(d, "envelopes_per_s")), get(d, "seconds"), lat(d),
                        get(d, "bus_cpu_cores"), get(d, "bus_hwm_mb"), get(d, "client_cpu_s"), err(d)))
        for name, d in (("1 message per confirm", q1), ("100 messages per confirm", q100)):
            L.append("- RabbitMQ, %s: %s messages/s; publish → confirm %s.%s" % (name, fmt(get(d, "messages_per_s")), lat(d), err(d)))
        L.append("")
        L.append("The RabbitMQ load generator (`Benchmarks/amqp/amqp-bench.c`, rabbitmq-c) runs 64 threads, each with its own connection "
                 "and channel in confirm mode, publishing 1 KiB persistent messages (delivery mode 2) to one durable classic queue and "
                 "waiting for the confirms of each batch. A batch of 100 messages per confirm is the counterpart of a 100-op envelope.")
        L.append("")
    if w2:
        L.append("### W2 fan-out")
        L.append("")
        L.append("One provider (4 connections, 100-op envelopes, %s s) and %s pull subscribers, subscriber *i* granted `sentAt` and "
                 "`f0`…`f`*i* (ten different grants); each long-polls `limit=1000`, verifies the delivery's signature, checks the "
                 "grant and acknowledges." % (get(r["run"] or {}, "w2_seconds") or "15", get(w2, "subscribers")))
        L.append("")
        L.append("- pushed %s records (%s records/s); delivered %s records over all subscribers in %s s: **%s records/s**; all caught up: %s.%s"
                 % (fmt(get(w2, "records_pushed")), fmt(get(w2, "provider", "records_per_s")), fmt(get(w2, "records_delivered")),
                    get(w2, "seconds"), fmt(get(w2, "delivered_per_s")), yes(get(w2, "complete")), err(w2)))
        L.append("- end-to-end lag (provider's `sentAt` → in the subscriber's hands): %s." % lat(w2, "lag_us"))
        L.append("- bus CPU %s cores, peak RSS %s MB." % (get(w2, "bus_cpu_cores"), get(w2, "bus_hwm_mb")))
        L.append("")
    if w3:
        L.append("### W3 latency")
        L.append("")
        L.append("One record at a time, 20 ms apart: the subscriber's long-poll (`wait=10`) is waiting when the provider pushes a 1-op "
                 "envelope; a sample is push start → record in the subscriber's hands; then it acknowledges and waits again.")
        L.append("")
        L.append("- sharebus: %s. Push → receipt alone: %s.%s" % (lat(w3), lat(w3, "receipt_latency_us"), err(w3)))
        L.append("- RabbitMQ (publish with confirm → consumer with manual ack on another connection): %s; publish → confirm %s.%s"
                 % (lat(w3r), lat(w3r, "confirm_latency_us"), err(w3r)))
        L.append("")
    if not partial or w4 or w4n:
        L.append("### W4 verification")
        L.append("")
        if route == "verify":
            L.append("`POST /v1/verify` from one consumer department, claims on two fields (`f0` as stored, `f1` with surrounding "
                     "white space) of one of 1,000 seeded records, 64 connections; then the query route "
                     "`GET /v1/resources/{code}/records/{key}` the same way from another consumer.")
            L.append("")
            L.append("- sharebus, verify: %s answers (200)/s and %s `rate-limited` (429)/s, %s requests/s in all; %s. "
                     "Bus CPU %s cores, peak RSS %s MB.%s"
                     % (fmt(get(w4, "answers_per_s")), fmt(get(w4, "rate_limited_per_s")), fmt(get(w4, "requests_per_s")), lat(w4),
                        get(w4, "bus_cpu_cores"), get(w4, "bus_hwm_mb"), err(w4)))
            if w4q:
                L.append("- sharebus, query: %s answers/s; %s. Bus CPU %s cores.%s"
                         % (fmt(get(w4q, "answers_per_s")), lat(w4q), get(w4q, "bus_cpu_cores"), err(w4q)))
        else:
            L.append("`POST /v1/verify` is not served by this build (%s), so this measures the query route "
                     "`GET /v1/resources/{code}/records/{key}` over 1,000 seeded records instead, 64 connections."
                     % (get(w4, "note") or "no route"))
            L.append("")
            L.append("- sharebus: %s requests/s; %s. Bus CPU %s cores, peak RSS %s MB.%s"
                     % (fmt(get(w4, "answers_per_s")), lat(w4), get(w4, "bus_cpu_cores"), get(w4, "bus_hwm_mb"), err(w4)))
        L.append("- nginx (`return 200` with a fixed verify answer, `ssl_verify_client on` with the platform CA, the bus's server certificate, "
                 "2 workers): %s requests/s; %s.%s" % (fmt(get(w4n, "answers_per_s")), lat(w4n), err(w4n)))
        L.append("")
    if not partial or w5:
        L.append("### W5 backlog")
        L.append("")
        L.append("A fresh bus process on the same store; %s records pushed (8 connections, 100-op envelopes) with no subscriber, then one "
                 "subscriber (cursor 0) drains them with `limit=1000` pulls, verifying each delivery and acknowledging."
                 % fmt(get(w5, "target_records")))
        L.append("")
        L.append("- push: %s records in %s s, %s records/s; bus RSS max %s MB, CPU %s cores.%s"
                 % (fmt(get(w5, "push", "records")), sec(get(w5, "push", "seconds")), fmt(get(w5, "push", "records_per_s")), push_rss,
                    get(w5, "push", "bus_cpu_cores"), err(w5)))
        L.append("- drain: %s records in %s s, **%s records/s** (complete: %s); pull %s; bus RSS max %s MB, peak since start %s MB, CPU %s cores."
                 % (fmt(get(w5, "drain", "records")), sec(get(w5, "drain", "seconds")), fmt(get(w5, "drain", "records_per_s")),
                    yes(get(w5, "drain", "complete")), lat(get(w5, "drain") or {}, "pull_latency_us"), drain_rss, get(w5, "drain", "bus_hwm_mb"),
                    get(w5, "drain", "bus_cpu_cores")))
        L.append("- store size after the run: %s MB." % fmt(get(r["store"] or {}, "store_mb")))
        L.append("")
    if w6:
        st, bu = get(w6, "steady") or {}, get(w6, "bulk") or {}
        L.append("### W6 push delivery")
        L.append("")
        L.append("A push subscription (granted `sentAt` and `f0`) whose webhook is an HTTPS server in the load generator on 127.0.0.1: "
                 "it serves a certificate of the platform CA, requires the bus's push client certificate, verifies each delivery's "
                 "signature and answers 200, counting each sequence once. One provider pushes 1-op envelopes, first %s a second on a "
                 "fixed schedule (4 connections), then in bulk from %s connections as fast as receipts come back; after each phase the "
                 "webhook may take up to 60 s to receive the rest. Lag is the record's `sentAt` (push start) → the batch in the "
                 "webhook's hands; deliveries/s counts from the phase's first push to its last delivery. Five warm-up records first."
                 % (get(st, "rate") or "?", get(bu, "connections") or "?"))
        L.append("")
        for name, d in (("steady", st), ("bulk", bu)):
            L.append("- sharebus, %s: pushed %s (%s envelopes/s; push → receipt %s), delivered %s in %s batches (mean %s a batch, "
                     "%s seen twice), complete: %s, **%s deliveries/s**; lag %s. Bus CPU %s cores.%s"
                     % (name, fmt(get(d, "pushed")), fmt(get(d, "push_rate")), lat(d, "receipt_latency_us"), fmt(get(d, "delivered")),
                        fmt(get(d, "batches")), get(d, "mean_batch"), get(d, "duplicates"), yes(get(d, "complete")),
                        fmt(get(d, "deliveries_per_s")), lat(d, "lag_us"), get(d, "bus_cpu_cores"), err(d)))
        for name, d in (("same rate, 4 publishers", w6s), ("bulk, %s publishers" % (get(w6b, "threads") or "?"), w6b)):
            L.append("- RabbitMQ push consumer (basic.consume, manual ack per message, prefetch %s; publishers in confirm mode, "
                     "persistent 1 KiB messages), %s: published %s (%s/s), received %s, **%s deliveries/s**; lag %s.%s"
                     % (get(d, "prefetch") or "?", name, fmt(get(d, "published")), fmt(get(d, "push_rate")), fmt(get(d, "received")),
                        fmt(get(d, "deliveries_per_s")), lat(d, "lag_us"), err(d)))
        L.append("")
    if any(r[k] for k in ("w1-pg1-1op", "w1-pg3-1op", "w3-pg1", "w3-pg3")) or pg:
        L.append("### PostgreSQL store: W1 and W3 on one node and on three")
        L.append("")
        L.append("A throw-away PostgreSQL cluster on 127.0.0.1 (%s) with its durable defaults; the platform made with the CLI "
                 "(`pki init`, `dept add`, `catalog import` with `--store`), then `sharebus serve --store` nodes on their own ports. "
                 "With three nodes the load generator spreads its W1 connections over them (round robin per connection), and W3 pushes "
                 "to node 1 while the long-poll waits on node 2 (the wake crosses nodes through LISTEN/NOTIFY). The RabbitMQ references "
                 "are the W1 and W3 ones of this run. PostgreSQL's CPU (server and backends) is over the whole run of a workload, warm-up included."
                 % ", ".join("%s = %s" % kv for kv in sorted((pg.get("settings") or {}).items())))
        L.append("")
        for nodes in (1, 3):
            a, b, l = r["w1-pg%d-1op" % nodes] or {}, r["w1-pg%d-100op" % nodes] or {}, r["w3-pg%d" % nodes]
            if not (a or b or l):
                continue
            for name, d in (("1-op", a), ("100-op", b)):
                cpu = "bus CPU %s cores" % get(d, "bus_cpu_cores") if nodes == 1 else \
                    "bus CPU %s cores over the three nodes (node 1: %s)" % (get(d, "nodes_cpu_cores"), get(d, "bus_cpu_cores"))
                cpu += ", PostgreSQL %s cores" % get(d, "pg_cpu_cores")
                L.append("- %d node%s, W1 %s: %s records/s, %s envelopes/s; push → receipt %s; %s.%s"
                         % (nodes, "" if nodes == 1 else "s", name, fmt(get(d, "records_per_s")), fmt(get(d, "envelopes_per_s")), lat(d),
                            cpu, err(d)))
            L.append("- %d node%s, W3: %s. Push → receipt alone: %s.%s"
                     % (nodes, "" if nodes == 1 else "s", lat(l or {}), lat(l or {}, "receipt_latency_us"), err(l)))
        if get(r["pg-store"] or {}, "database_mb") is not None:
            L.append("- database size after the runs: %s MB." % fmt(get(r["pg-store"], "database_mb")))
        L.append("")
    analysis = os.path.join(ROOT, "Benchmarks", "ANALYSIS.md")
    if os.path.exists(analysis) and mode != "quick":
        with open(analysis) as f:
            L.append(f.read().rstrip())
        L.append("")
    with open(out_md, "w") as f:
        f.write("\n".join(L))


if __name__ == "__main__":
    render(sys.argv[1], sys.argv[2], sys.argv[3])
