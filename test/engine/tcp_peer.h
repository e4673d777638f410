// The TCP engine tests' two pieces: a Rig (a ring port, its configuration
// and its Workers, driven on a virtual clock the test advances) and a Peer
// (one client connection as the test plays it).
//
// Sequence numbers in the tests are relative, as Wireshark shows them: the
// client's count from its ISN (its SYN is 0, its first byte 1), the
// worker's from the ISN the worker chose, read from its SYN-ACK. A Peer
// also keeps the worker's TS clock: the TSval of the SYN-ACK and when it
// was sent, so the TSval of anything sent later is known to the
// millisecond (RFC 7323: one tick per ms, a per-connection offset).
#pragma once

#include <catch2/catch.hpp>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "engine/worker.h"
#include "frames.h"
#include "ring_port.h"
#include "tcp/stack.h"

namespace tern::test {

inline std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

class Rig {
  public:
    // `settings`: config::apply_set assignments on top of RingPort's. One
    // worker per queue, worker i polling queue i, as the engine sets them up.
    Rig(const std::string& name, std::initializer_list<const char*> settings, uint16_t queues = 1)
        : rp(name, 1024, queues) {
        for (const char* s : settings) config::apply_set(rp.cfg, s);
        for (uint16_t q = 0; q < queues; ++q)
            workers_.push_back(
                std::make_unique<engine::Worker>(q, rp.cfg, std::vector{rp.queue(q)}));
    }
    ~Rig() { workers_.clear(); }  // before rp, whose port and config they use

    engine::Worker& w(size_t i = 0) { return *workers_.at(i); }
    tcp::Stack& stack(size_t i = 0) { return w(i).stack(); }
    const tcp::Counters& tcp(size_t i = 0) { return stack(i).counters(); }
    // The worker RSS gives this connection to.
    size_t owner(const tcp::Tuple& t) const {
        return rp.rss_queue(RingPort::rss_hash(t.remote_addr, t.local_addr, t.remote_port,
                                               t.local_port));
    }
    uint64_t now_ms() const { return now_us / 1000; }

    // Advances the clock by dt_us, queues `frames` for RX (each on the queue
    // RSS picks), polls every worker once and returns everything they sent,
    // parsed, queue by queue; tx_queue[i] is the queue frame i left on.
    std::vector<SentSegment> exchange(const std::vector<std::vector<uint8_t>>& frames,
                                      uint64_t dt_us = 1000) {
        now_us += dt_us;
        for (const auto& f : frames) rp.inject_rss(f);
        for (auto& w : workers_) w->poll_once(now_us);
        std::vector<SentSegment> out;
        tx_queue.clear();
        for (uint16_t q = 0; q < workers_.size(); ++q) {
            for (const auto& f : rp.sent(q)) {
                out.push_back(sent_segment(f));
                tx_queue.push_back(q);
            }
        }
        return out;
    }
    std::vector<SentSegment> advance(uint64_t dt_us) { return exchange({}, dt_us); }

    RingPort rp;
    uint64_t now_us = 1'000'000;
    std::vector<uint16_t> tx_queue;

  private:
    std::vector<std::unique_ptr<engine::Worker>> workers_;
};

// What Linux puts in a SYN (MSS, SACK-permitted, TS, window scale 7).
inline TcpOpts linux_syn_options() {
    TcpOpts o;
    o.mss = 1460;
    o.sack_permitted = true;
    o.ts = TcpOpts::Ts{};
    o.wscale = 7;
    return o;
}

// One client connection (see the top of this file).
struct Peer {
    Peer(Rig& r, uint16_t sport_, uint16_t dport_) : rig(r), sport(sport_), dport(dport_) {}

    Rig& rig;
    net::MacAddr mac = net::MacAddr::from(kPeerMac);
    uint32_t addr = kPeerIp;
    uint16_t sport, dport;
    uint32_t isn = 0x10000000;  // the client's
    uint32_t iss = 0;           // the worker's, from its SYN-ACK
    uint16_t window = 502;      // advertised after the SYN (64,256 bytes at wscale 7)
    TcpOpts syn_opts = linux_syn_options();
    bool ts = true;             // segments after the SYN carry TS (set by syn())
    uint32_t ts_sent = 0;       // the TSval of the last segment built
    uint32_t ts_recent = 0;     // the worker's last TSval, which the client echoes
    uint32_t ts_base = 0;       // the worker's TSval at ts_base_ms
    uint64_t ts_base_ms = 0;

    tcp::Tuple tuple() const { return tcp::Tuple{kOurIp, addr, dport, sport}; }
    // The client's TS clock: virtual ms plus an offset of its own.
    uint32_t tsval() const { return uint32_t(rig.now_ms()) + 0x50000; }
    // The worker's TS clock for this connection, now.
    uint32_t their_tsval() const { return ts_base + uint32_t(rig.now_ms() - ts_base_ms); }

    PeerSegment base(uint8_t flags, uint32_t seq, uint32_t ack) const {
        PeerSegment s;
        s.src_mac = mac;
        s.saddr = addr;
        s.sport = sport;
        s.dport = dport;
        s.flags = flags;
        s.seq = isn + seq;
        s.ack = iss + ack;
        s.window = window;
        return s;
    }
    std::vector<uint8_t> frame(const PeerSegment& s) {
        if (s.opt.ts) ts_sent = s.opt.ts->val;
        return tcp_frame(rig.rp.port.mac, s);
    }
    // The SYN, with syn_opts; the connection uses timestamps from then on
    // if it offers them (the worker's tcp.timestamps is on).
    std::vector<uint8_t> syn() {
        PeerSegment s = base(kSyn, 0, 0);
        s.ack = 0;
        s.window = 64240;
        s.opt = syn_opts;
        if (s.opt.ts) s.opt.ts = TcpOpts::Ts{tsval(), 0};
        ts = s.opt.ts.has_value();
        return frame(s);
    }
    // A segment at relative numbers, with TS when negotiated.
    std::vector<uint8_t> segment(uint8_t flags, uint32_t seq, uint32_t ack,
                                 std::string_view payload = {}) {
        PeerSegment s = base(flags, seq, ack);
        if (ts) s.opt.ts = TcpOpts::Ts{tsval(), ts_recent};
        s.payload = bytes(payload);
        return frame(s);
    }

    // rig.exchange, and the client hears what came back to it: it echoes
    // the last TSval (RFC 7323 4.3).
    std::vector<SentSegment> exchange(const std::vector<std::vector<uint8_t>>& frames,
                                      uint64_t dt_us = 1000) {
        auto out = rig.exchange(frames, dt_us);
        for (const SentSegment& s : out)
            if (s.daddr == addr && s.dport == sport && s.opt.ts) ts_recent = s.opt.ts->val;
        return out;
    }
    std::vector<SentSegment> advance(uint64_t dt_us) { return exchange({}, dt_us); }

    // The worker's SYN-ACK tells its ISN and TS clock.
    void learn_synack(const SentSegment& s) {
        iss = s.seq;
        if (s.opt.ts) {
            ts_recent = ts_base = s.opt.ts->val;
            ts_base_ms = rig.now_ms();
        }
    }

    // What the worker must send now: to this client, from the port's MAC,
    // at relative numbers, with TS (its clock, echoing the client's last
    // TSval) when negotiated.
    SentSegment expect(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t window,
                       std::string_view payload = {}) const {
        SentSegment e;
        e.eth_dst = mac;
        e.eth_src = rig.rp.port.mac;
        e.saddr = kOurIp;
        e.daddr = addr;
        e.sport = dport;
        e.dport = sport;
        e.seq = iss + seq;
        e.ack = flags & kAck ? isn + ack : 0;
        e.flags = flags;
        e.window = window;
        if (ts) e.opt.ts = TcpOpts::Ts{their_tsval(), ts_sent};
        e.payload = bytes(payload);
        e.well_formed = true;
        return e;
    }

    // The worker's SYN-ACK to syn_opts: a window of 65,535 (never scaled),
    // MSS `mss` (tcp.mss), SACK-permitted and window scale `wscale` (the
    // shift tcp.rcv_wnd needs) only if the SYN offered them, TS if it did.
    SentSegment expect_synack(uint8_t wscale = 0, uint16_t mss = 1460) const {
        SentSegment e = expect(kSyn | kAck, 0, 1, 65535);
        e.opt.mss = mss;
        e.opt.sack_permitted = syn_opts.sack_permitted;
        if (syn_opts.wscale) e.opt.wscale = wscale;
        return e;
    }

    // The SYN and the exact SYN-ACK (expect_synack(wscale)), whose ISN and
    // TSval are learnt.
    void open(uint8_t wscale = 0) {
        const auto out = exchange({syn()});
        REQUIRE(out.size() == 1);
        learn_synack(out[0]);
        CHECK(out[0] == expect_synack(wscale));
    }
    // open() with the default tunables, and the ACK: ESTABLISHED on the
    // worker that owns the tuple.
    void connect() {
        open();
        tcp::Stack& owner = rig.stack(rig.owner(tuple()));
        REQUIRE(owner.state_of(tuple()) == tcp::State::SynRcvd);
        CHECK(exchange({segment(kAck, 1, 1)}).empty());
        REQUIRE(owner.state_of(tuple()) == tcp::State::Established);
    }

    // Sends `data` (PSH) at relative `seq` and `ack`; exactly one segment
    // must come back: the echo app's, the same bytes at `ack`, acknowledging
    // them, with `window`.
    void echo(uint32_t seq, uint32_t ack, std::string_view data, uint16_t window) {
        const auto out = exchange({segment(kAck | kPsh, seq, ack, data)});
        REQUIRE(out.size() == 1);
        CHECK(out[0] == expect(kAck | kPsh, ack, seq + uint32_t(data.size()), window, data));
    }
};

}  // namespace tern::test
