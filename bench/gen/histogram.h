// Latency histogram in TSC ticks, log-linear: 32 linear sub-buckets per
// power of two, so any value is known within 1/32 (3.1 %) from 1 tick to
// 2^64. Workload: one add() per completed handshake or response, on the
// generator's hot path: an index computation and an increment into a fixed
// 15 KiB array, never an allocation. Percentiles are read once per run.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace tern::gen {

class LatencyHistogram {
  public:
    static constexpr int kSubBits = 5;
    static constexpr size_t kSub = size_t(1) << kSubBits;
    static constexpr size_t kBuckets = (64 - kSubBits + 1) * kSub;

    void add(uint64_t ticks) {
        ++counts_[index(ticks)];
        ++n_;
    }
    void clear() {
        counts_.fill(0);
        n_ = 0;
    }
    uint64_t count() const { return n_; }

    // The value below which a share q (0..1) of the samples lie: the middle
    // of the bucket holding the rank-ceil(q*n) sample; 0 when empty.
    double quantile(double q) const;

    // Values v < 32 have a bucket each; above, the bucket is the power of
    // two (msb) and the next kSubBits bits below it.
    static size_t index(uint64_t v) {
        if (v < kSub) return size_t(v);
        const int msb = 63 - __builtin_clzll(v);
        const int shift = msb - kSubBits;
        return (size_t(shift + 1) << kSubBits) | size_t((v >> shift) & (kSub - 1));
    }
    static double bucket_low(size_t i);
    static double bucket_width(size_t i);

  private:
    std::array<uint64_t, kBuckets> counts_{};
    uint64_t n_ = 0;
};

}  // namespace tern::gen
