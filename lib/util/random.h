// Secrets from the kernel's CSPRNG (getrandom(2)): SipHash keys for the flow
// table, ISN generation, SYN cookies and the source limiter. Called at
// start-up and on secret rotation, never per packet.
//
// There is no fallback: a predictable key would let an attacker forge SYN
// cookies and collide hash buckets, so if the kernel cannot provide
// randomness these functions throw std::system_error and tern does not start.
#pragma once

#include <cstddef>

#include "util/siphash.h"

namespace tern::util {

// Fills buf with len cryptographically random bytes. Blocks only until the
// kernel pool is first initialised (early boot). Throws std::system_error.
void random_bytes(void* buf, size_t len);

// A fresh 128-bit SipHash key. Throws std::system_error.
SipKey random_key();

}  // namespace tern::util
