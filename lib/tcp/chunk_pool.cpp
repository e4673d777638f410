#include "tcp/chunk_pool.h"

namespace tern::tcp {

ChunkPool::ChunkPool(uint32_t count)
    : count_(count),
      available_(count),
      data_(new uint8_t[size_t(count) * kSize]),
      meta_(new Meta[count]) {
    for (uint32_t i = 0; i < count; ++i)
        meta_[i] = Meta{i + 1 < count ? i + 1 : kNone, 0, 0, false};
    free_head_ = count ? 0 : kNone;
}

uint32_t ChunkPool::alloc() {
    const uint32_t c = free_head_;
    if (c == kNone) return kNone;
    free_head_ = meta_[c].next;
    meta_[c] = Meta{kNone, 0, 0, false};
    --available_;
    return c;
}

void ChunkPool::free(uint32_t c) {
    meta_[c].next = kNone;
    if (deferred_tail_ == kNone) {
        deferred_head_ = c;
    } else {
        meta_[deferred_tail_].next = c;
    }
    deferred_tail_ = c;
    ++deferred_count_;
}

void ChunkPool::free_chain(uint32_t head) {
    while (head != kNone) {
        const uint32_t next = meta_[head].next;
        free(head);
        head = next;
    }
}

void ChunkPool::release_deferred_list() {
    meta_[deferred_tail_].next = free_head_;
    free_head_ = deferred_head_;
    deferred_head_ = deferred_tail_ = kNone;
    available_ += deferred_count_;
    deferred_count_ = 0;
}

}  // namespace tern::tcp
