#include "tcp/flood_detector.h"

#include <bit>
#include <cmath>

namespace tern::tcp {

uint32_t FloodDetector::distinct_estimate() const {
    uint32_t ones = 0;
    for (uint64_t w : bitmap_) ones += uint32_t(std::popcount(w));
    uint32_t zeros = kBits - ones;
    if (zeros == 0) return uint32_t(syns_);  // saturated: take all as distinct
    return uint32_t(std::lround(-double(kBits) * std::log(double(zeros) / kBits)));
}

void FloodDetector::reset_window() {
    syns_ = cookies_ = completed_ = 0;
    bitmap_.fill(0);
}

bool FloodDetector::tick(uint64_t now_ms) {
    if (!started_) {
        started_ = true;
        window_start_ms_ = now_ms;
        return false;
    }
    bool changed = false;
    while (now_ms >= window_start_ms_ + 1000) {
        bool hot = (threshold_ && syns_ > threshold_ && completed_ * 2 < syns_) || cookies_ > 0;
        if (hot) {
            quiet_ = 0;
            if (!r_.active) {
                r_.active = true;
                r_.start_ms = window_start_ms_;
                r_.end_ms = 0;
                r_.peak_rate = 0;
                ++r_.floods;
                changed = true;
            }
            if (syns_ > r_.peak_rate) {
                r_.peak_rate = syns_;
                uint64_t d = std::min<uint64_t>(distinct_estimate(), syns_);
                r_.distinct_pct = syns_ ? uint32_t(d * 100 / syns_) : 0;
            }
        } else if (r_.active && ++quiet_ >= kQuietSeconds) {
            r_.active = false;
            r_.end_ms = window_start_ms_ + 1000;
            changed = true;
        }
        window_start_ms_ += 1000;
        reset_window();
        // A long stall: the windows in between saw nothing.
        if (now_ms >= window_start_ms_ + 1000 * (kQuietSeconds + 1)) {
            if (r_.active) {
                r_.active = false;
                r_.end_ms = window_start_ms_ + 1000 * kQuietSeconds;
                changed = true;
            }
            window_start_ms_ = now_ms - (now_ms - window_start_ms_) % 1000;
        }
    }
    return changed;
}

}  // namespace tern::tcp
