// classify() test fixtures: a captured frame, the address it arrives at, and
// the verdict as one string ("arp", "icmp", "tcp" or "drop:<reason>") so a
// failing CHECK shows both kind and reason.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "net/frame.h"
#include "packets.h"

namespace tern::test {

using net::Classified;
using net::ClassifyOptions;
using net::Frame;
using net::FrameKind;
using net::LocalAddr;

inline std::string verdict(Classified c) {
    switch (c.kind) {
        case FrameKind::arp:
            return "arp";
        case FrameKind::icmp:
            return "icmp";
        case FrameKind::tcp:
            return "tcp";
        case FrameKind::drop:
            break;
    }
    return std::string("drop:") + net::drop_reason_name(c.reason);
}

// One received frame, the address it arrived at, and what classify() made of it.
struct Rx {
    Bytes frame;
    LocalAddr local;
    Frame f{};

    std::string run(ClassifyOptions opt = {}) {
        f = Frame{};
        return verdict(net::classify(frame.data(), uint32_t(frame.size()), local, f, opt));
    }
    uint8_t* ip() { return frame.data() + kL3; }
    uint8_t* l4() { return frame.data() + kL4; }
};

struct ArpRequestRx : Rx {
    ArpRequestRx() : Rx{from_hex(kArpRequestArping), local_b()} {}
};
struct IcmpRequestRx : Rx {
    IcmpRequestRx() : Rx{from_hex(kIcmpEchoRequest), local_b()} {}
};
struct TcpSynRx : Rx {
    TcpSynRx() : Rx{from_hex(kTcpSyn), local_b()} {}
};

// Every strict prefix of a frame shorter than `whole` is a truncated drop; a
// prefix that still holds `whole` bytes (only Ethernet padding cut) is `full`.
// Each prefix is copied to a buffer of exactly its size so an over-read would
// read past the end of an allocation (visible under ASan).
inline void check_prefixes(const Bytes& frame, const LocalAddr& local, size_t whole,
                           const std::string& full) {
    for (size_t n = 0; n < frame.size(); ++n) {
        Bytes cut(frame.begin(), frame.begin() + ptrdiff_t(n));
        Frame f;
        INFO("prefix of " << n << " of " << frame.size() << " bytes");
        std::string v = verdict(net::classify(cut.data(), uint32_t(n), local, f));
        CHECK(v == (n < whole ? "drop:truncated" : full));
    }
}

}  // namespace tern::test
