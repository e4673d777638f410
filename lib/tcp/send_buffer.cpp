#include "tcp/send_buffer.h"

#include <algorithm>
#include <cstring>

namespace tern::tcp::sendbuf {

namespace {
constexpr uint32_t kSize = ChunkPool::kSize;
}

size_t append(Tcb& t, ChunkPool& pool, const uint8_t* data, size_t len, uint32_t limit) {
    if (t.sb_bytes >= limit) return 0;
    size_t left = std::min<size_t>(len, limit - t.sb_bytes);
    size_t taken = 0;
    while (left > 0) {
        if (t.sb_tail == kNoIndex || t.sb_tail_len == kSize) {
            const uint32_t c = pool.alloc();
            if (c == ChunkPool::kNone) break;
            if (t.sb_tail == kNoIndex) {
                t.sb_head = c;
                t.sb_head_off = 0;
            } else {
                pool.meta(t.sb_tail).next = c;
            }
            t.sb_tail = c;
            t.sb_tail_len = 0;
        }
        const size_t n = std::min<size_t>(left, kSize - t.sb_tail_len);
        std::memcpy(pool.data(t.sb_tail) + t.sb_tail_len, data + taken, n);
        t.sb_tail_len = uint16_t(t.sb_tail_len + n);
        t.sb_bytes += uint32_t(n);
        taken += n;
        left -= n;
    }
    return taken;
}

void clear(Tcb& t, ChunkPool& pool) {
    pool.free_chain(t.sb_head);
    t.sb_head = t.sb_tail = kNoIndex;
    t.sb_bytes = 0;
    t.sb_head_off = t.sb_tail_len = 0;
}

void consume(Tcb& t, ChunkPool& pool, uint32_t n) {
    if (n == 0) return;
    if (n >= t.sb_bytes) {
        clear(t, pool);  // an idle connection holds no chunk
        return;
    }
    t.sb_bytes -= n;
    uint32_t off = t.sb_head_off + n;
    // Bytes remain past this point, so every chunk passed is not the tail.
    while (off >= kSize) {
        const uint32_t next = pool.meta(t.sb_head).next;
        pool.free(t.sb_head);
        t.sb_head = next;
        off -= kSize;
    }
    t.sb_head_off = uint16_t(off);
}

View view(const Tcb& t, ChunkPool& pool, uint32_t offset, uint32_t len) {
    View v;
    if (len == 0) return v;
    uint32_t pos = t.sb_head_off + offset;
    uint32_t c = t.sb_head;
    while (pos >= kSize) {
        c = pool.meta(c).next;
        pos -= kSize;
    }
    v.p1 = pool.data(c) + pos;
    v.n1 = std::min(len, kSize - pos);
    if (v.n1 < len) {
        v.p2 = pool.data(pool.meta(c).next);
        v.n2 = len - v.n1;
    }
    return v;
}

}  // namespace tern::tcp::sendbuf
