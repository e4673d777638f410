// The send buffer of a TCB: [SND.UNA, SND.UNA + sb_bytes) kept in a chain of
// pooled chunks, so bytes are copied once (from the app) and segments point
// straight into the chunks. Functions, not a class: the state lives in the
// TCB (five words) and the memory in the per-core ChunkPool.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tcp/chunk_pool.h"
#include "tcp/tcb.h"

namespace tern::tcp::sendbuf {

// Appends up to len bytes without exceeding `limit` buffered bytes; returns
// the bytes taken (fewer if the pool runs dry).
size_t append(Tcb& t, ChunkPool& pool, const uint8_t* data, size_t len, uint32_t limit);

// Releases the first n bytes (acknowledged by the peer).
void consume(Tcb& t, ChunkPool& pool, uint32_t n);

// Releases everything (abort, close).
void clear(Tcb& t, ChunkPool& pool);

// At most two contiguous pieces: a segment of up to ChunkPool::kSize bytes
// spans at most two chunks.
struct View {
    const uint8_t* p1 = nullptr;
    uint32_t n1 = 0;
    const uint8_t* p2 = nullptr;
    uint32_t n2 = 0;
};

// Bytes [offset, offset + len) from SND.UNA; requires len <= kSize and
// offset + len <= sb_bytes.
View view(const Tcb& t, ChunkPool& pool, uint32_t offset, uint32_t len);

}  // namespace tern::tcp::sendbuf
