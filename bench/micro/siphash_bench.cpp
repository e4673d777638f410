#include <benchmark/benchmark.h>

#include <cstdint>

#include "util/siphash.h"

using namespace tern::util;

namespace {

constexpr SipKey kKey{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};

// Flow-table / ISN hash: one 4-tuple per call, a different one each time.
void BM_Siphash4Tuple(benchmark::State& state) {
    uint32_t saddr = 0xc6120001;
    uint16_t sport = 1024;
    for (auto _ : state) {
        benchmark::DoNotOptimize(siphash_4tuple(kKey, saddr, 0xc6130001, sport, 80, 0));
        ++saddr;
        sport += 7;
    }
}
BENCHMARK(BM_Siphash4Tuple);

void BM_SiphashU32(benchmark::State& state) {
    uint32_t x = 1;
    for (auto _ : state) benchmark::DoNotOptimize(siphash_u32(kKey, x++));
}
BENCHMARK(BM_SiphashU32);

// The generic byte version, for comparison with the fixed-size ones.
void BM_SiphashBytes(benchmark::State& state) {
    uint8_t buf[64] = {};
    const size_t len = size_t(state.range(0));
    for (auto _ : state) {
        benchmark::DoNotOptimize(siphash(kKey, buf, len));
        ++buf[0];
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(len));
}
BENCHMARK(BM_SiphashBytes)->Arg(16)->Arg(64);

}  // namespace
