#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "util/source_limiter.h"

using namespace tern::util;

namespace {

// Per-SYN cost: a spoofed flood (every source new: miss + eviction) and a
// few heavy hitters (hits in cache).
void BM_SourceLimiterAllow(benchmark::State& state) {
    const bool spoofed = state.range(0) != 0;
    SourceLimiter l(100, 200, 1 << 16, {1, 2});
    std::mt19937 rng(1);
    std::vector<uint32_t> src(4096);
    for (auto& s : src) s = spoofed ? rng() : 0xc6120000 + rng() % 64;
    uint64_t now = 0;
    size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(l.allow(src[i++ & 4095] + uint32_t(spoofed ? now : 0), now));
        if ((i & 1023) == 0) ++now;
    }
}
BENCHMARK(BM_SourceLimiterAllow)->ArgName("spoofed")->Arg(0)->Arg(1);

}  // namespace
