// Test harness for the TCP Stack: a virtual clock, a recording app, template
// client segments (designated initializers), exact expectations on what the
// Stack sends, and per-state fixtures (make_established(), ...).
//
// Tuple convention: the Stack is the server 198.18.0.1:80; the test plays
// the client 198.18.0.2:40000 whose ISN is kCisn.
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "tcp/stack.h"

namespace tcptest {

using namespace tern::tcp;
using tern::util::SeqNum;

inline constexpr uint8_t FIN = flag::kFin;
inline constexpr uint8_t SYN = flag::kSyn;
inline constexpr uint8_t RST = flag::kRst;
inline constexpr uint8_t PSH = flag::kPsh;
inline constexpr uint8_t ACK = flag::kAck;

inline constexpr uint32_t kCisn = 1000;  // the client's ISN
inline constexpr Tuple kTuple{0xC6120001, 0xC6120002, 80, 40000};

inline Tuple client_tuple(uint32_t i) {
    return Tuple{0xC6120001, 0xC6130000 + (i >> 14), 80, uint16_t(1024 + (i & 0x3FFF))};
}

// A client segment.
struct Seg {
    uint8_t flags = 0;
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint16_t window = 65535;
    TcpOptions opt = {};
    std::string data = {};
};

// The parsed form the Stack takes (the payload points into s.data).
inline Segment to_segment(const Seg& s) {
    Segment g;
    g.seq = SeqNum(s.seq);
    g.ack = SeqNum(s.ack);
    g.flags = s.flags;
    g.window = s.window;
    g.opt = s.opt;
    g.payload = reinterpret_cast<const uint8_t*>(s.data.data());
    g.payload_len = uint32_t(s.data.size());
    return g;
}

// What the Stack must send; compared field by field, exactly.
struct Exp {
    uint8_t flags = 0;
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint16_t window = 0;
    TcpOptions opt = {};
    std::string data = {};
};

inline std::string flags_str(uint8_t f) {
    std::string s;
    if (f & SYN) s += "S";
    if (f & FIN) s += "F";
    if (f & RST) s += "R";
    if (f & PSH) s += "P";
    if (f & ACK) s += ".";
    return s.empty() ? "none" : s;
}

inline std::string payload_of(const OutSegment& o) {
    std::string s(reinterpret_cast<const char*>(o.payload), o.payload_len);
    if (o.payload2_len) s.append(reinterpret_cast<const char*>(o.payload2), o.payload2_len);
    return s;
}

inline void expect(const OutSegment& o, const Exp& e, const Tuple& tu = kTuple) {
    INFO("flags " << flags_str(o.flags) << " seq " << o.seq.raw() << " ack " << o.ack.raw());
    CHECK(flags_str(o.flags) == flags_str(e.flags));
    CHECK(o.seq.raw() == e.seq);
    CHECK(o.ack.raw() == e.ack);
    CHECK(o.window == e.window);
    CHECK(o.opt.has_mss == e.opt.has_mss);
    CHECK(o.opt.mss == e.opt.mss);
    CHECK(o.opt.has_wscale == e.opt.has_wscale);
    CHECK(o.opt.wscale == e.opt.wscale);
    CHECK(o.opt.sack_permitted == e.opt.sack_permitted);
    CHECK(o.opt.has_timestamp == e.opt.has_timestamp);
    CHECK(o.opt.ts_val == e.opt.ts_val);
    CHECK(o.opt.ts_ecr == e.opt.ts_ecr);
    CHECK(int(o.opt.sack_count) == int(e.opt.sack_count));
    for (int i = 0; i < o.opt.sack_count && i < e.opt.sack_count; ++i) {
        CHECK(o.opt.sack[i].left.raw() == e.opt.sack[i].left.raw());
        CHECK(o.opt.sack[i].right.raw() == e.opt.sack[i].right.raw());
    }
    CHECK(payload_of(o) == e.data);
    CHECK(o.tuple == tu);
}

inline TcpOptions mss_opt(uint16_t mss = 1460) {
    TcpOptions o;
    o.has_mss = true;
    o.mss = mss;
    return o;
}

// A SYN's options as Linux sends them, with MSS 1400: every option a SYN
// cookie must keep.
inline TcpOptions full_offer(uint32_t ts_val) {
    TcpOptions o = mss_opt(1400);
    o.has_wscale = true;
    o.wscale = 7;
    o.sack_permitted = true;
    o.has_timestamp = true;
    o.ts_val = ts_val;
    return o;
}

inline TcpOptions ts_opt(uint32_t val, uint32_t ecr) {
    TcpOptions o;
    o.has_timestamp = true;
    o.ts_val = val;
    o.ts_ecr = ecr;
    return o;
}

// Records every app event; hooks let a test act from inside callbacks.
struct RecApp : App {
    std::vector<std::string> events;
    std::string received;
    Conn* conn = nullptr;
    CloseReason reason = CloseReason::Normal;
    std::function<void(Conn&)> on_open_hook;
    std::function<void(Conn&, const std::string&)> on_data_hook;
    std::function<void(Conn&)> on_peer_closed_hook;

    void on_open(Conn& c) override {
        conn = &c;
        events.push_back("open");
        if (on_open_hook) on_open_hook(c);
    }
    void on_data(Conn& c, const uint8_t* d, size_t n) override {
        std::string s(reinterpret_cast<const char*>(d), n);
        received += s;
        events.push_back("data:" + s);
        if (on_data_hook) on_data_hook(c, s);
    }
    void on_peer_closed(Conn& c) override {
        events.push_back("peer_closed");
        if (on_peer_closed_hook) on_peer_closed_hook(c);
    }
    void on_closed(Conn&, CloseReason r) override {
        events.push_back(std::string("closed:") + close_reason_name(r));
        reason = r;
        conn = nullptr;
    }
};

inline Tunables small_config() {
    Tunables c;
    c.max_tcbs = 64;
    c.max_tw_buckets = 64;
    c.send_chunks = 256;
    return c;
}

inline constexpr tern::util::SipKey kKey{0x0123456789abcdefull, 0xfedcba9876543210ull};

struct H {
    uint64_t now_ms = 1'000'000;  // virtual clock, ms
    Tunables cfg;
    Stack stack;
    RecApp app;
    Outbox out;
    uint32_t iss = 0;  // the Stack's ISN, learned from its SYN-ACK

    explicit H(Tunables c = small_config()) : cfg(c), stack(cfg, kKey, now_us()) {
        REQUIRE(stack.listen(80, app));
    }
    // Another node's Stack: its own key, its own clock (ms since it started).
    H(Tunables c, const tern::util::SipKey& key, uint64_t start_ms)
        : now_ms(start_ms), cfg(c), stack(cfg, key, now_us()) {
        REQUIRE(stack.listen(80, app));
    }

    uint64_t now_us() const { return now_ms * 1000; }

    // Sends a client segment; `out` holds only what this call produced.
    const Outbox& send(const Seg& s, const Tuple& tu = kTuple) {
        out.clear();
        stack.on_segment(now_us(), tu, to_segment(s), out);
        return out;
    }

    // Moves the clock to `ms` and fires timers.
    const Outbox& advance_to(uint64_t ms) {
        now_ms = ms;
        out.clear();
        stack.advance(now_us(), out);
        return out;
    }
    const Outbox& advance_by(uint64_t ms) { return advance_to(now_ms + ms); }

    const Outbox& flush() {
        out.clear();
        stack.flush(now_us(), out);
        return out;
    }

    State state() const { return stack.state_of(kTuple); }

    // ---- per-state fixtures (plain client: no options but MSS 1460) ----

    // Established with timestamps: the client's TSvals start at ts0, its SYN
    // offers `mss` (or the options `o`); returns our TSval from the SYN-ACK.
    uint32_t make_established_ts(uint32_t ts0, uint16_t mss = 1460) {
        return make_established_ts(ts0, mss_opt(mss));
    }
    uint32_t make_established_ts(uint32_t ts0, TcpOptions o) {
        o.has_timestamp = true;
        o.ts_val = ts0;
        send({.flags = SYN, .seq = kCisn, .opt = o});
        REQUIRE(out.size() == 1);
        iss = out[0].seq.raw();
        const uint32_t ours = out[0].opt.ts_val;
        send({.flags = ACK, .seq = kCisn + 1, .ack = iss + 1, .opt = ts_opt(ts0 + 1, ours)});
        REQUIRE(state() == State::Established);
        return ours;
    }

    void make_syn_rcvd() {
        send({.flags = SYN, .seq = kCisn, .opt = mss_opt()});
        REQUIRE(out.size() == 1);
        REQUIRE(out[0].flags == (SYN | ACK));
        iss = out[0].seq.raw();
        REQUIRE(state() == State::SynRcvd);
    }
    void make_established() {
        make_syn_rcvd();
        send({.flags = ACK, .seq = kCisn + 1, .ack = iss + 1});
        REQUIRE(out.empty());
        REQUIRE(state() == State::Established);
        REQUIRE(app.conn != nullptr);
    }
    // The client closed first: we ACKed its FIN.
    void make_close_wait() {
        make_established();
        send({.flags = FIN | ACK, .seq = kCisn + 1, .ack = iss + 1});
        REQUIRE(state() == State::CloseWait);
    }
    void make_last_ack() {
        make_close_wait();
        app.conn->close();
        flush();
        REQUIRE(state() == State::LastAck);
    }
    // We closed first: our FIN (seq iss+1) is out, unacknowledged.
    void make_fin_wait_1() {
        make_established();
        app.conn->close();
        flush();
        REQUIRE(out.size() == 1);
        REQUIRE(state() == State::FinWait1);
    }
    void make_fin_wait_2() {
        make_fin_wait_1();
        send({.flags = ACK, .seq = kCisn + 1, .ack = iss + 2});
        REQUIRE(state() == State::FinWait2);
    }
    void make_time_wait() {
        make_fin_wait_2();
        send({.flags = FIN | ACK, .seq = kCisn + 1, .ack = iss + 2});
        REQUIRE(state() == State::TimeWait);
    }
    void make_closing() {
        make_fin_wait_1();
        send({.flags = FIN | ACK, .seq = kCisn + 1, .ack = iss + 1});
        REQUIRE(state() == State::Closing);
    }
};

}  // namespace tcptest
