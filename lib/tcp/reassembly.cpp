#include "tcp/reassembly.h"

#include <cstring>

namespace tern::tcp::ooo {

using util::SeqNum;

Insert insert(Tcb& t, ChunkPool& pool, SeqNum seq, const uint8_t* data, uint32_t len, bool fin,
              uint8_t max_segments) {
    if (len > ChunkPool::kSize) {
        len = ChunkPool::kSize;  // keep the front; the rest will be retransmitted
        fin = false;
    }
    // Find the insertion point, and skip data we already hold.
    uint32_t prev = kNoIndex;
    uint32_t cur = t.ooo_head;
    while (cur != kNoIndex) {
        const ChunkPool::Meta& m = pool.meta(cur);
        const SeqNum cseq(m.seq);
        if (cseq == seq && m.len >= len && (m.fin || !fin)) return Insert::Duplicate;
        if (seq < cseq) break;
        prev = cur;
        cur = m.next;
    }
    if (t.ooo_count >= max_segments) return Insert::Full;
    const uint32_t c = pool.alloc();
    if (c == ChunkPool::kNone) return Insert::Full;
    std::memcpy(pool.data(c), data, len);
    ChunkPool::Meta& m = pool.meta(c);
    m.seq = seq.raw();
    m.len = uint16_t(len);
    m.fin = fin;
    m.next = cur;
    if (prev == kNoIndex) {
        t.ooo_head = c;
    } else {
        pool.meta(prev).next = c;
    }
    ++t.ooo_count;
    return Insert::Queued;
}

uint32_t pop_ready(Tcb& t, ChunkPool& pool) {
    const uint32_t c = t.ooo_head;
    if (c == kNoIndex) return ChunkPool::kNone;
    ChunkPool::Meta& m = pool.meta(c);
    if (SeqNum(m.seq) > t.rcv_nxt) return ChunkPool::kNone;
    t.ooo_head = m.next;
    --t.ooo_count;
    return c;
}

void clear(Tcb& t, ChunkPool& pool) {
    pool.free_chain(t.ooo_head);
    t.ooo_head = kNoIndex;
    t.ooo_count = 0;
}

int sack_blocks(const Tcb& t, ChunkPool& pool, SackBlock* out, int max) {
    int n = 0;
    for (uint32_t c = t.ooo_head; c != kNoIndex; c = pool.meta(c).next) {
        const ChunkPool::Meta& m = pool.meta(c);
        const SeqNum left(m.seq);
        const SeqNum right = left + m.len + (m.fin ? 1 : 0);
        if (n > 0 && left <= out[n - 1].right) {
            out[n - 1].right = util::seq_max(out[n - 1].right, right);
            continue;
        }
        if (n == max) break;
        out[n++] = SackBlock{left, right};
    }
    return n;
}

}  // namespace tern::tcp::ooo
