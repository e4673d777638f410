// Token bucket arithmetic in integer milli-tokens: `rate` tokens per second
// is exactly `rate` milli-tokens per millisecond, so refills never lose a
// fraction and need no division on the hot path.
#pragma once

#include <cstdint>
#include <stdexcept>

namespace tern::util {

// The shared parameters of many buckets. A bucket's state is two fields the
// owner stores wherever is compact (see SourceLimiter's 16-byte entries).
class TokenRate {
  public:
    static constexpr uint32_t kMilli = 1000;
    static constexpr uint32_t kMaxBurst = UINT32_MAX / kMilli;  // fits the milli-token field

    // rate_per_sec = 0 means unlimited. Otherwise 1 <= burst <= kMaxBurst.
    TokenRate(uint32_t rate_per_sec, uint32_t burst) : rate_(rate_per_sec), full_(burst * kMilli) {
        if (rate_ == 0) return;
        if (burst == 0 || burst > kMaxBurst)
            throw std::invalid_argument("token bucket burst must be in [1, 4294967]");
        // A bucket idle this long is full: clamping the elapsed time to it
        // keeps elapsed * rate from overflowing after hours of silence.
        fill_ms_ = (full_ + rate_ - 1) / rate_;
    }

    bool unlimited() const { return rate_ == 0; }
    uint32_t full() const { return full_; }  // milli-tokens in a full bucket

    // Refills (tokens, last_ms) up to now_ms, then takes one token if there
    // is one. A clock that steps back refills nothing.
    bool take(uint32_t& tokens, uint64_t& last_ms, uint64_t now_ms) const {
        if (rate_ == 0) return true;
        if (now_ms > last_ms) {
            const uint64_t elapsed = now_ms - last_ms;
            const uint64_t t = elapsed >= fill_ms_ ? full_ : tokens + elapsed * rate_;
            tokens = uint32_t(t < full_ ? t : full_);
            last_ms = now_ms;
        }
        if (tokens < kMilli) return false;
        tokens -= kMilli;
        return true;
    }

  private:
    uint32_t rate_;  // tokens per second = milli-tokens per ms
    uint32_t full_;  // burst in milli-tokens
    uint64_t fill_ms_ = 0;
};

// A single bucket (e.g. a global SYN rate), starting full.
class TokenBucket {
  public:
    TokenBucket(uint32_t rate_per_sec, uint32_t burst, uint64_t now_ms)
        : rate_(rate_per_sec, burst), tokens_(rate_.full()), last_ms_(now_ms) {}

    bool allow(uint64_t now_ms) { return rate_.take(tokens_, last_ms_, now_ms); }

  private:
    TokenRate rate_;
    uint32_t tokens_;
    uint64_t last_ms_;
};

}  // namespace tern::util
