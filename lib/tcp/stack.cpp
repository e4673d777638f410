// Stack construction, the per-call context, TCB/TIME_WAIT lifecycle and the
// application interface (Conn).
#include "tcp/stack.h"

#include <algorithm>

#include "tcp/reassembly.h"
#include "tcp/send_buffer.h"

namespace tern::tcp {

using util::SeqNum;

namespace {

// Smallest shift that fits the receive window into 16 bits (RFC 7323 2.3).
uint8_t shift_for(uint32_t wnd) {
    uint8_t s = 0;
    while (s < kMaxWindowShift && (wnd >> s) > 0xFFFF) ++s;
    return s;
}

// A second, independent key for the flow table, derived from the secret so
// that one random draw seeds the Stack.
util::SipKey derive_key(const util::SipKey& k, uint64_t label) {
    return util::SipKey{util::siphash_u64x2(k, label, 0), util::siphash_u64x2(k, label, 1)};
}

}  // namespace

Stack::Stack(const Tunables& cfg, const util::SipKey& secret, uint64_t now_us)
    : cfg_(cfg),
      isn_(secret),
      flow_hasher_(derive_key(secret, 0x7461626c65ull /* "table" */)),
      wheel_(now_us / 1000),
      flows_(cfg.max_tcbs + cfg.max_tw_buckets),
      chunks_(cfg.send_chunks),
      tcbs_(cfg.max_tcbs),
      tcb_free_(new uint32_t[cfg.max_tcbs]),
      tws_(cfg.max_tw_buckets),
      tw_free_(new uint32_t[cfg.max_tw_buckets]),
      listeners_(new Listener[cfg.max_listeners]),
      port_to_listener_(new uint16_t[65536]),
      cookies_(util::syncookie::CookieSecrets{derive_key(secret, 0x636f6f6b6965ull /* "cookie" */),
                                              derive_key(secret, 0x636f6f6b6965ull + 1)}),
      syn_limiter_(cfg.syn_rate_per_source, std::max<uint32_t>(cfg.syn_burst_per_source, 1),
                   cfg.syn_limiter_sources, derive_key(secret, 0x6c696d6974ull /* "limit" */)),
      flood_(cfg.syn_flood_rate, derive_key(secret, 0x666c6f6f64ull /* "flood" */)) {
    // Free lists handed out lowest index first (warm cache lines first).
    for (uint32_t i = 0; i < cfg.max_tcbs; ++i) tcb_free_[i] = cfg.max_tcbs - 1 - i;
    tcb_free_n_ = cfg.max_tcbs;
    for (uint32_t i = 0; i < cfg.max_tw_buckets; ++i) tw_free_[i] = cfg.max_tw_buckets - 1 - i;
    tw_free_n_ = cfg.max_tw_buckets;
    std::fill_n(port_to_listener_.get(), 65536, kNoListener);
    rcv_wscale_ = cfg.window_scaling ? shift_for(cfg.rcv_wnd) : 0;
    rcv_wnd_ = (cfg.rcv_wnd >> rcv_wscale_) << rcv_wscale_;
    now_us_ = now_us;
    now_ms_ = now_us / 1000;
}

Stack::~Stack() = default;

// ---------------------------------------------------------------- API

bool Stack::listen(uint16_t port, App& app, ListenOptions opts) {
    if (port_to_listener_[port] != kNoListener || listener_n_ >= cfg_.max_listeners) return false;
    Listener& l = listeners_[listener_n_];
    l.app = &app;
    l.port = port;
    const uint32_t want = opts.backlog ? opts.backlog : cfg_.somaxconn;
    l.backlog = std::min(want, cfg_.somaxconn);
    l.half_open = 0;
    l.keepalive = opts.keepalive || cfg_.keepalive;
    l.manual_accept = opts.manual_accept;
    l.accept_head = l.accept_tail = kNoIndex;
    l.accept_len = 0;
    port_to_listener_[port] = uint16_t(listener_n_++);
    return true;
}

Stack::Listener* Stack::find_listener(uint16_t port) const {
    const uint16_t i = port_to_listener_[port];
    return i == kNoListener ? nullptr : &listeners_[i];
}

uint32_t Stack::half_open(uint16_t port) const {
    const uint16_t i = port_to_listener_[port];
    return i == kNoListener ? 0 : listeners_[i].half_open;
}

uint32_t Stack::half_open_total() const {
    uint32_t n = 0;
    for (uint32_t i = 0; i < listener_n_; ++i) n += listeners_[i].half_open;
    return n;
}

uint32_t Stack::accept_queue_length(uint16_t port) const {
    const uint16_t i = port_to_listener_[port];
    return i == kNoListener ? 0 : listeners_[i].accept_len;
}

Conn* Stack::accept(uint64_t now_us, uint16_t port, Outbox& out) {
    Listener* l = find_listener(port);
    if (!l || l->accept_head == kNoIndex) return nullptr;
    const bool nested = out_ != nullptr;
    if (!nested) begin_call(now_us, out);
    Tcb& t = tcbs_[l->accept_head];
    unlink_accept(t);
    ctr_.accepted.inc();
    t.app_visible = true;
    mark_dirty(t);
    t.app->on_open(t);
    // Bytes (and a FIN) that arrived while the conn waited were held
    // unacknowledged in the reassembly queue: deliver them now.
    const bool alive = app_still_open(t) && drain_reassembly(t);
    if (!nested) end_call();
    return alive ? &t : nullptr;
}

void Stack::on_segment(uint64_t now_us, const Tuple& tu, FlowHash h, const Segment& seg,
                       Outbox& out, const CookieMac* mac) {
    begin_call(now_us, out);
    mac_hint_ = mac;
    ctr_.segments_in.inc();
    const uint32_t ref = flows_.find(tu, h.slot());
    if (ref == 0) {
        input_no_conn(tu, h, seg);
    } else if (FlowTable::is_tw(ref)) {
        input_time_wait(tws_[FlowTable::index_of(ref)], h, seg);
    } else {
        Tcb& t = tcbs_[FlowTable::index_of(ref)];
        if (t.state == State::SynSent) {
            input_syn_sent(t, seg);
        } else {
            input_synchronized(t, seg);
        }
    }
    mac_hint_ = nullptr;
    end_call();
}

void Stack::prefetch_conn(const Tuple& tu, FlowHash h) const {
    const uint32_t ref = flows_.find(tu, h.slot());
    if (ref == 0) return;
    const char* p = FlowTable::is_tw(ref)
                        ? reinterpret_cast<const char*>(&tws_[FlowTable::index_of(ref)])
                        : reinterpret_cast<const char*>(&tcbs_[FlowTable::index_of(ref)]);
    const size_t size = FlowTable::is_tw(ref) ? sizeof(TimeWait) : sizeof(Tcb);
    for (size_t off = 0; off < size; off += 64) __builtin_prefetch(p + off);
}

size_t Stack::advance(uint64_t now_us, Outbox& out) {
    begin_call(now_us, out);
    // Stop once the Outbox cannot take what a timer may send; the rest stay
    // due for the next advance() (no re-arming: a backlog of due timers
    // costs nothing per call beyond those that fire).
    const size_t fired = wheel_.advance(
        now_ms_, [this](util::TimerNode& n) { on_timer(n); },
        [this] {
            if (out_->size() + 2 <= Outbox::kCapacity) return false;
            ctr_.timers_deferred.inc();
            return true;
        });
    if (flood_.tick(now_ms_)) {
        flood_changed_ = true;
        const FloodReport& r = flood_.report();
        if (r.active) ctr_.syn_floods.inc();
        ctr_.syn_flood_active.set(r.active);
        ctr_.syn_flood_start_ms.set(r.start_ms);
    }
    if (flood_.report().active) {
        ctr_.syn_flood_peak_rate.set(flood_.report().peak_rate);
        ctr_.syn_flood_distinct_pct.set(flood_.report().distinct_pct);
    }
    end_call();
    return fired;
}

void Stack::flush(uint64_t now_us, Outbox& out) {
    if (out_ != nullptr) return;  // from a callback: the current call flushes on return
    begin_call(now_us, out);
    end_call();
}

Conn* Stack::connect(uint64_t now_us, const Tuple& tu, App& app, Outbox& out, void* user) {
    // From inside an app callback (a proxy opening its backend connection)
    // the current call's context and Outbox are used.
    const bool nested = out_ != nullptr;
    if (!nested) begin_call(now_us, out);
    const FlowHash h = tuple_hash(tu);
    Tcb* t = flows_.find(tu, h.slot()) ? nullptr : alloc_tcb(tu, h.slot());
    if (t) {
        ctr_.active_opens.inc();
        t->app = &app;
        t->user = user;
        t->app_visible = true;
        t->iss = isn_.make(tu, now_us_);
        t->ts_offset = h.ts_offset();
        t->snd_una = t->iss;
        t->snd_nxt = t->snd_max = t->iss + 1;
        t->state = State::SynSent;
        t->timer_base_ms = now_ms32();
        send_syn(*t);
        arm(*t, TimerKind::Syn, now_ms_ + cfg_.rto_initial_ms);
    }
    if (!nested) end_call();
    return t;
}

void Stack::count_parse_error(ParseResult r) {
    switch (r) {
        case ParseResult::Ok:
            break;
        case ParseResult::Truncated:
            ctr_.parse_truncated.inc();
            break;
        case ParseResult::DataOffsetTooSmall:
            ctr_.parse_bad_data_offset.inc();
            break;
        case ParseResult::DataOffsetBeyondSegment:
            ctr_.parse_offset_beyond_segment.inc();
            break;
        case ParseResult::OptionOverrun:
            ctr_.parse_option_overrun.inc();
            break;
        case ParseResult::OptionZeroLength:
            ctr_.parse_option_zero_length.inc();
            break;
        case ParseResult::OptionOneLength:
            ctr_.parse_option_one_length.inc();
            break;
    }
}

State Stack::state_of(const Tuple& tu) const {
    const uint32_t ref = flows_.find(tu, tuple_hash(tu).slot());
    if (ref == 0) return State::Closed;
    if (FlowTable::is_tw(ref)) return State::TimeWait;
    return tcbs_[FlowTable::index_of(ref)].state;
}

Conn* Stack::find(const Tuple& tu) {
    const uint32_t ref = flows_.find(tu, tuple_hash(tu).slot());
    if (ref == 0 || FlowTable::is_tw(ref)) return nullptr;
    return &tcbs_[FlowTable::index_of(ref)];
}

// ---------------------------------------------------------------- per call

void Stack::begin_call(uint64_t now_us, Outbox& out) {
    // Chunks freed during the previous call were still referenced by that
    // call's Outbox; the caller has transmitted it by now.
    chunks_.release_deferred();
    now_us_ = now_us;
    now_ms_ = now_us / 1000;
    out_ = &out;
}

void Stack::output_dirty() {
    // Output for every conn touched during this call, including conns an app
    // wrote to from another conn's callback.
    while (dirty_head_ != kNoIndex && !out_->full()) {
        Tcb& t = tcbs_[dirty_head_];
        unlink_dirty(t);
        if (t.abort_requested) {
            do_abort(t);
        } else {
            output(t);
        }
    }
}

void Stack::mark_dirty(Tcb& t) {
    if (t.dirty) return;
    t.dirty = true;
    t.dirty_next = kNoIndex;
    t.dirty_prev = dirty_tail_;
    if (dirty_tail_ == kNoIndex) {
        dirty_head_ = t.index;
    } else {
        tcbs_[dirty_tail_].dirty_next = t.index;
    }
    dirty_tail_ = t.index;
}

void Stack::unlink_dirty(Tcb& t) {
    if (!t.dirty) return;
    if (t.dirty_prev == kNoIndex) {
        dirty_head_ = t.dirty_next;
    } else {
        tcbs_[t.dirty_prev].dirty_next = t.dirty_next;
    }
    if (t.dirty_next == kNoIndex) {
        dirty_tail_ = t.dirty_prev;
    } else {
        tcbs_[t.dirty_next].dirty_prev = t.dirty_prev;
    }
    t.dirty = false;
    t.dirty_prev = t.dirty_next = kNoIndex;
}

// ---------------------------------------------------------------- lifecycle

Tcb* Stack::alloc_tcb(const Tuple& tu, uint32_t h) {
    if (tcb_free_n_ == 0) {
        ctr_.pool_exhausted.inc();
        return nullptr;
    }
    const uint32_t i = tcb_free_[tcb_free_n_ - 1];
    if (!flows_.insert(tu, h, FlowTable::tcb_ref(i))) {
        ctr_.flow_table_full.inc();
        return nullptr;
    }
    --tcb_free_n_;
    Tcb& t = tcbs_[i];
    t = Tcb();
    t.index = i;
    t.stack = this;
    t.tuple = tu;
    t.flow_hash = uint32_t(h);
    t.rto_ms = cfg_.rto_initial_ms;
    t.last_rx_ms = now_ms32();
    return &t;
}

void Stack::free_tcb(Tcb& t) {
    if (t.state == State::SynRcvd) leave_syn_rcvd(t);
    unlink_accept(t);
    cancel_timer(t);
    unlink_dirty(t);
    sendbuf::clear(t, chunks_);
    ooo::clear(t, chunks_);
    flows_.erase(t.tuple, t.flow_hash);
    t.state = State::Closed;
    t.app = nullptr;
    tcb_free_[tcb_free_n_++] = t.index;
}

void Stack::close_tcb(Tcb& t, CloseReason why) {
    if (t.state == State::SynRcvd) leave_syn_rcvd(t);
    const bool tell = t.app_visible;
    if (tell) ctr_.conn_closed.inc();
    t.state = State::Closed;
    cancel_timer(t);
    unlink_dirty(t);
    // The app may not touch this conn after on_closed, and a send/close
    // from inside on_closed finds it Closed and does nothing.
    if (tell && t.app) t.app->on_closed(t, why);
    free_tcb(t);
}

void Stack::leave_syn_rcvd(Tcb& t) {
    // The listener index stays: an accept queue may still need it.
    if (t.listener != kNoListener) --listeners_[t.listener].half_open;
}

void Stack::enqueue_accept(Listener& l, Tcb& t) {
    t.queued = true;
    t.accept_next = kNoIndex;
    t.accept_prev = l.accept_tail;
    if (l.accept_tail == kNoIndex) {
        l.accept_head = t.index;
    } else {
        tcbs_[l.accept_tail].accept_next = t.index;
    }
    l.accept_tail = t.index;
    ++l.accept_len;
}

void Stack::unlink_accept(Tcb& t) {
    if (!t.queued) return;
    Listener& l = listeners_[t.listener];
    if (t.accept_prev == kNoIndex) {
        l.accept_head = t.accept_next;
    } else {
        tcbs_[t.accept_prev].accept_next = t.accept_next;
    }
    if (t.accept_next == kNoIndex) {
        l.accept_tail = t.accept_prev;
    } else {
        tcbs_[t.accept_next].accept_prev = t.accept_prev;
    }
    --l.accept_len;
    t.queued = false;
    t.accept_prev = t.accept_next = kNoIndex;
}

void Stack::enter_time_wait(Tcb& t) {
    // The connection is done for the app; what is left (re-ACK a FIN, judge
    // a new SYN) fits in a 64-byte record, and the TCB goes back to the pool.
    const uint32_t h = t.flow_hash;
    if (tw_free_n_ == 0) {
        ctr_.tw_pool_exhausted.inc();
        close_tcb(t, CloseReason::Normal);
        return;
    }
    const uint32_t i = tw_free_[--tw_free_n_];
    TimeWait& tw = tws_[i];
    tw = TimeWait{};
    tw.tuple = t.tuple;
    tw.flow_hash = h;
    tw.snd_nxt = t.snd_nxt;
    tw.rcv_nxt = t.rcv_nxt;
    tw.ts_ok = t.ts_ok;
    tw.ts_recent = t.ts_recent;
    tw.ts_offset = t.ts_offset;
    tw.rcv_wscale = t.rcv_wscale;
    tw.window = advertised_window(t);
    flows_.replace(t.tuple, h, FlowTable::tw_ref(i));
    wheel_.arm(tw.timer, now_ms_ + 2ull * cfg_.msl_ms);
    ctr_.tw_created.inc();

    ctr_.conn_closed.inc();
    const bool tell = t.app_visible;
    t.state = State::Closed;
    cancel_timer(t);
    unlink_dirty(t);
    if (tell && t.app) t.app->on_closed(t, CloseReason::Normal);
    // The flow slot now belongs to the record: release the TCB without
    // erasing it.
    unlink_accept(t);
    sendbuf::clear(t, chunks_);
    ooo::clear(t, chunks_);
    t.app = nullptr;
    tcb_free_[tcb_free_n_++] = t.index;
}

void Stack::free_time_wait(TimeWait& tw, uint32_t h) {
    wheel_.cancel(tw.timer);
    flows_.erase(tw.tuple, h);
    tw_free_[tw_free_n_++] = uint32_t(&tw - tws_.get());
}

bool Stack::app_still_open(Tcb& t) {
    if (t.state == State::Closed) return false;
    if (!t.abort_requested) return true;
    unlink_dirty(t);
    do_abort(t);
    return false;
}

void Stack::do_abort(Tcb& t) {
    // RFC 9293 3.10.5 ABORT: RST in SYN_RCVD, ESTABLISHED, FIN_WAIT_1/2 and
    // CLOSE_WAIT; in SYN_SENT, CLOSING and LAST_ACK just delete the TCB.
    switch (t.state) {
        case State::SynRcvd:
        case State::Established:
        case State::FinWait1:
        case State::FinWait2:
        case State::CloseWait:
            send_rst(t);
            break;
        default:
            break;
    }
    ctr_.conn_aborted.inc();
    close_tcb(t, CloseReason::Aborted);
}

// ---------------------------------------------------------------- Conn

size_t Stack::conn_send_space(const Tcb& t) const {
    if (t.fin_queued || (t.state != State::Established && t.state != State::CloseWait)) return 0;
    const uint32_t buffered = t.sb_bytes;
    if (buffered >= cfg_.wmem) return 0;
    return std::min<size_t>(cfg_.wmem - buffered, size_t(chunks_.available()) * ChunkPool::kSize);
}

size_t Stack::conn_send(Tcb& t, const uint8_t* data, size_t len) {
    // RFC 9293 3.10.2 SEND: only before our FIN (ESTABLISHED, CLOSE_WAIT).
    if (t.fin_queued || t.abort_requested) return 0;
    if (t.state != State::Established && t.state != State::CloseWait) return 0;
    const size_t n = sendbuf::append(t, chunks_, data, len, cfg_.wmem);
    if (n < len && t.sb_bytes < cfg_.wmem) ctr_.send_chunks_exhausted.inc();
    if (n) mark_dirty(t);
    return n;
}

void Stack::conn_close(Tcb& t) {
    // RFC 9293 3.10.4 CLOSE: the state changes now, the FIN goes out after
    // the queued data.
    switch (t.state) {
        case State::Established:
            t.state = State::FinWait1;
            break;
        case State::CloseWait:
            t.state = State::LastAck;
            break;
        case State::SynSent:
            // Nothing to say to the peer yet: delete the TCB (at the next
            // safe point, as for abort, but without a RST: see do_abort).
            t.abort_requested = true;
            mark_dirty(t);
            return;
        default:
            return;  // already closing, or closed
    }
    t.fin_queued = true;
    mark_dirty(t);
}

void Stack::conn_abort(Tcb& t) {
    if (t.state == State::Closed) return;
    t.abort_requested = true;
    mark_dirty(t);
}

size_t Conn::send(const uint8_t* data, size_t len) {
    Tcb& t = static_cast<Tcb&>(*this);
    return t.stack->conn_send(t, data, len);
}

size_t Conn::send_space() const {
    const Tcb& t = static_cast<const Tcb&>(*this);
    return t.stack->conn_send_space(t);
}

void Conn::close() {
    Tcb& t = static_cast<Tcb&>(*this);
    t.stack->conn_close(t);
}

void Conn::abort() {
    Tcb& t = static_cast<Tcb&>(*this);
    t.stack->conn_abort(t);
}

State Conn::state() const { return static_cast<const Tcb&>(*this).state; }

const Tuple& Conn::tuple() const { return static_cast<const Tcb&>(*this).tuple; }

}  // namespace tern::tcp
