// RFC 6528 initial sequence numbers: ISN = M + F(4-tuple, secret).
#include <set>

#include "harness.h"

using namespace tcptest;

// Both PRFs: AES where the CPU has it, SipHash where it does not.
bool use_aes() { return GENERATE(false, tern::util::Aes128::hardware()); }

TEST_CASE("ISN: the same tuple later gets a larger ISN (4 us clock)", "[tcp][isn]") {
    IsnGenerator g(kKey, use_aes());
    const SeqNum a = g.make(kTuple, 1'000'000);
    const SeqNum b = g.make(kTuple, 1'000'004);
    const SeqNum c = g.make(kTuple, 2'000'000);
    CHECK(b > a);
    CHECK(b - a == 1u);
    CHECK(c > b);
    CHECK(c - a == 250'000u);
    // ... and across the 2^32 wrap of M (after 4.77 hours), still "later".
    const SeqNum d = g.make(kTuple, (uint64_t(1) << 34) - 8);
    const SeqNum e = g.make(kTuple, (uint64_t(1) << 34) + 8);
    CHECK(e > d);
}

TEST_CASE("ISN: different tuples and different secrets give unrelated ISNs", "[tcp][isn]") {
    const bool aes = use_aes();
    IsnGenerator g(kKey, aes);
    std::set<uint32_t> seen;
    for (uint32_t i = 0; i < 10000; ++i) seen.insert(g.make(client_tuple(i), 1'000'000).raw());
    CHECK(seen.size() == 10000);
    // Neighbouring ports are not neighbouring ISNs.
    const uint32_t x = g.make(client_tuple(0), 0).raw();
    const uint32_t y = g.make(client_tuple(1), 0).raw();
    CHECK(x - y > 1000000u);
    CHECK(y - x > 1000000u);
    // A different secret, a different ISN; never the bare clock.
    IsnGenerator g2(tern::util::SipKey{1, 2}, aes);
    CHECK(g2.make(kTuple, 0) != g.make(kTuple, 0));
    CHECK(g.make(kTuple, 0) != SeqNum(0));
}

TEST_CASE("Flow hash: the timestamp offset is the half the table does not use", "[tcp][isn]") {
    const bool aes = use_aes();
    const FlowHasher hash(tern::util::SipKey{3, 4}, aes);
    std::set<uint32_t> offsets;
    for (uint32_t i = 0; i < 10000; ++i) {
        const FlowHash h = hash(client_tuple(i));
        offsets.insert(h.ts_offset());
        // Consecutive tuples land far apart in the table, too.
        if (i > 0) CHECK(h.slot() != hash(client_tuple(i - 1)).slot());
    }
    CHECK(offsets.size() == 10000);
    // Keyed: another key moves both halves.
    const FlowHash a = hash(kTuple), b = FlowHasher(tern::util::SipKey{3, 5}, aes)(kTuple);
    CHECK(a.slot() != b.slot());
    CHECK(a.ts_offset() != b.ts_offset());
}

TEST_CASE("Flow hash of four tuples at once: the same as one by one", "[tcp][isn]") {
    const FlowHasher hash(tern::util::SipKey{3, 4}, use_aes());
    const Tuple t[4] = {client_tuple(1), client_tuple(2), kTuple, client_tuple(60000)};
    const Tuple* p[4] = {&t[0], &t[1], &t[2], &t[3]};
    FlowHash h[4];
    hash.x4(p, h);
    for (int i = 0; i < 4; ++i) CHECK(h[i].v == hash(t[i]).v);
    CHECK(h[0].v != h[1].v);
}

TEST_CASE("Tuple PRF: SipHash of the tuple's 16 bytes, or AES-128 of them", "[tcp][isn]") {
    const tern::util::SipKey k{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
    const Tuple t = client_tuple(7);
    // The SipHash path is util::siphash13_4tuple's layout: remote then local.
    CHECK(FlowHasher(k, false)(t).v == tern::util::siphash13_4tuple(k, t.remote_addr, t.local_addr,
                                                                    t.remote_port, t.local_port));
    if (!tern::util::Aes128::hardware()) return;
    // The AES path is one block under the same 16 key bytes.
    tern::util::Aes128::Block b{};
    tern::util::store_le32(b.data(), t.remote_addr);
    tern::util::store_le32(b.data() + 4, t.local_addr);
    tern::util::store_le32(b.data() + 8, uint32_t(t.remote_port) | uint32_t(t.local_port) << 16);
    const auto c = tern::util::Aes128(tern::util::Aes128::key_of(k.k0, k.k1)).encrypt_soft(b);
    CHECK(FlowHasher(k, true)(t).v == tern::util::load_le64(c.data()));
}

TEST_CASE("ISN through the Stack: a reopened tuple starts further on", "[tcp][isn]") {
    H h;
    h.make_established();
    const uint32_t first = h.iss;
    h.send({.flags = RST, .seq = kCisn + 1});
    REQUIRE(h.state() == State::Closed);
    h.now_ms += 1000;
    h.send({.flags = SYN, .seq = 99, .opt = mss_opt()});
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].seq.raw() - first == 250'000u);  // 1 s of a 4 us clock
}
