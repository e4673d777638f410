// The out-of-order queue of a TCB (RFC 9293 3.10.7.4 seventh step: segments
// beyond RCV.NXT are held until the gap fills).
//
// Bounded twice: a few segments per connection (Tunables::ooo_max_segments)
// and the per-core chunk pool. Each held segment occupies one chunk, whose
// metadata records seq, length and FIN. Overlaps are allowed in the queue;
// delivery always trims against RCV.NXT, so every byte reaches the app once.
#pragma once

#include <cstdint>

#include "tcp/chunk_pool.h"
#include "tcp/options.h"
#include "tcp/tcb.h"
#include "util/seq.h"

namespace tern::tcp::ooo {

enum class Insert : uint8_t { Queued, Duplicate, Full };

// Holds a segment that starts after RCV.NXT (len <= kSize bytes are kept).
Insert insert(Tcb& t, ChunkPool& pool, util::SeqNum seq, const uint8_t* data, uint32_t len,
              bool fin, uint8_t max_segments);

// Unlinks and returns the head if it starts at or before rcv_nxt, else
// ChunkPool::kNone. The caller delivers its bytes from rcv_nxt on and frees
// the chunk (deferred, so the bytes stay readable during this Stack call).
uint32_t pop_ready(Tcb& t, ChunkPool& pool);

// Drops the whole queue.
void clear(Tcb& t, ChunkPool& pool);

// SACK blocks (RFC 2018 4) for the held data, merged, in sequence order;
// returns the count written (<= max).
int sack_blocks(const Tcb& t, ChunkPool& pool, SackBlock* out, int max);

}  // namespace tern::tcp::ooo
