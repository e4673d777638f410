// RFC 5961 7: a budget of challenge ACKs per core per second, so that they
// can be used neither to amplify nor to probe (0 disables the limit).
// (Issue 16 makes it per connection with a randomised global budget.)
#pragma once

#include <cstdint>

namespace tern::tcp {

class ChallengeBudget {
  public:
    // True if one more challenge ACK may go out in the second of `now_ms`.
    bool take(uint64_t now_ms, uint32_t limit) {
        if (limit == 0) return true;
        const uint64_t second = now_ms / 1000;
        if (second != second_) {
            second_ = second;
            count_ = 0;
        }
        if (count_ >= limit) return false;
        ++count_;
        return true;
    }

  private:
    uint64_t second_ = 0;
    uint32_t count_ = 0;
};

}  // namespace tern::tcp
