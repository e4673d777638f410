// Where the Stack puts what must be sent. The engine owns one per burst,
// turns each OutSegment into a packet and clear()s it before the next Stack
// call (payload pointers are valid until then).
#pragma once

#include <cstddef>

#include "tcp/segment.h"

namespace tern::tcp {

class Outbox {
  public:
    static constexpr size_t kCapacity = 64;

    OutSegment* push() { return n_ < kCapacity ? &segs_[n_++] : nullptr; }
    void clear() { n_ = 0; }

    size_t size() const { return n_; }
    bool empty() const { return n_ == 0; }
    bool full() const { return n_ == kCapacity; }
    const OutSegment& operator[](size_t i) const { return segs_[i]; }
    const OutSegment* begin() const { return segs_; }
    const OutSegment* end() const { return segs_ + n_; }

  private:
    OutSegment segs_[kCapacity];
    size_t n_ = 0;
};

}  // namespace tern::tcp
