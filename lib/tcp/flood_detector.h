// SYN-flood detection, per core. Workload: every SYN to a listener is
// observed (a few ns: a counter and a bit in a bitmap); once a second the
// window is judged. A flood starts when, in one second, SYN cookies were
// needed because a half-open queue (or the TCB pool) was full, or SYNs
// exceeded tcp.syn_flood_rate while fewer than half of them completed a
// handshake (so a busy but legitimate load, where every SYN completes, is
// not a flood); it ends after kQuietSeconds calm seconds.
// For each flood it keeps the start time, the peak SYN rate and the share
// of distinct sources among the SYNs of the peak second (a spoofed flood
// shows ~100 % distinct sources, a flash crowd of real clients far less).
//
// Distinct sources are estimated by linear counting (Whang et al. 1990) on
// a 4096-bit bitmap: exact enough (a few %) up to ~20k distinct sources a
// second, and saturating gracefully beyond (reported as "all distinct").
#pragma once

#include <array>
#include <cstdint>

#include "util/siphash.h"

namespace tern::tcp {

struct FloodReport {
    bool active = false;
    uint64_t start_ms = 0;     // when the current (or last) flood began
    uint64_t end_ms = 0;       // when the last flood ended (0 while active)
    uint64_t peak_rate = 0;    // SYNs in the busiest second
    uint32_t distinct_pct = 0; // distinct sources / SYNs in that second, %
    uint64_t floods = 0;       // floods seen since start
};

class FloodDetector {
public:
    static constexpr uint32_t kQuietSeconds = 10;

    // The bitmap position is a cheap mixing hash of the address XOR a secret
    // salt: a few cycles per SYN (this runs on every SYN of a flood), and
    // sources cannot be chosen to collide without knowing the salt.
    FloodDetector(uint64_t syn_rate_threshold, const util::SipKey& key)
        : threshold_(syn_rate_threshold), salt_(uint32_t(util::siphash_u32(key, 0x666c6f6f))) {}

    void on_syn(uint32_t saddr) {
        ++syns_;
        // murmur3's 32-bit finaliser over the salted address.
        uint32_t h = saddr ^ salt_;
        h ^= h >> 16;
        h *= 0x85ebca6bu;
        h ^= h >> 13;
        h *= 0xc2b2ae35u;
        h ^= h >> 16;
        uint32_t bit = h >> (32 - kBitsLog2);
        bitmap_[bit / 64] |= uint64_t(1) << (bit % 64);
    }
    void on_cookie() { ++cookies_; }
    void on_established() { ++completed_; }

    // Judges every whole second up to now_ms. Returns true when the flood
    // state changed (the caller logs it).
    bool tick(uint64_t now_ms);

    const FloodReport& report() const { return r_; }

private:
    static constexpr uint32_t kBitsLog2 = 12;
    static constexpr uint32_t kBits = 1u << kBitsLog2;
    uint32_t distinct_estimate() const;
    void reset_window();

    uint64_t threshold_;
    uint32_t salt_;
    uint64_t window_start_ms_ = 0;
    bool started_ = false;
    uint64_t syns_ = 0, cookies_ = 0, completed_ = 0;
    uint32_t quiet_ = 0;
    std::array<uint64_t, kBits / 64> bitmap_{};
    FloodReport r_;
};

}  // namespace tern::tcp
