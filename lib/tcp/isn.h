// Per-tuple secrets of a Stack.
//
// Both are a keyed PRF of the tuple (TuplePrf): one AES-128 block where the
// CPU has AES instructions (~20 instructions, against ~85 for SipHash-1-3
// and ~140 for SipHash-2-4 on the tuple's 16 bytes), else SipHash. Only this
// Stack reads these values, so the two paths need not agree (cookies,
// which other nodes check, are util/syncookie.h).
//
// Initial sequence numbers, RFC 6528:  ISN = M + F(localip, localport,
// remoteip, remoteport, secretkey), M a 4 µs clock, F the PRF (SipHash-2-4
// without AES) with a 128-bit secret drawn from a real random source at
// start-up.
//
// The flow hash: every received segment hashes its tuple once (the PRF
// under a second key; SipHash-1-3 without AES, the variant hash tables use
// against flooding). Its low half places the tuple in the flow table; its
// high half is the connection's timestamp offset (RFC 7323 7.1: TSvals
// should not expose a global clock). The halves are independent outputs of
// a keyed PRF, so a peer that reads its offset in our TSvals learns nothing
// about where its tuples land in the table; and a cookie SYN-ACK, which
// needs only the offset, costs no second hash.
#pragma once

#include <cstdint>

#include "tcp/tuple.h"
#include "util/aes128.h"
#include "util/seq.h"
#include "util/siphash.h"

namespace tern::tcp {

// Keyed 64-bit PRF of a 4-tuple: AES-128 with AES instructions, else
// SipHash-C-D of the same 16 bytes (util::siphash_4tuple's layout).
template <int C, int D>
class TuplePrf {
  public:
    // use_aes: tests take the SipHash path on CPUs with AES, too.
    explicit TuplePrf(const util::SipKey& key, bool use_aes = util::Aes128::hardware())
        : sip_(key), aes_(util::Aes128::key_of(key.k0, key.k1)), hw_(use_aes) {}

    uint64_t operator()(const Tuple& t) const {
        const uint64_t a = addrs(t), p = ports(t);
        return hw_ ? aes_.prf64_hw(a, p) : util::siphash_u64x2<C, D>(sip_, a, p);
    }

    // The same for four tuples, their AES rounds interleaved.
    void x4(const Tuple* const t[4], uint64_t out[4]) const {
        if (!hw_) {
            for (int i = 0; i < 4; ++i) out[i] = (*this)(*t[i]);
            return;
        }
        uint64_t a[4], p[4];
        for (int i = 0; i < 4; ++i) {
            a[i] = addrs(*t[i]);
            p[i] = ports(*t[i]);
        }
        aes_.prf64_x4_hw(a, p, out);
    }

  private:
    static uint64_t addrs(const Tuple& t) {
        return uint64_t(t.remote_addr) | uint64_t(t.local_addr) << 32;
    }
    static uint64_t ports(const Tuple& t) {
        return uint64_t(t.remote_port) | uint64_t(t.local_port) << 16;
    }

    util::SipKey sip_;
    util::Aes128 aes_;
    bool hw_;
};

// A second, independent key derived from a Stack's secret (the flow table,
// cookies, the limiter and the flood detector each get their own), so that
// one random draw seeds the whole Stack.
inline util::SipKey derive_key(const util::SipKey& k, uint64_t label) {
    return util::SipKey{util::siphash_u64x2(k, label, 0), util::siphash_u64x2(k, label, 1)};
}

struct FlowHash {
    uint64_t v;
    uint32_t slot() const { return uint32_t(v); }
    uint32_t ts_offset() const { return uint32_t(v >> 32); }
};

class FlowHasher {
  public:
    explicit FlowHasher(const util::SipKey& key, bool use_aes = util::Aes128::hardware())
        : prf_(key, use_aes) {}
    FlowHash operator()(const Tuple& t) const { return FlowHash{prf_(t)}; }
    void x4(const Tuple* const t[4], FlowHash out[4]) const {
        uint64_t v[4];
        prf_.x4(t, v);
        for (int i = 0; i < 4; ++i) out[i] = FlowHash{v[i]};
    }

  private:
    TuplePrf<1, 3> prf_;
};

class IsnGenerator {
  public:
    explicit IsnGenerator(const util::SipKey& secret, bool use_aes = util::Aes128::hardware())
        : prf_(secret, use_aes) {}

    util::SeqNum make(const Tuple& t, uint64_t now_us) const {
        const uint32_t m = uint32_t(now_us >> 2);  // RFC 6528 3: M ticks every 4 µs
        return util::SeqNum(m + uint32_t(prf_(t)));
    }

  private:
    TuplePrf<2, 4> prf_;
};

}  // namespace tern::tcp
