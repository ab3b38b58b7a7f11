#!/usr/bin/env python3
"""Renders the figures of `make reliability` (one JSON file per scenario and one .status file per suite in
the report folder) into docs/reliability.md, keeping what stands between the bad-input markers."""
import json
import os
import sys

BEGIN, END = "<!-- bad-input:begin -->", "<!-- bad-input:end -->"

# scenario id prefix -> the suite that produces it
SUITES = {
    "crash": "CrashScenarioTests", "disk-full": "DiskFullTests", "io-error": "SyncFailureTests", "clock": "ClockJumpTests",
    "slow": "SlowPeerTests", "audit": "AuditTamperTests", "history": "HistoryCheckerTests",
}
ORDER = ["crash", "disk-full", "io-error", "clock", "slow", "audit"]


def suite_of(scenario_id):
    for prefix, suite in SUITES.items():
        if scenario_id.startswith(prefix):
            return suite
    return None


def main(folder, target):
    statuses = {}
    for name in os.listdir(folder):
        if name.endswith(".status"):
            with open(os.path.join(folder, name)) as f:
                code, seconds = f.read().split()
            statuses[name[: -len(".status")]] = (int(code), int(seconds))
    scenarios = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".json"):
            with open(os.path.join(folder, name)) as f:
                scenarios.append(json.load(f))
    scenarios.sort(key=lambda s: (next((i for i, p in enumerate(ORDER) if s["id"].startswith(p)), 99), s["id"]))

    kept = f"{BEGIN}\n{END}\n"
    if os.path.exists(target):
        with open(target) as f:
            old = f.read()
        if BEGIN in old and END in old:
            kept = old[old.index(BEGIN) : old.index(END) + len(END)] + "\n"

    lines = [
        "# Reliability",
        "",
        "Written by `make reliability` (scripts/reliability.sh, scripts/reliability-report.py): the fault scenarios of",
        "Tests/ReliabilityTests run in their long versions (`SHAREBUS_RELIABILITY=full`) against the real `sharebus` binary",
        "built by `swift build`, each suite bounded in time. `make test` runs the same scenarios briefly.",
        "",
        "Every scenario ends with the history checker (Tests/ReliabilityTests/History/HistoryChecker.swift), in the spirit",
        "of Jepsen's total-queue check: each 201 receipt the bus signed (envelope id, resource, firstSequence..lastSequence,",
        "the records it carried) is compared with what every subscriber finally received (pulled to the end and",
        "acknowledged, or pushed) and with the log in the SQLite file: nothing acknowledged may be lost, the log has no",
        "gaps and no envelope twice, and each record's value, and each key's current value, is what was sent. Its",
        "negative controls (HistoryCheckerTests) delete a log row from the SQLite file, drop a receipt's records from the",
        "observed history and change a value, and fail unless the checker reports each.",
        "",
        "*Attempted*: envelopes sent, resends after a fault included. *Acknowledged*: envelopes with a verified receipt",
        "(201, or 200 to a resend of one the bus had kept). *Delivered*: acknowledged envelopes every subscriber received",
        "whole. *Lost*: acknowledged envelopes missing anywhere - it must be 0.",
        "",
        "| Scenario | Attempted | Acknowledged | Delivered | Lost | Result |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for s in scenarios:
        code = statuses.get(suite_of(s["id"]), (0, 0))[0]
        result = "pass" if s["passed"] and code == 0 else "**FAIL**"
        lines.append(f"| {s['title']} | {s['attempted']} | {s['acknowledged']} | {s['delivered']} | {s['lost']} | {result} |")
    lines.append("")
    for s in scenarios:
        code, seconds = statuses.get(suite_of(s["id"]), (0, 0))
        lines += [f"## {s['title']}", "", s["method"], ""]
        lines.append(f"Run: {s['mode']}, suite {suite_of(s['id'])} {'passed' if code == 0 else 'FAILED (exit %d)' % code} in {seconds} s.")
        lines.append("")
        for key, value in sorted(s["notes"].items()):
            lines.append(f"- {key}: {value}")
        lines.append("")
    missing = [suite for suite, (code, _) in sorted(statuses.items()) if code != 0]
    if missing:
        lines += ["## Failed suites", "", ", ".join(missing) + ": see the output of `make reliability`.", ""]
    lines += [kept]
    with open(target, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
