#include "tcp/syn_guard.h"

#include <algorithm>

namespace tern::tcp {

namespace sc = util::syncookie;

namespace {

// Nodes behind one VIP check each other's cookies with their own clocks.
// check() tries the period of its `now` and the one before, so a node whose
// clock is behind the minting node's would miss a cookie minted just after
// a period began. Checking at now + this tolerance accepts a node up to 2 s
// behind (NTP keeps them within milliseconds) for 2 s less of a cookie's
// 64-128 s life; a node up to 62 s ahead was already accepted.
constexpr uint64_t kCookieClockSkewMs = 2000;

constexpr uint64_t kCookieLabel = 0x636f6f6b6965ull;  // "cookie"

sc::CookieTuple cookie_tuple(const Tuple& tu) {
    // The client's view, s = client, as util::syncookie expects.
    return sc::CookieTuple{tu.remote_addr, tu.local_addr, tu.remote_port, tu.local_port};
}

}  // namespace

SynGuard::SynGuard(const Tunables& cfg, const util::SipKey& secret, const Listeners& listeners,
                   const ConnTable& conns)
    : cfg_(cfg),
      listeners_(listeners),
      conns_(conns),
      keys_(sc::CookieSecrets{derive_key(secret, kCookieLabel),
                              derive_key(secret, kCookieLabel + 1)}),
      limiter_(cfg.syn_rate_per_source, std::max<uint32_t>(cfg.syn_burst_per_source, 1),
               cfg.syn_limiter_sources, derive_key(secret, 0x6c696d6974ull /* "limit" */)),
      flood_(cfg.syn_flood_rate, derive_key(secret, 0x666c6f6f64ull /* "flood" */)) {}

void SynGuard::prepare_x4(uint64_t now_ms, Inbound* const in[4]) const {
    // Read once: the stores into in[] below may alias this object, so a
    // member read in the loop would be loaded again for every SYN.
    const uint64_t cookie_now = cookie_ms(now_ms);
    uint64_t lo[4] = {}, hi[4] = {}, mac[4];
    bool planned[4] = {};
    bool any = false;
    for (int i = 0; i < 4; ++i) {
        Inbound& s = *in[i];
        CookieMac& m = s.mac;
        m.gen = 0;
        // What the passive open would answer with a cookie: a bare SYN to
        // a listener that uses cookies now (segments ahead of it in the
        // burst may change that; then the plan goes unused).
        if ((s.seg.flags & (flag::kSyn | flag::kAck | flag::kRst | flag::kFin)) != flag::kSyn)
            continue;
        const Listener* l = listeners_.find(s.tuple.local_port);
        if (!l || !use_cookie(*l)) continue;
        // The TS clock as mint() will read it.
        sc::plan_into(m.plan, cookie_tuple(s.tuple), agreed(cfg_, offer_of(s.seg.opt)), cookie_now,
                      uint32_t(now_ms) + s.hash.ts_offset());
        m.flow = s.hash.v;
        m.now_ms = now_ms;
        m.isn = s.seg.seq.raw();
        lo[i] = m.plan.lo;
        hi[i] = m.plan.hi;
        planned[i] = any = true;
    }
    if (!any) return;
    keys_.current.mac_x4(lo, hi, mac);
    for (int i = 0; i < 4; ++i) {
        if (!planned[i]) continue;
        in[i]->mac.mac = mac[i];
        in[i]->mac.gen = gen_;
    }
}

sc::Cookie SynGuard::mint(const Tuple& tu, const SynOffer& on, const Segment& syn, FlowHash h,
                          uint64_t now_ms, const CookieMac* hint) const {
    if (hint && hint->gen == gen_ && hint->flow == h.v && hint->isn == syn.seq.raw() &&
        hint->now_ms == now_ms) {
        return sc::finish(hint->plan, hint->mac, syn.seq.raw());
    }
    // The TSval is this node's TS clock for the tuple, rounded down; the
    // connection's TSvals continue from it (the cookie ACK's connection),
    // on this node or another.
    const sc::CookiePlan p =
        sc::plan(cookie_tuple(tu), on, cookie_ms(now_ms), uint32_t(now_ms) + h.ts_offset());
    return sc::finish(p, keys_.current.mac(p.lo, p.hi), syn.seq.raw());
}

std::optional<SynOffer> SynGuard::check(const Tuple& tu, const Segment& ack,
                                        uint64_t now_ms) const {
    const std::optional<uint32_t> tsecr =
        ack.opt.has_timestamp ? std::optional<uint32_t>(ack.opt.ts_ecr) : std::nullopt;
    return sc::check(keys_, cookie_tuple(tu), ack.seq.raw() - 1, ack.ack.raw() - 1,
                     cookie_ms(now_ms) + kCookieClockSkewMs, tsecr);
}

void SynGuard::tick(uint64_t now_ms, Counters& ctr) {
    if (flood_.tick(now_ms)) {
        flood_changed_ = true;
        const FloodReport& r = flood_.report();
        if (r.active) ctr.syn_floods.inc();
        ctr.syn_flood_active.set(r.active);
        ctr.syn_flood_start_ms.set(r.start_ms);
    }
    if (flood_.report().active) {
        ctr.syn_flood_peak_rate.set(flood_.report().peak_rate);
        ctr.syn_flood_distinct_pct.set(flood_.report().distinct_pct);
    }
}

}  // namespace tern::tcp
