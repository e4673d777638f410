// A SYN flood through a Worker: 512 SYNs from spoofed sources in
// 198.19.0.0/16 in four polls, a listener whose half-open queue holds 16
// (tcp.max_syn_backlog) and tcp.syncookies=1: 16 half-open entries, then
// cookies. Every SYN-ACK is checked; the half-open entries time out and
// nothing is left behind.
#include <catch2/catch.hpp>

#include "tcp_peer.h"
#include "util/syncookie.h"

using namespace tern;
using namespace tern::test;
using tcp::State;

namespace {

constexpr unsigned kSyns = 512, kBacklog = 16;

// Client i is 198.19.(i / 256).(i % 256):(1024 + i), behind the router
// 198.18.0.1's MAC, with one of four option sets, so that both cookie
// encodings (with and without timestamps) and every option bit are used.
Peer flood_peer(Rig& r, unsigned i) {
    Peer p(r, uint16_t(1024 + i), 80);
    p.addr = 0xC6130000 + i;
    p.isn = 0x9e3779b9u * (i + 1);
    switch (i % 4) {
        case 0:  // Linux's SYN
            break;
        case 1:  // no options at all: MSS 536, nothing else
            p.syn_opts = {};
            break;
        case 2:  // SACK and an IPv6-tunnel MSS, no TS, no window scale
            p.syn_opts = {};
            p.syn_opts.mss = 1220;
            p.syn_opts.sack_permitted = true;
            break;
        case 3:  // jumbo MSS, TS and the largest window scale, no SACK
            p.syn_opts.mss = 8960;
            p.syn_opts.sack_permitted = false;
            p.syn_opts.wscale = 14;
            break;
    }
    return p;
}

// The option bits a cookie SYN-ACK carries (util/syncookie.h): with TS, the
// MSS index in the ISN's low 3 bits and wscale | SACK << 4 in the TSval's
// low 6; without, MSS | wscale << 3 | SACK << 7 in the ISN's low 8. A
// window scale code of 15 means none.
void check_cookie_bits(const TcpOpts& syn, const SentSegment& got) {
    namespace sc = util::syncookie;
    const uint32_t mss = sc::mss_index(syn.mss.value_or(536));
    const uint32_t ws = syn.wscale ? *syn.wscale : 15;
    if (syn.ts) {
        CHECK((got.seq & 7) == mss);
        REQUIRE(got.opt.ts);
        CHECK((got.opt.ts->val & 0x3f) == (ws | (syn.sack_permitted ? 0x10u : 0)));
    } else {
        CHECK((got.seq & 0xff) == (mss | ws << 3 | (syn.sack_permitted ? 0x80u : 0)));
    }
}

}  // namespace

TEST_CASE("a SYN flood from spoofed sources: cookies once the backlog is full, every SYN-ACK "
          "exact, no TCB leaked",
          "[engine][tcp][flood]") {
    Rig r("tcp_flood", {"listen.port=80", "listen.app=http", "tcp.max_syn_backlog=16",
                        "tcp.syncookies=1", "tcp.synack_retries=1", "engine.burst=128"});
    std::vector<Peer> peers;
    peers.reserve(kSyns);
    for (unsigned i = 0; i < kSyns; ++i) peers.push_back(flood_peer(r, i));
    const uint64_t t0 = r.now_us;

    // All queued at once; the worker takes them in four bursts of 128 and
    // answers in order. Each client learns the ISN and TSval of its SYN-ACK
    // as it comes (the worker's own); every other field is known.
    for (Peer& p : peers) r.rp.inject(p.syn());
    std::vector<SentSegment> out;
    for (int poll = 0; poll < 4; ++poll) {
        const auto got = r.advance(1000);
        REQUIRE(got.size() == 128);
        for (const SentSegment& s : got) {
            Peer& p = peers[out.size()];
            INFO("SYN " << out.size());
            p.learn_synack(s);
            CHECK(s == p.expect_synack());
            out.push_back(s);
        }
    }
    CHECK(r.advance(1000).empty());
    REQUIRE(out.size() == kSyns);

    // The first 16 got a half-open entry each, the other 496 a cookie and
    // no state.
    for (unsigned i = 0; i < kSyns; ++i) {
        INFO("SYN " << i);
        const Peer& p = peers[i];
        if (i < kBacklog) {
            CHECK(r.stack().state_of(p.tuple()) == State::SynRcvd);
        } else {
            CHECK(r.stack().state_of(p.tuple()) == State::Closed);
            check_cookie_bits(p.syn_opts, out[i]);
        }
    }
    const auto& t = r.tcp();
    const auto& c = r.w().counters();
    CHECK(t.segments_in.get() == kSyns);
    CHECK(t.segments_out.get() == kSyns);
    CHECK(t.passive_opens.get() == kBacklog);
    CHECK(t.syncookies_sent.get() == kSyns - kBacklog);
    CHECK(t.syn_backlog_drops.get() == 0);
    CHECK(t.pool_exhausted.get() == 0);
    CHECK(t.rst_sent.get() == 0);
    CHECK(r.stack().half_open(80) == kBacklog);
    CHECK(r.stack().live_tcbs() == kBacklog);
    CHECK(r.stack().flows() == kBacklog);
    CHECK(c.rx_packets.get() == kSyns);
    CHECK(c.tcp_segments.get() == kSyns);
    CHECK(c.rx_bursts.get() == 4);
    CHECK(c.tx_packets.get() == kSyns);
    CHECK(c.tx_no_mbuf.get() == 0);
    CHECK(c.half_open_conns.get() == kBacklog);
    CHECK(c.live_conns.get() == kBacklog);
    CHECK(r.rp.mbufs_in_use() == 0);  // each SYN-ACK was built in its SYN's mbuf

    // One cookie completes (client 100: Linux's options); a forged one
    // (client 104, its ACK number 256 off: the cookie's MAC bits) is refused
    // with a RST at that number.
    {
        Peer& p = peers[100];
        Peer& forger = peers[104];
        forger.iss += 256;
        const auto got = r.exchange({p.segment(kAck, 1, 1), forger.segment(kAck, 1, 1)});
        REQUIRE(got.size() == 1);
        SentSegment e = forger.expect(kRst, 1, 0, 0);
        e.opt = {};
        CHECK(got[0] == e);
        CHECK(r.stack().state_of(p.tuple()) == State::Established);
        CHECK(r.stack().state_of(forger.tuple()) == State::Closed);
        CHECK(t.syncookies_ok.get() == 1);
        CHECK(t.syncookies_failed.get() == 1);
        CHECK(t.established.get() == 1);
        // The client goes away: an exact RST ends it.
        p.ts = false;
        CHECK(r.exchange({p.segment(kRst, 1, 0)}).empty());
        CHECK(r.stack().state_of(p.tuple()) == State::Closed);
        CHECK(r.stack().live_tcbs() == kBacklog);
    }

    // The 16 half-open entries: their SYN-ACKs go again 1 s after the
    // first (to the next hop their SYNs came from), then the entries go at
    // 3 s (tcp.synack_retries = 1), silently.
    out = r.advance(t0 + 1'001'000 - r.now_us);
    REQUIRE(out.size() == kBacklog);
    for (unsigned i = 0; i < kBacklog; ++i) {
        INFO("SYN-ACK retransmission " << i);
        CHECK(out[i] == peers[i].expect_synack());
    }
    CHECK(t.synack_retransmits.get() == kBacklog);
    // Judged at the end of the first second: a flood (cookies were needed).
    CHECK(t.syn_floods.get() == 1);
    CHECK(t.syn_flood_active.get() == 1);
    CHECK(t.syn_flood_peak_rate.get() == kSyns);

    CHECK(r.advance(t0 + 3'000'000 - r.now_us).empty());
    CHECK(r.stack().live_tcbs() == kBacklog);
    CHECK(r.advance(1000).empty());
    CHECK(t.synack_timeouts.get() == kBacklog);
    CHECK(r.stack().live_tcbs() == 0);
    CHECK(r.stack().half_open(80) == 0);
    CHECK(r.stack().flows() == 0);
    CHECK(r.stack().time_wait_records() == 0);
    CHECK(r.stack().armed_timers() == 0);
    CHECK(c.half_open_conns.get() == 0);
    CHECK(c.live_conns.get() == 0);
    CHECK(r.stack().check_invariants() == "");
    CHECK(r.rp.mbufs_in_use() == 0);
}
