// The TCP protocol core alone (no parsing, no packets): ns per SYN ->
// SYN-ACK, per full handshake, and per full connection lifecycle
// (SYN; ACK + request; the app's response and FIN; the client's FIN + ACK;
// our ACK; TIME_WAIT expiry on the wheel). Segments are prebuilt structs,
// so this is the Stack's own cost: flow lookup, TCB pool, ISN, state
// machine, send buffer, timers, Outbox.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "tcp/stack.h"

using namespace tern::tcp;
using tern::util::SeqNum;

namespace {

constexpr tern::util::SipKey kKey{0x0123456789abcdefull, 0xfedcba9876543210ull};
constexpr uint32_t kPool = 65536;

Tuple tuple(uint32_t i) { return Tuple{0xC6120001, 0xC6130000 + (i >> 16), 80, uint16_t(i)}; }

Segment seg(uint8_t flags, uint32_t seq, uint32_t ack, const char* data = nullptr,
            uint32_t len = 0) {
    Segment s;
    s.flags = flags;
    s.seq = SeqNum(seq);
    s.ack = SeqNum(ack);
    s.window = 65535;
    s.opt.has_mss = (flags & flag::kSyn) != 0;
    s.opt.mss = 1460;
    s.payload = reinterpret_cast<const uint8_t*>(data);
    s.payload_len = len;
    return s;
}

Tunables bench_config() {
    Tunables c;
    c.max_tcbs = kPool;
    c.max_tw_buckets = kPool;
    c.send_chunks = 4096;
    c.max_syn_backlog = kPool;
    return c;
}

struct NullApp : App {
    void on_open(Conn&) override {}
    void on_data(Conn&, const uint8_t*, size_t) override {}
};

// An HTTP/1.0-style responder: answers the request and closes first, so the
// server side holds TIME_WAIT (the harder case for a terminator).
struct ResponderApp : App {
    void on_open(Conn&) override {}
    void on_data(Conn& c, const uint8_t*, size_t) override {
        static const char kResp[] = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
        c.send(reinterpret_cast<const uint8_t*>(kResp), sizeof kResp - 1);
        c.close();
    }
};

// Resets every connection of a round so the pool refills (not timed).
void reset_all(Stack& s, uint64_t now_us, uint32_t n, Outbox& out) {
    for (uint32_t i = 0; i < n; ++i) {
        out.clear();
        s.on_segment(now_us, tuple(i), seg(flag::kRst, 1001, 0), out);
    }
}

void BM_SynToSynAck(benchmark::State& state) {
    NullApp app;
    Stack s(bench_config(), kKey, 1'000'000);
    s.listen(80, app);
    Outbox out;
    uint64_t now_us = 1'000'000;
    uint32_t i = 0;
    for (auto _ : state) {
        out.clear();
        s.on_segment(now_us, tuple(i), seg(flag::kSyn, 1000, 0), out);
        benchmark::DoNotOptimize(out.size());
        if (++i == kPool) {
            state.PauseTiming();
            reset_all(s, now_us, kPool, out);
            i = 0;
            state.ResumeTiming();
        }
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SynToSynAck);

void BM_SynToCookieSynAck(benchmark::State& state) {
    // tcp.syncookies = 2: a SYN with the options Linux sends (MSS, SACK,
    // timestamps, window scale) answered with a cookie, no state kept.
    NullApp app;
    Tunables c = bench_config();
    c.syncookies = 2;
    Stack s(c, kKey, 1'000'000);
    s.listen(80, app);
    Outbox out;
    Segment syn = seg(flag::kSyn, 1000, 0);
    syn.opt.has_wscale = true;
    syn.opt.wscale = 7;
    syn.opt.sack_permitted = true;
    syn.opt.has_timestamp = true;
    syn.opt.ts_val = 12345;
    uint32_t i = 0;
    for (auto _ : state) {
        out.clear();
        s.on_segment(1'000'000, tuple(i++ & (kPool - 1)), syn, out);
        benchmark::DoNotOptimize(out.size());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SynToCookieSynAck);

void BM_Handshake(benchmark::State& state) {
    NullApp app;
    Stack s(bench_config(), kKey, 1'000'000);
    s.listen(80, app);
    Outbox out;
    uint64_t now_us = 1'000'000;
    uint32_t i = 0;
    for (auto _ : state) {
        const Tuple tu = tuple(i);
        out.clear();
        s.on_segment(now_us, tu, seg(flag::kSyn, 1000, 0), out);
        const uint32_t iss = out[0].seq.raw();
        out.clear();
        s.on_segment(now_us, tu, seg(flag::kAck, 1001, iss + 1), out);
        benchmark::DoNotOptimize(out.size());
        if (++i == kPool) {
            state.PauseTiming();
            reset_all(s, now_us, kPool, out);
            i = 0;
            state.ResumeTiming();
        }
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Handshake);

// One full lifecycle. The counted one is out of line so that callgrind can
// count exactly its instructions (bench/micro/callgrind.sh collects only
// inside one_lifecycle); the warm-up runs the same body uncounted.
uint64_t g_lifecycles = 0;
struct ReportLifecycles {
    ~ReportLifecycles() {
        if (std::getenv("TERN_COUNT_LIFECYCLES"))
            std::fprintf(stderr, "lifecycles=%llu\n", (unsigned long long)g_lifecycles);
    }
} g_report_lifecycles;

inline void lifecycle(Stack& s, Outbox& out, uint64_t& now_us, uint32_t& i) {
    static const char kReq[] = "GET / HTTP/1.0\r\n\r\n";
    const uint32_t req = sizeof kReq - 1;
    const Tuple tu = tuple(i);
    out.clear();
    s.on_segment(now_us, tu, seg(flag::kSyn, 1000, 0), out);
    const uint32_t iss = out[0].seq.raw();
    out.clear();
    s.on_segment(now_us, tu, seg(flag::kAck | flag::kPsh, 1001, iss + 1, kReq, req), out);
    const uint32_t resp = out[0].total_payload();
    out.clear();
    s.on_segment(now_us, tu, seg(flag::kAck | flag::kFin, 1001 + req, iss + 2 + resp), out);
    benchmark::DoNotOptimize(out.size());
    now_us += 1000;
    out.clear();
    s.advance(now_us, out);
    if (++i == kPool) i = 0;
}

[[gnu::noinline]] void one_lifecycle(Stack& s, Outbox& out, uint64_t& now_us, uint32_t& i) {
    lifecycle(s, out, now_us, i);
    ++g_lifecycles;
}

void BM_Lifecycle(benchmark::State& state) {
    // One connection per simulated ms: with 2MSL = 60 s about 60k TIME_WAIT
    // records are live at steady state, and every iteration expires one.
    // The first 2MSL worth of lifecycles are run before the measured loop:
    // counted, they made the per-lifecycle figure depend on how many
    // lifecycles the time-bounded run fitted (2,805 at 79 k, 2,887 at 117 k).
    ResponderApp app;
    Stack s(bench_config(), kKey, 1'000'000);
    s.listen(80, app);
    Outbox out;
    uint64_t now_us = 1'000'000;
    uint32_t i = 0;
    const uint64_t steady_us = (2 * uint64_t(bench_config().msl_ms) + 1000) * 1000;
    while (now_us < 1'000'000 + steady_us) lifecycle(s, out, now_us, i);
    for (auto _ : state) one_lifecycle(s, out, now_us, i);
    state.SetItemsProcessed(state.iterations());
    state.counters["time_wait"] = double(s.time_wait_records());
}
BENCHMARK(BM_Lifecycle);

}  // namespace
