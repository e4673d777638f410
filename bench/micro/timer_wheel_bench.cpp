#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "util/timer_wheel.h"

using namespace tern::util;

namespace {

constexpr uint64_t kHourMs = 3600 * 1000;

// A wheel with `n` timers spread over `spread_ms`, the background load of a
// busy worker.
struct Loaded {
    Loaded(size_t n, uint64_t spread_ms) : wheel(1000), nodes(n), rng(1), spread(spread_ms) {
        for (auto& nd : nodes) wheel.arm(nd, 1001 + rng() % spread);
    }
    TimerWheel wheel;
    std::vector<TimerNode> nodes;
    std::mt19937_64 rng;
    uint64_t spread;
};

// Delays cycling through every level (RTO, delayed ACK, 2MSL, keepalive),
// precomputed so the loop measures the wheel and not the generator.
struct Delays {
    Delays() {
        std::mt19937_64 rng(3);
        const uint64_t choices[] = {40, 200, 1000, 3000, 60000, 7200000};
        for (auto& d : v) d = choices[rng() % 6] + rng() % 50;
    }
    uint64_t next() { return v[i++ & 1023]; }
    uint64_t v[1024];
    size_t i = 0;
};

// The RTO pattern: arm on send, cancel on ACK, almost never fire.
void BM_TimerArmCancel(benchmark::State& state) {
    Loaded w(size_t(state.range(0)), 2 * kHourMs);
    TimerNode n;
    Delays d;
    for (auto _ : state) {
        w.wheel.arm(n, w.wheel.now() + d.next());
        w.wheel.cancel(n);
    }
}
BENCHMARK(BM_TimerArmCancel)->ArgName("armed")->Arg(0)->Arg(1 << 20);

// Re-arming an armed timer (keepalive / RTO restart on every ACK).
void BM_TimerRearm(benchmark::State& state) {
    Loaded w(size_t(state.range(0)), 2 * kHourMs);
    TimerNode n;
    w.wheel.arm(n, 5000);
    Delays d;
    for (auto _ : state) w.wheel.arm(n, w.wheel.now() + d.next());
    w.wheel.cancel(n);
}
BENCHMARK(BM_TimerRearm)->ArgName("armed")->Arg(0)->Arg(1 << 20);

// One advance() per ms with 1M armed timers; each fired timer is re-armed
// within the spread so the population stays at 1M. spread 2 h: keepalive
// like, ~0.14 fires/ms; spread 60 s: 2MSL-like, ~17 fires/ms.
void BM_TimerAdvanceTick(benchmark::State& state) {
    Loaded w(1 << 20, uint64_t(state.range(0)));
    size_t fired = 0;
    auto rearm = [&](TimerNode& n) { w.wheel.arm(n, w.wheel.now() + 1 + w.rng() % w.spread); };
    for (auto _ : state) fired += w.wheel.advance(w.wheel.now() + 1, rearm);
    state.counters["fired/tick"] = benchmark::Counter(double(fired) / double(state.iterations()));
}
BENCHMARK(BM_TimerAdvanceTick)->ArgName("spread_ms")->Arg(60'000)->Arg(2 * kHourMs);

// Catch-up after a stall: one advance() over 5 hours with 1M timers spread
// over 6 h (5/6 of them fire, each on its own ms, in order).
void BM_TimerStall5h(benchmark::State& state) {
    for (auto _ : state) {
        state.PauseTiming();
        Loaded w(1 << 20, 6 * kHourMs);
        state.ResumeTiming();
        benchmark::DoNotOptimize(w.wheel.advance(1000 + 5 * kHourMs, [](TimerNode&) {}));
        state.PauseTiming();
        for (auto& n : w.nodes) w.wheel.cancel(n);
        state.ResumeTiming();
    }
}
BENCHMARK(BM_TimerStall5h)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
