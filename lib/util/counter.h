// A per-worker statistic: written only by its owning worker, read by the
// control thread. Relaxed atomics compile to plain loads and stores on x86,
// so counting costs what a plain increment costs, and reading is race-free.
#pragma once

#include <atomic>
#include <cstdint>

namespace tern::util {

class Counter {
public:
    // Always inline: with LTO, GCC kept it out of line (a call per count)
    // in the Stack's per-segment paths.
    [[gnu::always_inline]] void inc(uint64_t n = 1) {
        v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    void set(uint64_t v) { v_.store(v, std::memory_order_relaxed); }  // for gauges
    uint64_t get() const { return v_.load(std::memory_order_relaxed); }

private:
    std::atomic<uint64_t> v_{0};
};

}  // namespace tern::util
