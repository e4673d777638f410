// tcp::SynGuard: what stands between a SYN flood and the connection table.
// It owns the SYN-cookie secrets and the cookie clock, the per-source SYN
// limiter and the flood detector, and decides, per listener and tunables,
// when a SYN is answered by a cookie instead of a half-open entry (Linux's
// tcp.syncookies rules). The codec itself is util/syncookie.h.
#pragma once

#include <cstdint>
#include <optional>

#include "tcp/counters.h"
#include "tcp/flood_detector.h"
#include "tcp/inbound.h"
#include "tcp/listeners.h"
#include "tcp/negotiation.h"
#include "tcp/tunables.h"
#include "util/siphash.h"
#include "util/source_limiter.h"
#include "util/syncookie.h"

namespace tern::tcp {

class SynGuard {
  public:
    // `cfg` is the Stack's live tunables (read at each decision); the
    // limiter and detector are sized from it once. The secrets start as
    // ones derived from `secret`, for tests and single nodes.
    SynGuard(const Tunables& cfg, const util::SipKey& secret, const Listeners& listeners,
             const ConnTable& conns);

    // See Stack::set_cookie_secrets and Stack::set_wall_offset_ms.
    void set_secrets(const util::syncookie::CookieSecrets& s, bool shared) {
        keys_ = util::syncookie::CookieKeys(s);
        shared_ = shared;
        ++gen_;
    }
    void set_wall_offset_ms(uint64_t offset) { wall_offset_ms_ = offset; }
    // The SYN-cookie clock: wall-clock ms, so that nodes started at any
    // time agree on the cookie counter.
    uint64_t cookie_ms(uint64_t now_ms) const { return now_ms + wall_offset_ms_; }

    // Every SYN to a listener comes here first: counted for flood
    // detection; false if its source is over tcp.syn_rate_per_source.
    bool admit(uint32_t source, uint64_t now_ms) {
        flood_.on_syn(source);
        return limiter_.allow(source, now_ms);
    }
    // tcp.syncookies: 0 never, 2 always, 1 (Linux) when the listener's SYN
    // queue is full -- or, one level down, the TCB pool.
    bool use_cookie(const Listener& l) const {
        switch (cfg_.syncookies) {
            case 0:
                return false;
            case 2:
                return true;
            default:
                return l.half_open >= cfg_.max_syn_backlog || conns_.tcbs_exhausted();
        }
    }
    // The cookie MACs of four staged segments together, for each bare SYN
    // to a listener that uses cookies now (see inbound.h).
    void prepare_x4(uint64_t now_ms, Inbound* const in[4]) const;
    // The cookie for a SYN of `tu` answered now, with the agreed options;
    // `hint` (prepare_x4's) is used if it was made for this very SYN.
    util::syncookie::Cookie mint(const Tuple& tu, const SynOffer& on, const Segment& syn,
                                 FlowHash h, uint64_t now_ms, const CookieMac* hint) const;
    // A SYN is answered by a cookie: with tcp.syncookies = 1 a cookie
    // means a queue overflowed, a flood sign.
    void on_cookie() {
        if (cfg_.syncookies == 1) flood_.on_cookie();
    }
    // ... and the cookie went out (the rule of checks_acks()).
    static void on_cookie_sent(Listener& l, uint64_t now_ms) {
        l.sent_cookies = true;
        l.last_cookie_ms = now_ms;
    }
    // Whether an ACK to `l` that matches no connection is checked as a
    // cookie now. With tcp.syncookies = 1 only while this listener has
    // recently sent cookies (two validity periods), as in Linux: otherwise
    // there is no cookie to find, and checking would only give blind ACKs
    // a chance. Unless the secret is shared with other nodes: behind ECMP
    // the cookie may be another node's, sent while this one saw no flood
    // (the price: a blind ACK to a listener is checked, with the forgery
    // odds of util/syncookie.h, instead of answered by RST at once).
    bool checks_acks(const Listener& l, uint64_t now_ms) const {
        if (cfg_.syncookies == 0) return false;
        if (cfg_.syncookies == 2 || shared_) return true;
        return l.sent_cookies && now_ms - l.last_cookie_ms <= 2 * util::syncookie::kPeriodMs;
    }
    // The options an ACK's cookie kept, or nullopt if it is not a valid
    // cookie of ours (or of a node sharing our secret).
    std::optional<SynOffer> check(const Tuple& tu, const Segment& ack, uint64_t now_ms) const;

    // Flood detection (flood_detector.h).
    void on_established() { flood_.on_established(); }
    // Once per advance(): updates the flood gauges in `ctr`; a start or end
    // of a flood is reported once by take_flood_change().
    void tick(uint64_t now_ms, Counters& ctr);
    const FloodReport& flood() const { return flood_.report(); }
    bool take_flood_change() {
        const bool c = flood_changed_;
        flood_changed_ = false;
        return c;
    }

  private:
    const Tunables& cfg_;
    const Listeners& listeners_;
    const ConnTable& conns_;
    util::syncookie::CookieKeys keys_;
    uint32_t gen_ = 1;             // the secret's generation (CookieMac::gen)
    bool shared_ = false;          // set_secrets(s, shared)
    uint64_t wall_offset_ms_ = 0;  // set_wall_offset_ms()
    util::SourceLimiter limiter_;
    FloodDetector flood_;
    bool flood_changed_ = false;
};

}  // namespace tern::tcp
