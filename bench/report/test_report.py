#!/usr/bin/python3
"""Tests of bench/report on canned tern-gen / bench/linux JSON (no DPDK, no root).

Run: /usr/bin/python3 bench/report/test_report.py   (meson: suite system, system-bench_report)
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import aggregate  # noqa: E402
import markdown  # noqa: E402
from metrics import linux_record, tern_record  # noqa: E402
from window import busy_window  # noqa: E402

GHZ = 2_000_000_000  # TSC cycles per second in the canned series


def series(seconds, start_rx_at, busy_share, step=0.25, t0=100.0):
    """A sampled /tern/stats series: idle until start_rx_at, then busy_share busy."""
    out, busy, total, rx = [], 0, 0, 0
    n = int(seconds / step) + 1
    for i in range(n):
        t = t0 + i * step
        if i > 0:
            total += int(GHZ * step)
            if t > t0 + start_rx_at:
                busy += int(GHZ * step * busy_share)
                rx += 1000
        # tern's worker runs 90 % of the time; tern-gen appears after 0.5 s
        oncpu = {"tern": {"rte-worker-1": int(0.9e9 * (t - t0))},
                 "gen": {"tern-gen": int(0.8e9 * (t - t0))} if t - t0 >= 0.5 else {}}
        out.append({"t": t, "stats": {"workers": 1, "rx_packets": rx, "tcp_syncookies_sent": rx // 2,
                                      "worker0_busy_cycles": busy, "worker0_total_cycles": total},
                    "oncpu_ns": oncpu})
    return out


def gen_doc(mode, **results):
    return {"tool": "tern-gen", "mode": mode, "hugepages": True, "config": {}, "results": results}


def cps_gen(cps, gen_busy, p99_hs=400.0, p99_resp=900.0, success=1.0):
    return gen_doc("cps", seconds=2, generator_busy_share=gen_busy, connections_per_s=cps,
                   completed=int(2 * cps), failed=0, success_rate=success,
                   handshake_us={"p50": 100.0, "p99": p99_hs, "p999": 2 * p99_hs},
                   response_us={"p50": 200.0, "p99": p99_resp, "p999": 2 * p99_resp})


def linux_doc(scenario, rate, per_core, p99_conn=5000.0, p99_resp=9000.0):
    run = {"scenario": scenario, "rate": rate, "per_busy_core_rate": per_core,
           "server_cpu_work": rate / per_core, "limited_by": "server", "contaminated": False,
           "failures": 0, "reply_ratio": 0.99, "load": {"completed": int(2 * rate)},
           "latency_us": None if scenario == "synflood" else {
               "connect": {"p50_us": 1000.0, "p99_us": p99_conn, "p999_us": 2 * p99_conn},
               "response": {"p50_us": 2000.0, "p99_us": p99_resp, "p999_us": 2 * p99_resp}}}
    return {"tool": "bench/linux/run.sh", "runs": [run], "median": {}}


def tern_run(scenario, rep, doc, busy, load=1.0):
    win = busy_window(series(6, 1.0, busy), seconds=2, warmup=1)
    return {"scenario": scenario, "rep": rep, "side": "tern", "loadavg_start": [load, 1, 1],
            "core_rtt_ns": [101.0, 338.0], "raw": doc, "window": win,
            "metrics": tern_record(scenario, doc, win)}


def linux_run(scenario, rep, doc, load=2.0):
    return {"scenario": scenario, "rep": rep, "side": "linux", "loadavg_start": [load, 1, 1],
            "raw": doc, "metrics": linux_record(scenario, doc["runs"][0])}


MACHINE = {"cpu_model": "Test CPU", "nproc": 2, "kernel": "6.1", "dpdk_version": "22.11.0",
           "hugepages": True, "git_commit": "abcdef123456", "git_uncommitted_files": 0}
CONFIG = {"seconds": 2, "warmup": 1, "repetitions": 3}


def canned():
    runs = []
    # cps: tern 300 k/s at busy 0.5 -> 600 k per core; Linux 10 k/s at 0.5 -> 20 k per core: 30x
    for rep, cps in enumerate((290e3, 300e3, 310e3), 1):
        runs.append(tern_run("cps", rep, cps_gen(cps, gen_busy=0.99), busy=0.5))
        runs.append(linux_run("cps", rep, linux_doc("cps", 10e3, 20e3)))
    # synflood: tern 1 M/s at busy 1.0; Linux 100 k/s at 0.5 -> 200 k per core: 5x (not met)
    for rep in (1, 2):
        doc = gen_doc("synflood", seconds=2, generator_busy_share=0.3, syns_sent_per_s=1.0e6,
                      syn_acks_per_s=1.0e6, reply_ratio=1.0, bad_replies=0)
        runs.append(tern_run("synflood", rep, doc, busy=1.0))
        runs.append(linux_run("synflood", rep, linux_doc("synflood", 100e3, 200e3)))
    # mixed: legit success 0.9995 (met), p99 handshake 1.5 ms (not met); no Linux run
    doc = gen_doc("mixed", seconds=2, generator_busy_share=0.5, syn_acks_per_s=500e3, reply_ratio=1.0,
                  legit_connections_per_s=20e3, legit_success_rate=0.9995, legit_failed=10,
                  legit_handshake_us={"p50": 300.0, "p99": 1500.0, "p999": 3000.0},
                  legit_response_us={"p50": 400.0, "p99": 2000.0, "p999": 4000.0})
    runs.append(tern_run("mixed", 1, doc, busy=0.95))
    runs.append({"scenario": "cps", "rep": 4, "side": "linux", "loadavg_start": [3, 1, 1],
                 "raw": {"error": "x"}, "error": "load program failed"})
    return aggregate.build(runs, MACHINE, CONFIG, "bench/run.sh --quick", ["mixed: tern only"])


class WindowTest(unittest.TestCase):
    def test_busy_share_over_window_after_first_rx(self):
        w = busy_window(series(8, 2.0, 0.6), seconds=3, warmup=1)
        self.assertAlmostEqual(w["busy_share"], 0.6, places=3)
        self.assertAlmostEqual(w["window_s"], 3.0, places=3)
        self.assertAlmostEqual(w["counters_per_s"]["rx_packets"], 4000.0, places=1)
        self.assertAlmostEqual(w["oncpu_share"]["tern_worker"], 0.9, places=3)
        self.assertAlmostEqual(w["oncpu_share"]["generator"], 0.8, places=3)

    def test_oncpu_needs_the_thread_over_most_of_the_window(self):
        s = series(8, 2.0, 0.6)
        for x in s[-16:]:
            x["oncpu_ns"]["gen"] = {}  # window 103.25-106.25 s; tern-gen gone from 104.25 s
        self.assertIsNone(busy_window(s, seconds=3, warmup=1)["oncpu_share"]["generator"])

    def test_generator_window_wins(self):
        s = series(8, 0.0, 0.6)  # busy from the first interval on
        w = busy_window(s, 3, 1, gen_window_ns=[int(101e9), int(103e9)])
        self.assertEqual(w["how"], "tern-gen window_mono_ns")
        self.assertAlmostEqual(w["window_s"], 2.0, places=3)

    def test_no_traffic_is_an_error(self):
        self.assertIn("error", busy_window(series(4, 100.0, 0.5), 1, 1))


class AggregateTest(unittest.TestCase):
    def setUp(self):
        self.doc = canned()

    def test_medians_and_ratios(self):
        cps = self.doc["summary"]["cps"]
        self.assertAlmostEqual(cps["tern"]["rate"], 300e3)
        self.assertAlmostEqual(cps["tern"]["per_core"], 600e3, delta=1)
        self.assertAlmostEqual(cps["ratio_rate"], 30.0, places=3)
        self.assertAlmostEqual(cps["ratio_per_core"], 30.0, places=3)
        self.assertEqual(cps["failed_runs"], {"tern": 0, "linux": 1})
        self.assertAlmostEqual(self.doc["summary"]["synflood"]["ratio_per_core"], 5.0, places=3)
        self.assertIsNone(self.doc["summary"]["mixed"]["linux"])

    def test_bounded_by(self):
        self.assertEqual(self.doc["summary"]["cps"]["bounded_by"], "generator")   # tern-gen 0.99
        self.assertEqual(self.doc["summary"]["synflood"]["bounded_by"], "tern")   # tern 1.0, gen 0.3
        self.assertEqual(aggregate.bounded_by(0.5, 0.8), "generator")  # tern had time left
        self.assertEqual(aggregate.bounded_by(0.97, 0.95), "both")
        self.assertEqual(aggregate.bounded_by(None, 0.95), "unknown")

    def test_targets(self):
        met = {t["label"]: t["met"] for s in self.doc["summary"].values() for t in s["targets"]}
        self.assertTrue(met["tern/Linux connections/s per busy core >= 20x"])
        self.assertFalse(met["tern/Linux SYN-ACKs/s per busy core >= 20x"])
        self.assertTrue(met["legit success rate >= 99.9 %"])
        self.assertFalse(met["legit p99 handshake < 1 ms"])


class MarkdownTest(unittest.TestCase):
    def setUp(self):
        self.doc = canned()
        self.md = markdown.report(self.doc)

    def row(self, first_cell):
        return next(l for l in self.md.splitlines() if l.startswith(f"| {first_cell} |"))

    def test_main_rows(self):
        cps = self.row("cps")
        self.assertIn("| 300 k conn/s |", cps)
        self.assertIn("| 30.0x / 30.0x |", cps)
        self.assertIn("| generator |", cps)
        self.assertIn("| 400 µs / 5.00 ms |", cps)
        self.assertIn("| 0.90 / 0.80 | generator (tern-gen busy 0.99) |", self.row("cps | tern"))
        syn = self.row("synflood")
        self.assertIn("| 10.0x / 5.0x |", syn)
        self.assertIn("| tern |", syn)
        mixed = self.row("mixed")
        self.assertIn("not run", mixed)
        self.assertIn("under 500 k SYN-ACKs/s", mixed)

    def test_target_marks(self):
        self.assertIn("| 30.0x | **met** |", self.row("tern/Linux connections/s per busy core >= 20x"))
        self.assertIn("| 5.0x | **not met** |", self.row("tern/Linux SYN-ACKs/s per busy core >= 20x"))
        self.assertIn("| 99.950 % | **met** |", self.row("legit success rate >= 99.9 %"))
        self.assertIn("| 1.50 ms | **not met** |", self.row("legit p99 handshake < 1 ms"))

    def test_core_round_trip_column(self):
        self.assertIn("| 1.00 | 101 / 338 |", self.md)  # a tern run: before / after
        self.assertIn("| 2.00 | n/a |", self.md)  # a Linux run recorded without it

    def test_failed_run_and_warning(self):
        self.assertIn("failed: load program failed", self.md)
        self.assertNotIn("WARNING", self.md)
        self.doc["machine"]["hugepages"] = False
        self.assertIn("WARNING: no hugepages", markdown.report(self.doc))

    def test_doc_section_replaced_between_markers(self):
        text = f"# Perf\n\nintro\n\n{markdown.BEGIN}\nold table\n{markdown.END}\n\nafter\n"
        new = markdown.update_doc(text, self.doc)
        self.assertNotIn("old table", new)
        self.assertTrue(new.startswith("# Perf\n\nintro\n\n" + markdown.BEGIN))
        self.assertTrue(new.endswith(markdown.END + "\n\nafter\n"))
        self.assertEqual(markdown.update_doc(new, self.doc), new)  # idempotent
        appended = markdown.update_doc("# Perf\n", self.doc)
        self.assertEqual(appended.count(markdown.BEGIN), 1)


class CommandLineTest(unittest.TestCase):
    """record.py -> aggregate.py -> markdown.py / plot.py as bench/run.sh calls them."""

    def test_pipeline(self):
        py = sys.executable
        with tempfile.TemporaryDirectory() as d:
            p = lambda name: os.path.join(d, name)
            with open(p("gen.json"), "w") as f:
                json.dump(cps_gen(250e3, 0.4), f)
            with open(p("tel.jsonl"), "w") as f:
                f.writelines(json.dumps(s) + "\n" for s in series(6, 1.0, 0.5))
            with open(p("linux.json"), "w") as f:
                json.dump(linux_doc("cps", 10e3, 25e3), f)
            run = lambda *a: subprocess.run([py, *a], check=True, capture_output=True, text=True).stdout
            lines = run(os.path.join(HERE, "record.py"), "tern", "--scenario", "cps", "--rep", "1",
                        "--seconds", "2", "--warmup", "1", "--loadavg", "0.5 0.4 0.3 1/2 3",
                        "--gen", p("gen.json"), "--telemetry", p("tel.jsonl"), "--core-rtt", "97,")
            lines += run(os.path.join(HERE, "record.py"), "linux", "--scenario", "cps", "--rep", "1",
                         "--loadavg", "0.7 0.4 0.3", "--doc", p("linux.json"))
            with open(p("runs.jsonl"), "w") as f:
                f.write(lines)
            run(os.path.join(HERE, "aggregate.py"), p("runs.jsonl"), p("out.json"), "--hugepages", "no",
                "--command", "bench/run.sh --quick", "--seconds", "2", "--warmup", "1", "--reps", "1")
            md = run(os.path.join(HERE, "markdown.py"), p("out.json"))
            self.assertIn("| 250 k conn/s | 10 k conn/s | 25.0x / 20.0x |", md)
            self.assertIn("| tern/Linux connections/s per busy core >= 20x | 20.0x | **met** |", md)
            self.assertIn("WARNING: no hugepages", md)
            self.assertIn("0.50-0.70", md)  # load average range
            self.assertIn("| 0.50 | 97 / n/a |", md)  # tern-corelat gave nothing after the run
            try:
                import matplotlib  # noqa: F401
            except ImportError:
                if os.environ.get("CI") == "true":
                    raise
                self.skipTest("python3-matplotlib not installed (scripts/setup.sh installs it)")
            run(os.path.join(HERE, "plot.py"), p("out.json"), p("out.png"))
            with open(p("out.png"), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
