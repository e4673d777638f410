#!/usr/bin/python3
"""Markdown from bench/run.sh's results JSON.

  markdown.py RESULTS.json                  the report (bench/results/<date>.md) on stdout
  markdown.py RESULTS.json --doc FILE.md    regenerate FILE's section between
                                            <!-- bench/run.sh:begin --> and <!-- bench/run.sh:end -->
                                            (appended with a heading when the markers are missing)
"""
import argparse
import json
import sys

from aggregate import bounded_by

BEGIN, END = "<!-- bench/run.sh:begin -->", "<!-- bench/run.sh:end -->"

UNITS = {"cps": "conn/s", "synflood": "SYN-ACKs/s", "mixed": "legit conn/s"}


def rate(v, unit=""):
    if v is None:
        return "n/a"
    for div, suffix in ((1e6, " M"), (1e3, " k")):
        if abs(v) >= div:
            return f"{v / div:.3g}{suffix}" + (" " + unit if unit else "")
    return f"{v:.0f}" + (" " + unit if unit else "")


def share(v):
    return "n/a" if v is None else f"{v:.2f}"


def times(v):
    return "n/a" if v is None else f"{v:.1f}x"


def usec(v):
    if v is None:
        return "n/a"
    return f"{v / 1000:.2f} ms" if v >= 1000 else f"{v:.0f} µs"


def target_value(t):
    v = t["value"]
    if v is None:
        return "n/a"
    if "success" in t["label"]:
        return f"{100 * v:.3f} %"
    if "handshake" in t["label"]:
        return usec(v)
    return times(v)


def mark(met):
    return {True: "**met**", False: "**not met**", None: "n/a (not measured)"}[met]


def loadavg_range(runs):
    la = [r["loadavg_start"][0] for r in runs if r.get("loadavg_start")]
    return f"{min(la):.2f}-{max(la):.2f}" if la else "n/a"


def header(doc):
    m, c = doc["machine"], doc["config"]
    lines = [
        f"Machine: {m['cpu_model']}, {m['nproc']} CPUs, Linux {m['kernel']}, DPDK {m['dpdk_version']}; "
        f"{doc['date'][:10]}, commit `{m['git_commit']}`"
        + (f" (+{m['git_uncommitted_files']} uncommitted files in the tree)" if m.get("git_uncommitted_files") else "")
        + ".",
        f"Command: `{doc['command']}` ({c['repetitions']} repetition(s), {c['seconds']:g} s measured after "
        f"{c['warmup']:g} s warm-up; tern's worker on CPU 1, tern-gen on CPU 0; Linux server on CPU 1, load on CPU 0).",
        f"Load average (1 min) at the start of the runs: {loadavg_range(doc['runs'])}.",
    ]
    if not m["hugepages"]:
        lines.append("")
        lines.append("**WARNING: no hugepages: tern and tern-gen ran with `--no-huge` "
                     "(3-4x slower per packet on this machine); these figures understate tern.**")
    for n in doc.get("notes", []):
        lines.append("")
        lines.append(n)
    return lines


def main_table(doc):
    rows = [
        "| scenario | tern median | Linux median | tern/Linux: rate / per busy core | tern worker busy | "
        "tern capacity (rate / busy) | Linux per busy core | tern-gen busy | bounded by | "
        "p99 handshake tern / Linux | p99 response tern / Linux |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for scen, s in doc["summary"].items():
        t, l = s["tern"], s["linux"] or {}
        unit = UNITS[scen]
        tern_rate = rate(t.get("rate"), unit)
        if scen == "mixed" and t.get("syn_ack_rate") is not None:
            tern_rate += f" under {rate(t['syn_ack_rate'])} SYN-ACKs/s"
        rows.append("| " + " | ".join([
            scen, tern_rate,
            rate(l.get("rate"), unit) if s["linux"] else "not run",
            f"{times(s['ratio_rate'])} / {times(s['ratio_per_core'])}",
            share(t.get("server_busy")), rate(t.get("per_core"), unit),
            rate(l.get("per_core"), unit) if s["linux"] else "not run",
            share(t.get("generator_busy")), s["bounded_by"],
            f"{usec(t.get('p99_handshake_us'))} / {usec(l.get('p99_handshake_us'))}",
            f"{usec(t.get('p99_response_us'))} / {usec(l.get('p99_response_us'))}",
        ]) + " |")
    return rows


def targets_table(doc):
    rows = ["| issue 6 target | measured (median) | |", "|---|---:|---|"]
    for s in doc["summary"].values():
        for t in s["targets"]:
            rows.append(f"| {t['label']} | {target_value(t)} | {mark(t['met'])} |")
    return rows


def core_rtt(pair):
    """Before / after the run: ~100 ns = the two vCPUs share an L3, ~340 ns = they do not."""
    if not pair or all(v is None for v in pair):
        return "n/a"
    return " / ".join("n/a" if v is None else f"{v:.0f}" for v in pair)


def runs_table(doc):
    rows = ["| scenario | side | run | load avg | CPU 0-1 round trip (ns) | rate | server busy | per busy core "
            "| on CPU: tern worker / tern-gen | bounded / limited by | |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in doc["runs"]:
        m = r.get("metrics") or {}
        if r["side"] == "tern":
            lim = (f"{bounded_by(m.get('generator_busy'), m.get('server_busy'))} "
                   f"(tern-gen busy {share(m.get('generator_busy'))})") if m else ""
        else:
            lim = m.get("limited_by") or ""
            if m.get("contaminated"):
                lim += " (contaminated)"
        la = r.get("loadavg_start") or [None]
        rows.append("| " + " | ".join([
            r["scenario"], r["side"], str(r["rep"]), "n/a" if la[0] is None else f"{la[0]:.2f}",
            core_rtt(r.get("core_rtt_ns")),
            rate(m.get("rate")), share(m.get("server_busy")), rate(m.get("per_core")),
            f"{share(m.get('tern_oncpu'))} / {share(m.get('generator_oncpu'))}" if r["side"] == "tern" else "",
            lim,
            ("failed: " + str(r["error"])[:80]) if "error" in r else "",
        ]) + " |")
    return rows


def body(doc):
    out = header(doc) + [""] + main_table(doc) + [""] + targets_table(doc)
    out += ["", "Every run:", ""] + runs_table(doc)
    out += ["", "\"on CPU\": the share of the window each polling thread actually ran (schedstat); "
            "below ~0.97 it was descheduled by other work and its busy share includes time it did not run.",
            "", "\"CPU 0-1 round trip\": one cache line's round trip between the two CPUs (bench/common/corelat.cpp) "
            "just before and after the run. The host places this guest's two vCPUs on one L3 (~100 ns) or apart "
            "(~340 ns) and moves them during runs; everything that crosses cores (memif rings, frames, veth RPS) "
            "is slower apart: read each run's rate beside its round trips.",
            "", "Ratios compare medians. \"per busy core\" = rate / the server's busy share (tern: its worker's "
            "TSC busy cycles over tern-gen's window; Linux: our perf-attributed share of the server CPU). "
            "\"bounded by\" is explained in bench/results/README.md."]
    return out


def report(doc):
    return "\n".join([f"# tern vs Linux, side by side ({doc['date'][:10]})", ""] + body(doc)) + "\n"


def update_doc(text, doc):
    section = "\n".join([BEGIN, *body(doc), END])
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        return head + section + rest.split(END, 1)[1]
    heading = "\n## tern vs Linux over one port pair (`bench/run.sh`)\n\n"
    return text.rstrip("\n") + "\n" + heading + section + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--doc")
    a = ap.parse_args()
    with open(a.results) as f:
        doc = json.load(f)
    if a.doc:
        with open(a.doc) as f:
            text = f.read()
        with open(a.doc, "w") as f:
            f.write(update_doc(text, doc))
    else:
        sys.stdout.write(report(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
