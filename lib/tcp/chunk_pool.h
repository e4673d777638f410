// Fixed-size payload chunks, one pool per core, allocated once.
//
// Workload: send buffers and out-of-order segments. Most connections are
// idle or short (a request, a response), so a TCB holds no payload memory
// of its own; it borrows 2 KiB chunks (one full-sized Ethernet segment each)
// while it has bytes unacknowledged or held for reassembly.
//
// Deferred free: segments in an Outbox point into chunks until the caller
// has transmitted them, i.e. until the next Stack call. free() therefore
// parks chunks on a pending list that release_deferred() (run at the start
// of every Stack entry point) returns to the free list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace tern::tcp {

class ChunkPool {
  public:
    static constexpr uint32_t kSize = 2048;
    static constexpr uint32_t kNone = UINT32_MAX;

    // Per-chunk metadata. `next` links chains (send buffer, reassembly queue)
    // and the free lists; seq/len/fin describe a held out-of-order segment.
    struct Meta {
        uint32_t next;
        uint32_t seq;
        uint16_t len;
        bool fin;
    };

    explicit ChunkPool(uint32_t count);

    uint32_t alloc();  // kNone when empty
    void free(uint32_t c);
    void free_chain(uint32_t head);  // follows `next` until kNone
    // Inline: it runs at every Stack call, and there is almost never
    // anything to release.
    void release_deferred() {
        if (deferred_head_ != kNone) release_deferred_list();
    }

    uint8_t* data(uint32_t c) { return data_.get() + size_t(c) * kSize; }
    Meta& meta(uint32_t c) { return meta_[c]; }
    const Meta& meta(uint32_t c) const { return meta_[c]; }

    uint32_t capacity() const { return count_; }
    uint32_t available() const { return available_; }
    // Chunks owned by connections or waiting in the deferred list.
    uint32_t in_use() const { return count_ - available_; }
    uint32_t deferred() const { return deferred_count_; }

  private:
    void release_deferred_list();

    uint32_t count_;
    uint32_t available_;
    std::unique_ptr<uint8_t[]> data_;
    std::unique_ptr<Meta[]> meta_;
    uint32_t free_head_ = kNone;
    uint32_t deferred_head_ = kNone;
    uint32_t deferred_tail_ = kNone;
    uint32_t deferred_count_ = 0;
};

}  // namespace tern::tcp
