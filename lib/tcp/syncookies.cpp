// SYN cookies in the Stack (issue 4 item 5): when to answer a SYN without
// keeping state, and how a cookie ACK becomes an ESTABLISHED connection.
// The codec itself (MAC, MSS table, option bits) is util/syncookie.h.
#include <cstddef>
#include <cstring>
#include <optional>

#include "tcp/stack.h"

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

sc::CookieTuple cookie_tuple(const Tuple& tu) {
    // The client's view, s = client, as util::syncookie expects.
    return sc::CookieTuple{tu.remote_addr, tu.local_addr, tu.remote_port, tu.local_port};
}

}  // namespace

bool Stack::use_cookie(const Listener& l) const {
    switch (cfg_.syncookies) {
        case 0:
            return false;
        case 2:
            return true;
        default:
            // Linux: when the SYN queue is full. A full TCB pool is the same
            // situation one level down.
            return l.half_open >= cfg_.max_syn_backlog || tcb_free_n_ == 0;
    }
}

sc::SynOptions Stack::cookie_syn_options(const Segment& seg) const {
    const Offer peer = Offer::from(seg.opt);
    sc::SynOptions so;
    so.mss = peer.mss;
    so.wscale_ok = cfg_.window_scaling && peer.wscale_ok;
    so.wscale = peer.wscale;
    so.sack_ok = cfg_.sack && peer.sack;
    so.timestamps = cfg_.timestamps && peer.timestamps;
    return so;
}

void Stack::prepare_cookie_macs_x4(uint64_t now_us, const Tuple* const t[4], const FlowHash h[4],
                                   const Segment* const seg[4], CookieMac* const out[4]) const {
    const uint64_t now_ms = now_us / 1000;
    // Read once: the stores into out[] below may alias the Stack, so a
    // member read in the loop would be loaded again for every SYN.
    const uint64_t cookie_now = cookie_ms(now_ms);
    uint64_t lo[4] = {}, hi[4] = {}, mac[4];
    bool planned[4] = {};
    bool any = false;
    for (int i = 0; i < 4; ++i) {
        CookieMac& m = *out[i];
        m.gen = 0;
        // What input_listen() would answer with a cookie: a bare SYN to a
        // listener that uses cookies now (segments ahead of it in the burst
        // may change that; then the plan goes unused).
        if ((seg[i]->flags & (flag::kSyn | flag::kAck | flag::kRst | flag::kFin)) != flag::kSyn)
            continue;
        const Listener* l = find_listener(t[i]->local_port);
        if (!l || !use_cookie(*l)) continue;
        // The TS clock as send_cookie_syn_ack() will read it (tsval()).
        sc::plan_into(m.plan, cookie_tuple(*t[i]), cookie_syn_options(*seg[i]), cookie_now,
                      uint32_t(now_ms) + h[i].ts_offset());
        m.flow = h[i].v;
        m.now_ms = now_ms;
        m.isn = seg[i]->seq.raw();
        lo[i] = m.plan.lo;
        hi[i] = m.plan.hi;
        planned[i] = any = true;
    }
    if (!any) return;
    cookies_.current.mac_x4(lo, hi, mac);
    for (int i = 0; i < 4; ++i) {
        if (!planned[i]) continue;
        out[i]->mac = mac[i];
        out[i]->gen = mac_gen_;
    }
}

void Stack::send_cookie_syn_ack(Listener& l, const Tuple& tu, const Segment& seg, FlowHash h) {
    const sc::SynOptions so = cookie_syn_options(seg);
    const CookieMac* hint = mac_hint_;
    sc::Cookie c;
    if (hint && hint->gen == mac_gen_ && hint->flow == h.v && hint->isn == seg.seq.raw() &&
        hint->now_ms == now_ms_) {
        c = sc::finish(hint->plan, hint->mac, seg.seq.raw());
    } else {
        // The TSval is this node's TS clock for the tuple, rounded down;
        // the connection's TSvals continue from it (cookie_ack), on this
        // node or another.
        const sc::CookiePlan p =
            sc::plan(cookie_tuple(tu), so, cookie_ms(now_ms_), tsval(h.ts_offset()));
        c = sc::finish(p, cookies_.current.mac(p.lo, p.hi), seg.seq.raw());
    }

    OutSegment* o = new_segment(tu);
    if (!o) return;
    ctr_.syncookies_sent.inc();
    if (seg.payload_len) ctr_.syn_data_ignored.inc(seg.payload_len);
    l.sent_cookies = true;
    l.last_cookie_ms = now_ms_;
    o->seq = util::SeqNum(c.isn);
    o->ack = seg.seq + 1;
    o->flags = flag::kSyn | flag::kAck;
    o->window = uint16_t(std::min<uint32_t>(cfg_.rcv_wnd, 0xFFFF));
    o->opt.has_mss = true;
    o->opt.mss = cfg_.mss;
    o->opt.sack_permitted = so.sack_ok;
    if (so.wscale_ok) {
        o->opt.has_wscale = true;
        o->opt.wscale = rcv_wscale_;
    }
    if (so.timestamps) {
        o->opt.has_timestamp = true;
        o->opt.ts_val = c.tsval;
        o->opt.ts_ecr = seg.opt.ts_val;
    }
}

bool Stack::cookie_ack(Listener& l, const Tuple& tu, FlowHash h, const Segment& seg) {
    if (cfg_.syncookies == 0) return false;
    // With tcp.syncookies = 1 an ACK is a cookie candidate only while this
    // listener has recently sent cookies (two validity periods), as in
    // Linux: otherwise there is no cookie to find, and checking would only
    // give blind ACKs a chance. Unless the secret is shared with other
    // nodes: behind ECMP the cookie may be another node's, sent while this
    // one saw no flood (the price: a blind ACK to a listener is checked,
    // with the forgery odds of util/syncookie.h, instead of answered by RST
    // at once).
    if (cfg_.syncookies == 1 && !cookies_shared_ &&
        (!l.sent_cookies || now_ms_ - l.last_cookie_ms > 2 * sc::kPeriodMs)) {
        return false;
    }
    const std::optional<uint32_t> tsecr =
        seg.opt.has_timestamp ? std::optional<uint32_t>(seg.opt.ts_ecr) : std::nullopt;
    const std::optional<sc::CookieResult> r = sc::check(
        cookies_, cookie_tuple(tu), seg.seq.raw() - 1, seg.ack.raw() - 1,
        cookie_ms(now_ms_) + kCookieClockSkewMs, tsecr);
    if (!r) {
        ctr_.syncookies_failed.inc();
        return false;  // the caller answers as for any ACK to a listener: RST
    }
    ctr_.syncookies_ok.inc();
    if (l.manual_accept && l.accept_len >= l.backlog) {
        // Nothing to keep: with tcp.abort_on_overflow = 0 the client's
        // retransmitted ACK (same cookie) may get in later.
        ctr_.accept_queue_overflow.inc();
        if (cfg_.abort_on_overflow) send_reset_reply(tu, seg);
        return true;
    }
    Tcb* tp = alloc_tcb(tu, h.slot());
    if (!tp) return true;  // counted; the client retransmits
    Tcb& t = *tp;
    t.app = l.app;
    t.passive = true;
    t.keepalive = l.keepalive;
    t.listener = uint16_t(&l - listeners_.get());
    // The handshake as the half-open entry would have recorded it.
    t.irs = seg.seq - 1;
    t.rcv_nxt = seg.seq;
    t.rcv_adv = t.rcv_nxt;
    t.iss = seg.ack - 1;
    t.snd_una = t.snd_nxt = t.snd_max = seg.ack;
    negotiate(t, Offer{r->mss, r->wscale_ok, r->wscale, r->sack_ok, r->timestamps, seg.opt.ts_val});
    // The SYN-ACK's TSval, which the ACK echoes, may be another node's (ECMP
    // moved the handshake here): its TS clock and its offset for this tuple
    // are not ours. The connection's TSvals continue from it (the offset
    // makes our TS clock read it now), so the peer's PAWS check (RFC 7323 5)
    // never sees them go backwards and every node completing this cookie
    // sends the same TSvals. On the node that sent the cookie this only
    // undoes the cookie's rounding down.
    t.ts_offset = t.ts_ok ? seg.opt.ts_ecr - now_ms32() : h.ts_offset();
    t.snd_wnd = t.max_snd_wnd = uint32_t(seg.window) << t.snd_wscale;
    t.snd_wl1 = seg.seq;
    t.snd_wl2 = seg.ack;
    t.state = State::Established;
    ctr_.established.inc();
    flood_.on_established();
    mark_dirty(t);
    if (l.manual_accept) {
        enqueue_accept(l, t);
    } else {
        t.app_visible = true;
        t.app->on_open(t);
        if (!app_still_open(t)) return true;
    }
    // The ACK may carry data (and even a FIN): RFC 9293 3.10.7.4 seventh
    // and eighth steps, as for any third ACK.
    process_text(t, seg);
    return true;
}

}  // namespace tern::tcp
