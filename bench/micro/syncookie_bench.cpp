#include <benchmark/benchmark.h>

#include <cstdint>

#include "util/syncookie.h"

using namespace tern::util;
using namespace tern::util::syncookie;

namespace {

constexpr CookieSecrets kSecrets{{0x1111, 0x2222}, {0x3333, 0x4444}};
// Expanded once, as the Stack does when a secret is installed.
const CookieKeys kKeys(kSecrets);

SynOffer syn(bool ts) {
    return {.mss = 1460,
            .wscale_ok = true,
            .wscale = 7,
            .sack_ok = true,
            .ecn = false,
            .timestamps = ts};
}

// From the SYN's fields to the SYN-ACK's ISN (and TSval).
void BM_CookieMake(benchmark::State& state) {
    const SynOffer o = syn(state.range(0) != 0);
    CookieTuple t{0xc6120001, 0xc6130001, 1024, 80};
    uint32_t client_isn = 0x12345678;
    uint64_t now = 1'000'000;
    for (auto _ : state) {
        benchmark::DoNotOptimize(make(kKeys.current, t, client_isn, o, now, uint32_t(now)));
        ++t.sport;
        client_isn += 0x10001;
    }
}
BENCHMARK(BM_CookieMake)->ArgName("ts")->Arg(0)->Arg(1);

// A valid final ACK: matches on the first MAC tried.
void BM_CookieCheckValid(benchmark::State& state) {
    const SynOffer o = syn(state.range(0) != 0);
    constexpr int kN = 1024;
    CookieTuple t[kN];
    Cookie c[kN];
    const uint64_t now = 1'000'000;
    for (int i = 0; i < kN; ++i) {
        t[i] = {0xc6120001u + uint32_t(i), 0xc6130001, uint16_t(1024 + i), 80};
        c[i] = make(kKeys.current, t[i], 7, o, now, uint32_t(now));
    }
    int i = 0;
    for (auto _ : state) {
        const auto tsecr = o.timestamps ? std::optional<uint32_t>(c[i].tsval) : std::nullopt;
        auto r = check(kKeys, t[i], 7, c[i].isn, now, tsecr);
        if (!r) state.SkipWithError("valid cookie rejected");
        benchmark::DoNotOptimize(r);
        i = (i + 1) & (kN - 1);
    }
}
BENCHMARK(BM_CookieCheckValid)->ArgName("ts")->Arg(0)->Arg(1);

// A forged ACK: the worst case, every period x secret combination (4 MACs).
void BM_CookieCheckForged(benchmark::State& state) {
    CookieTuple t{0xc6120001, 0xc6130001, 1024, 80};
    uint32_t guess = 0x9e3779b9;
    for (auto _ : state) {
        benchmark::DoNotOptimize(check(kKeys, t, 7, guess, 1'000'000, std::nullopt));
        guess += 0x9e3779b9;
    }
}
BENCHMARK(BM_CookieCheckForged);

}  // namespace
