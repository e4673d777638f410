// The generator's own TIME_WAIT: a 4-tuple that a client closed (or gave
// up on) is not used again for 2 * MSL.
//
// Workload: every client walks its own fixed sequence of tuples (see
// client_table.h), one connection at a time, so a tuple comes back only
// after the client has gone once round the whole sequence -- millions of
// connections with the default ranges, hours at full rate. A record per
// closed tuple would need rate x 2MSL entries (36 M at 300 k/s and the
// default 60 s MSL). Because each client closes its tuples in sequence
// order, this table keeps instead, per client, the time it *left* each of
// kSegments equal slices of its sequence: every tuple of a slice closed no
// later than that. Before a tuple is reused, the time its slice was left
// in the previous round must be 2 * MSL old. That is 64 bytes per client,
// touched once per connection, and it is conservative by at most the
// duration of one slice. With a sequence shorter than kSegments each tuple
// gets a slice of its own and the check is exact.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>

namespace tern::gen {

class TimeWaitRow {
  public:
    static constexpr uint32_t kSegments = 16;

    // The slice of position `pos` in a sequence of `len` tuples.
    static uint32_t slice(uint64_t pos, uint64_t len, uint32_t slices) {
        return uint32_t(pos * slices / len);
    }
    static uint32_t slices_for(uint64_t len) { return uint32_t(std::min<uint64_t>(kSegments, len)); }

    // Times in ms since the run began, plus one: 0 means "never left".
    // May the tuple at `pos` be opened at now_ms?
    bool may_use(uint64_t pos, uint64_t len, uint32_t slices, uint32_t now_ms, uint32_t twice_msl_ms) const {
        const uint32_t left = left_[slice(pos, len, slices)];
        return left == 0 || now_ms + 1 - left >= twice_msl_ms;
    }
    // The tuple at `pos` is closed for good at now_ms; the client moves on
    // to pos + 1 (mod len). Leaving the last tuple of a slice stamps it.
    void closed(uint64_t pos, uint64_t len, uint32_t slices, uint32_t now_ms) {
        const uint32_t s = slice(pos, len, slices);
        if (pos + 1 == len || slice(pos + 1, len, slices) != s) left_[s] = now_ms + 1;
    }

  private:
    std::array<uint32_t, kSegments> left_{};
};
static_assert(sizeof(TimeWaitRow) == 64);

}  // namespace tern::gen
