// A fuzz driver for the TCP Stack: interprets arbitrary bytes as a script of
// segments (on a few tuples, with sequence numbers near or far from what
// the Stack last sent), clock jumps and app actions, and checks
// Stack::check_invariants() after every step. At the end every connection
// is aborted and, after the timers have run, nothing may be left: no TCB,
// no TIME_WAIT record, no armed timer, no flow, no chunk.
//
// The unit suite feeds it pseudo-random scripts (fuzz_test.cpp); a
// libFuzzer target only needs:
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* d, size_t n) {
//       if (auto e = tcpfuzz::run(d, n); !e.empty()) __builtin_trap();
//       return 0;
//   }
#pragma once

#include <cstdint>
#include <cstring>
#include <set>
#include <string>

#include "tcp/stack.h"

namespace tcpfuzz {

using namespace tern::tcp;
using tern::util::SeqNum;

class Reader {
  public:
    Reader(const uint8_t* d, size_t n) : d_(d), n_(n) {}
    bool done() const { return i_ >= n_; }
    uint8_t u8() { return i_ < n_ ? d_[i_++] : 0; }
    uint16_t u16() { return uint16_t(u8() | u8() << 8); }
    uint32_t u32() { return uint32_t(u16()) | uint32_t(u16()) << 16; }

  private:
    const uint8_t* d_;
    size_t n_;
    size_t i_ = 0;
};

struct FuzzApp : App {
    std::set<Conn*> live;
    uint32_t rng = 1;
    uint32_t next() { return rng = rng * 1103515245u + 12345u; }
    void on_open(Conn& c) override {
        live.insert(&c);
        if (next() % 4 == 0) c.send(reinterpret_cast<const uint8_t*>("hello"), 5);
    }
    void on_data(Conn& c, const uint8_t*, size_t n) override {
        static uint8_t buf[3000];
        switch (next() % 8) {
            case 0:
                c.send(buf, n);
                break;
            case 1:
                c.send(buf, sizeof buf);
                break;
            case 2:
                c.close();
                break;
            case 3:
                c.abort();
                break;
            default:
                break;
        }
    }
    void on_peer_closed(Conn& c) override {
        if (next() % 2) c.close();
    }
    void on_closed(Conn& c, CloseReason) override { live.erase(&c); }
};

inline Tunables fuzz_config() {
    Tunables c;
    c.max_tcbs = 16;
    c.max_tw_buckets = 8;
    c.send_chunks = 48;
    c.max_listeners = 4;
    c.wmem = 8192;
    c.ooo_max_segments = 3;
    c.challenge_ack_limit = 20;
    c.max_syn_backlog = 2;
    c.retries2 = 4;
    c.msl_ms = 1000;
    return c;
}

inline std::string run(const uint8_t* data, size_t len) {
    Reader r(data, len);
    Tunables cfg = fuzz_config();
    cfg.syncookies = r.u8() % 3;  // the first byte picks the SYN-cookie mode
    FuzzApp app;
    uint64_t now_us = 1'000'000'000;
    Stack stack(cfg, tern::util::SipKey{1, 2}, now_us);
    stack.listen(80, app);
    stack.listen(82, app, ListenOptions{.backlog = 2, .manual_accept = true});
    Outbox out;
    static uint8_t payload[4096];
    // Per tuple: the last seq/ack the Stack sent, to aim near its windows.
    constexpr int kTuples = 6;
    uint32_t their_seq[kTuples] = {}, their_ack[kTuples] = {};
    auto tuple = [](int k) {
        // Tuples 0-2: to the listener; 3: to a manual-accept listener; 4: a
        // closed port; 5: a backend we connect to.
        if (k == 3) return Tuple{0x0A000001, 0x0A000002, 82, 40003};
        if (k == 4) return Tuple{0x0A000001, 0x0A000002, 81, 5000};
        if (k == 5) return Tuple{0x0A000001, 0x0A000009, 33000, 8080};
        return Tuple{0x0A000001, 0x0A000002, 80, uint16_t(40000 + k)};
    };
    uint64_t checksum = 0;
    auto absorb = [&](const Outbox& o) {
        for (const OutSegment& s : o) {
            // Read every payload byte: the pointers must be valid now.
            for (uint32_t i = 0; i < s.payload_len; ++i) checksum += s.payload[i];
            for (uint32_t i = 0; i < s.payload2_len; ++i) checksum += s.payload2[i];
            for (int k = 0; k < kTuples; ++k) {
                if (s.tuple == tuple(k)) {
                    their_seq[k] = s.seq.raw() + s.total_payload() +
                                   ((s.flags & flag::kSyn) ? 1 : 0) +
                                   ((s.flags & flag::kFin) ? 1 : 0);
                    their_ack[k] = s.ack.raw();
                }
            }
        }
    };

    int steps = 0;
    while (!r.done() && steps++ < 2000) {
        const uint8_t op = r.u8();
        out.clear();
        switch (op % 10) {
            case 0:
            case 1:
            case 2:
            case 3:
            case 4:
            case 5: {
                const int k = r.u8() % kTuples;
                Segment s;
                // Mostly the flag sets real peers send, sometimes anything.
                static constexpr uint8_t kCommon[] = {flag::kSyn,
                                                      flag::kAck,
                                                      flag::kAck | flag::kPsh,
                                                      flag::kAck | flag::kFin,
                                                      flag::kRst,
                                                      flag::kRst | flag::kAck,
                                                      flag::kSyn | flag::kAck};
                const uint8_t f = r.u8();
                s.flags = f < 224 ? kCommon[f % 7] : r.u8();
                // Mostly exactly where the Stack expects, sometimes near,
                // sometimes anywhere.
                const uint8_t mode = r.u8();
                const int32_t d1 = (mode & 3) ? 0 : int16_t(r.u16()) >> (mode & 12);
                const int32_t d2 = (mode & 0x30) ? 0 : int16_t(r.u16()) >> ((mode >> 2) & 12);
                s.seq = (mode & 0x40) ? SeqNum(r.u32()) : SeqNum(their_ack[k] + uint32_t(d1));
                s.ack = (mode & 0x80) ? SeqNum(r.u32()) : SeqNum(their_seq[k] + uint32_t(d2));
                s.window = r.u16();
                const uint8_t o = r.u8();
                s.opt.has_mss = o & 1;
                s.opt.mss = r.u16();
                s.opt.has_wscale = o & 2;
                s.opt.wscale = r.u8() % 15;
                s.opt.sack_permitted = o & 4;
                s.opt.has_timestamp = o & 8;
                s.opt.ts_val = (o & 16) ? r.u32() : uint32_t(now_us / 1000);
                s.opt.ts_ecr = r.u32();
                s.payload = payload;
                s.payload_len = (o & 32) ? r.u16() % 3000 : 0;
                // The next segment from this peer follows this one.
                if (!(mode & 0x40)) their_ack[k] = s.seq.raw() + s.seg_len();
                stack.on_segment(now_us, tuple(k), s, out);
                break;
            }
            case 6:
                now_us += uint64_t(r.u16()) * ((op & 0x80) ? 1000 : 10);
                stack.advance(now_us, out);
                break;
            case 7: {
                if (op & 0x80) {
                    if (Conn* c = stack.accept(now_us, 82, out)) app.live.insert(c);
                    break;
                }
                if (app.live.empty()) break;
                auto it = app.live.begin();
                std::advance(it, r.u8() % app.live.size());
                Conn* c = *it;
                const uint8_t what = r.u8();
                if (what % 3 == 0) c->send(payload, r.u16() % 5000);
                if (what % 3 == 1) c->close();
                if (what % 3 == 2) c->abort();
                stack.flush(now_us, out);
                break;
            }
            case 8:
                if (Conn* c = stack.connect(now_us, tuple(5), app, out)) app.live.insert(c);
                break;
            default:
                stack.flush(now_us, out);
                break;
        }
        absorb(out);
        if (std::string e = stack.check_invariants(); !e.empty())
            return "step " + std::to_string(steps) + ": " + e;
    }
    // Wind down: take what waits in the accept queue, abort what the app
    // knows, let every timer run out.
    for (Conn* c; (c = (out.clear(), stack.accept(now_us, 82, out)));)
        app.live.insert(c), absorb(out);
    while (!app.live.empty())
        (*app.live.begin())->abort(), out.clear(), stack.flush(now_us, out), absorb(out);
    for (int i = 0; i < 400; ++i) {
        now_us += 1'000'000;
        out.clear();
        stack.advance(now_us, out);
        absorb(out);
    }
    out.clear();
    stack.flush(now_us, out);
    if (std::string e = stack.check_invariants(); !e.empty()) return "end: " + e;
    if (stack.live_tcbs() || stack.time_wait_records() || stack.armed_timers() || stack.flows() ||
        stack.chunks_in_use()) {
        return "end: resources left: tcbs " + std::to_string(stack.live_tcbs()) + " tw " +
               std::to_string(stack.time_wait_records()) + " timers " +
               std::to_string(stack.armed_timers()) + " chunks " +
               std::to_string(stack.chunks_in_use());
    }
    (void)checksum;
    return {};
}

}  // namespace tcpfuzz
