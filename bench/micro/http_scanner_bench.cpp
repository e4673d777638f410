// HttpRequestScanner alone: ns per request, scanned as the HTTP app does
// (the state unpacked from and packed back into 64 bits around each call).
// Three shapes: bench/engine cps's 46-byte request in one segment (the
// known-word fast paths), a browser-like request whose long fields are
// skipped as runs, and the cps request one byte per call (the byte-wise
// path only).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "app/http_scanner.h"

using tern::app::HttpRequestScanner;

namespace {

constexpr std::string_view kCps = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
constexpr std::string_view kBrowser =
    "GET /static/app.js?v=3 HTTP/1.1\r\n"
    "Host: www.example.test\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Referer: https://www.example.test/index.html\r\n"
    "Cookie: session=0123456789abcdef0123456789abcdef; theme=dark\r\n"
    "Connection: keep-alive\r\n"
    "\r\n";

// Feeds `req` in pieces of `piece` bytes; aborts unless it is one GET.
void scan(std::string_view req, size_t piece, bool keep_alive) {
    const auto* p = reinterpret_cast<const uint8_t*>(req.data());
    size_t left = req.size();
    uint64_t state = 0;
    int gets = 0;
    while (left > 0) {
        HttpRequestScanner s = HttpRequestScanner::from_bits(state);
        const HttpRequestScanner::Result r = s.feed(p, std::min(piece, left));
        state = s.bits();
        p += r.used;
        left -= r.used;
        if (r.event == HttpRequestScanner::Event::Get && r.keep_alive == keep_alive) {
            ++gets;
        } else if (r.event != HttpRequestScanner::Event::None) {
            std::abort();
        }
    }
    if (gets != 1) std::abort();
    benchmark::DoNotOptimize(state);
}

void BM_HttpScanCps(benchmark::State& state) {
    for (auto _ : state) scan(kCps, kCps.size(), false);
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kCps.size()));
}
BENCHMARK(BM_HttpScanCps);

void BM_HttpScanBrowser(benchmark::State& state) {
    for (auto _ : state) scan(kBrowser, kBrowser.size(), true);
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kBrowser.size()));
}
BENCHMARK(BM_HttpScanBrowser);

void BM_HttpScanCpsBytewise(benchmark::State& state) {
    for (auto _ : state) scan(kCps, 1, false);
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kCps.size()));
}
BENCHMARK(BM_HttpScanCpsBytewise);

}  // namespace
