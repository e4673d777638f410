#!/usr/bin/python3
"""PNG of bench/run.sh's results: rates and p99 latencies, tern vs Linux.

  plot.py RESULTS.json OUT.png

Left: each scenario's median rate and rate per busy core, tern beside
Linux, on a log scale (they differ by an order of magnitude or more).
Right: p99 handshake and response times of the scenarios that open real
connections (cps, mixed), also on a log scale.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")  # no display on the bench machine
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

TERN, LINUX = "#1f77b4", "#ff7f0e"


def bars(ax, groups, series, ylabel, title):
    """groups: x labels; series: [(label, colour, hatch, [value or None per group])].
    A missing value draws no bar (the Markdown table says "n/a" or "not run")."""
    width = 0.8 / max(len(series), 1)
    for i, (label, colour, hatch, vals) in enumerate(series):
        xs = [g + (i - (len(series) - 1) / 2) * width for g in range(len(groups))]
        ys = [v if v else 0 for v in vals]
        ax.bar(xs, ys, width, label=label, color=colour, hatch=hatch, edgecolor="black", linewidth=0.5)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups)
    ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7)
    ax.grid(axis="y", which="major", alpha=0.3)


def plot(doc, out):
    summ = doc["summary"]
    scen = list(summ)
    get = lambda side, key: [((summ[s][side] or {}).get(key)) for s in scen]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
    bars(left, [f"{s}\n({'legit conn' if s == 'mixed' else 'SYN-ACK' if s == 'synflood' else 'conn'}/s)" for s in scen], [
        ("tern", TERN, "", get("tern", "rate")),
        ("tern per busy core", TERN, "//", get("tern", "per_core")),
        ("Linux", LINUX, "", get("linux", "rate")),
        ("Linux per busy core", LINUX, "//", get("linux", "per_core")),
    ], "per second (log)", "Rate, median")
    lat = [s for s in scen if s != "synflood"]
    lget = lambda side, key: [((summ[s][side] or {}).get(key)) for s in lat]
    if lat:
        bars(right, lat, [
            ("tern p99 handshake", TERN, "", lget("tern", "p99_handshake_us")),
            ("tern p99 response", TERN, "//", lget("tern", "p99_response_us")),
            ("Linux p99 handshake", LINUX, "", lget("linux", "p99_handshake_us")),
            ("Linux p99 response", LINUX, "//", lget("linux", "p99_response_us")),
        ], "µs (log)", "p99 latency, median of runs")
    else:
        right.axis("off")
    m = doc["machine"]
    fig.suptitle(f"tern vs Linux, {doc['date'][:10]}, commit {m['git_commit']}"
                 + ("" if m["hugepages"] else "  [NO HUGEPAGES]"), fontsize=10)
    fig.savefig(out, dpi=110)


def main():
    with open(sys.argv[1]) as f:
        plot(json.load(f), sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
