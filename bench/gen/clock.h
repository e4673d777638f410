// The generator's time, read once per loop iteration: the TSC for
// latencies and timeouts, milliseconds since the run began for TCP
// timestamps and TIME_WAIT (a multiply and a shift, no division).
#pragma once

#include <cstdint>

namespace tern::gen {

struct Now {
    uint64_t tsc = 0;
    uint32_t ms = 0;
};

class RunClock {
  public:
    RunClock(uint64_t t0, uint64_t hz) : t0_(t0), hz_(hz), ms_mul_((uint64_t(1000) << 32) / hz) {}
    Now at(uint64_t tsc) const { return Now{tsc, uint32_t(((tsc - t0_) * ms_mul_) >> 32)}; }
    uint64_t hz() const { return hz_; }
    uint64_t ticks(double seconds) const { return uint64_t(seconds * double(hz_)); }
    double us(uint64_t ticks) const { return double(ticks) * 1e6 / double(hz_); }

  private:
    uint64_t t0_, hz_, ms_mul_;
};

}  // namespace tern::gen
