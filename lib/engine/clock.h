// The worker's clock: TSC read once per poll, converted to microseconds
// since start-up. The protocol core never reads a clock; it is handed this.
#pragma once

#include <cstdint>

namespace tern::engine {

class TscClock {
public:
    TscClock(uint64_t tsc_hz, uint64_t tsc_start) : hz_(tsc_hz), start_(tsc_start) {}
    uint64_t us(uint64_t tsc) const {
        return uint64_t((unsigned __int128)(tsc - start_) * 1000000u / hz_);
    }

private:
    uint64_t hz_;
    uint64_t start_;
};

}  // namespace tern::engine
