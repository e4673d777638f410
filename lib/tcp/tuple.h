// The 4-tuple that names a connection, from tern's point of view: "local" is
// the address the segment was sent to (our VIP), "remote" the peer. Host
// byte order; the engine converts once when it parses IPv4.
#pragma once

#include <cstdint>

namespace tern::tcp {

struct Tuple {
    uint32_t local_addr = 0;
    uint32_t remote_addr = 0;
    uint16_t local_port = 0;
    uint16_t remote_port = 0;

    friend bool operator==(const Tuple&, const Tuple&) = default;
};
static_assert(sizeof(Tuple) == 12);

}  // namespace tern::tcp
