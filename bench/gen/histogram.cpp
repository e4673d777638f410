#include "histogram.h"

#include <cmath>

namespace tern::gen {

double LatencyHistogram::bucket_low(size_t i) {
    const size_t group = i >> kSubBits, sub = i & (kSub - 1);
    if (group == 0) return double(sub);
    return std::ldexp(double(kSub + sub), int(group - 1));
}

double LatencyHistogram::bucket_width(size_t i) {
    const size_t group = i >> kSubBits;
    return group == 0 ? 1.0 : std::ldexp(1.0, int(group - 1));
}

double LatencyHistogram::quantile(double q) const {
    if (n_ == 0) return 0;
    uint64_t rank = uint64_t(std::ceil(q * double(n_)));
    if (rank == 0) rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
        seen += counts_[i];
        if (seen >= rank) return bucket_low(i) + bucket_width(i) / 2;
    }
    return bucket_low(kBuckets - 1);
}

}  // namespace tern::gen
