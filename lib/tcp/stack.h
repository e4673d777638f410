// tcp::Stack: the per-core, sans-IO TCP endpoint. One per worker, used by
// that worker's thread only (no locks, no atomics beyond counters).
//
// The engine calls it three ways, always passing the time (µs on any
// monotonic clock) and an Outbox that receives whatever must be sent:
//   on_segment(now, tuple, segment, out)  for every received TCP segment
//   advance(now, out)                     once per poll loop: fires timers
//   flush(now, out)                       after apps wrote outside callbacks
// Everything is allocated in the constructor: TCB and TIME_WAIT pools,
// the flow table, the payload chunk pool, the timer wheel, listeners. A
// full pool means a refused connection and a counter, never an allocation.
//
// Processing follows RFC 9293 3.10.7 step by step; the code is split by
// concern: stack.cpp (lifecycle, API, app interface), input_listen.cpp
// (no TCB: closed port, LISTEN), input_syn_sent.cpp, input_sync.cpp (the
// synchronized states), input_time_wait.cpp, output.cpp, timers.cpp.
// docs/tcp-states.md maps each state and event to its function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "tcp/app.h"
#include "tcp/chunk_pool.h"
#include "tcp/tunables.h"
#include "tcp/counters.h"
#include "tcp/flood_detector.h"
#include "tcp/flow_table.h"
#include "tcp/isn.h"
#include "tcp/outbox.h"
#include "tcp/segment.h"
#include "tcp/tcb.h"
#include "util/huge_array.h"
#include "util/siphash.h"
#include "util/source_limiter.h"
#include "util/syncookie.h"
#include "util/timer_wheel.h"

namespace tern::tcp {

struct ListenOptions {
    uint32_t backlog = 0;    // accept-queue limit; 0 = net.somaxconn (capped by it)
    bool keepalive = false;  // SO_KEEPALIVE on accepted connections
    // false: every completed handshake goes straight to App::on_open.
    // true: completed handshakes wait in the accept queue until the app
    // calls Stack::accept() (a proxy that takes clients only as fast as its
    // backends allow); data arriving meanwhile is held, not acknowledged.
    bool manual_accept = false;
};

// A SYN cookie's plan and MAC computed ahead (Stack::prepare_cookie_macs_x4),
// with what they were computed from: the segment's flow hash and ISN, the
// clock and the secret's generation. gen 0: none.
struct CookieMac {
    util::syncookie::CookiePlan plan;
    uint64_t mac = 0;
    uint64_t flow = 0;
    uint64_t now_ms = 0;
    uint32_t isn = 0;
    uint32_t gen = 0;
};

class Stack {
  public:
    // `secret` keys the ISN generator (RFC 6528) and, through a derived key,
    // the flow-table hash. Give it util::random_key() in production; tests
    // pass fixed keys to be reproducible.
    Stack(const Tunables& cfg, const util::SipKey& secret, uint64_t now_us = 0);
    ~Stack();
    Stack(const Stack&) = delete;
    Stack& operator=(const Stack&) = delete;

    // Passive open on a local port (any local address). False if the port
    // already listens or the listener table is full.
    bool listen(uint16_t port, App& app, ListenOptions opts = {});

    // Graceful shutdown: every listening port is closed to new SYNs (they get
    // a RST as any closed port does); half-open and established conns stay.
    void stop_listening();
    // Calls f(Conn&) for every live conn; f may close() or abort() it.
    template <class F>
    void for_each_conn_mut(F&& f) {
        for (uint32_t i = 0; i < cfg_.max_tcbs; ++i) {
            if (tcbs_[i].state != State::Closed) f(static_cast<Conn&>(tcbs_[i]));
        }
    }

    // Active open (RFC 9293 3.10.1): sends a SYN into `out`. nullptr if the
    // tuple is in use or a pool is full. The app gets on_open when the
    // handshake completes, or on_closed(Refused / Timeout).
    Conn* connect(uint64_t now_us, const Tuple& t, App& app, Outbox& out, void* user = nullptr);

    // Takes the oldest connection from a manual_accept listener's queue and
    // calls App::on_open for it (then any data held for it is delivered).
    // nullptr if the queue is empty.
    Conn* accept(uint64_t now_us, uint16_t port, Outbox& out);

    // A received segment (checksum verified, tuple from the IP header).
    void on_segment(uint64_t now_us, const Tuple& t, const Segment& seg, Outbox& out) {
        on_segment(now_us, t, tuple_hash(t), seg, out);
    }
    // The same with the tuple's hash computed ahead (tuple_hash()), for an
    // engine that hashes a whole receive burst and prefetches the flow-table
    // slots (prefetch()) before it processes the first segment.
    // `mac`: this segment's CookieMac from prepare_cookie_macs_x4(), if any.
    void on_segment(uint64_t now_us, const Tuple& t, FlowHash h, const Segment& seg, Outbox& out,
                    const CookieMac* mac = nullptr);
    // For an engine that stages segments in fours: the MACs of the SYN
    // cookies these segments would be answered with, computed together
    // (four AES MACs cost about the latency of one, which a SYN otherwise
    // waits out alone). Only bare SYNs to a listener that is sending
    // cookies get one. on_segment() uses one only for the segment it was
    // prepared for (same flow hash and ISN), at the same clock, under the
    // current secret; otherwise it computes the cookie itself.
    void prepare_cookie_macs_x4(uint64_t now_us, const Tuple* const t[4], const FlowHash h[4],
                                const Segment* const seg[4], CookieMac* const out[4]) const;
    FlowHash tuple_hash(const Tuple& t) const { return flow_hasher_(t); }
    // Four at once: about the time of one (the hash is AES-128; a burst's
    // tuples are hashed in fours).
    void tuple_hash_x4(const Tuple* const t[4], FlowHash out[4]) const { flow_hasher_.x4(t, out); }
    void prefetch(FlowHash h) const { flows_.prefetch(h.slot()); }
    // Second stage, once the slot is likely cached: starts loading the
    // connection the tuple maps to now. Only a hint: on_segment looks the
    // tuple up again (segments before it in the burst may change the table).
    void prefetch_conn(const Tuple& t, FlowHash h) const;
    // Fires due timers (RTO, SYN-ACK, 2MSL, FIN_WAIT_2, keepalive). Timers
    // that would overflow the Outbox stay due for the next call. Returns
    // how many fired (the engine counts a poll that fired any as busy).
    size_t advance(uint64_t now_us, Outbox& out);
    // Sends what apps queued outside callbacks (send/close/abort). From
    // inside a callback it does nothing (the running call sends on return);
    // on_segment() and advance() must not be called from callbacks.
    void flush(uint64_t now_us, Outbox& out);

    // True when output is waiting because an Outbox filled up: transmit,
    // clear the Outbox and call flush() again.
    bool has_pending_output() const { return dirty_head_ != kNoIndex; }

    // SYN-cookie secrets: the control thread rotates them (util::syncookie::
    // rotate) and hands the pair to every worker -- and, for a VIP served
    // by several nodes, every node -- so each can validate the others'.
    // Expands the secrets' keys here, on the worker, once per rotation.
    // `shared`: the secrets come from a master other nodes hold too (ECMP
    // may bring this node the ACK of another node's cookie at any time), so
    // with tcp.syncookies = 1 every ACK that matches no state is checked as
    // a cookie, not only while this listener sends cookies itself.
    void set_cookie_secrets(const util::syncookie::CookieSecrets& s, bool shared = false) {
        cookies_ = util::syncookie::CookieKeys(s);
        cookies_shared_ = shared;
        ++mac_gen_;
    }
    // Wall-clock time minus the clock the Stack is called with, in ms. The
    // SYN-cookie counter runs on wall-clock time (cookie_ms()), so that
    // nodes started at any time agree on it (their clocks synchronised by
    // NTP/PTP; docs/scale-out.md says what skew a cookie survives). The
    // engine sets it at start and refreshes it (NTP may slew the clock).
    void set_wall_offset_ms(uint64_t offset) { wall_offset_ms_ = offset; }

    // For the engine's parse step: counts a rejected header by reason.
    void count_parse_error(ParseResult r);

    // SYN-flood state (see flood_detector.h). take_flood_change() is true
    // once after each start or end of a flood, for the engine to log it.
    const FloodReport& flood() const { return flood_.report(); }
    bool take_flood_change() {
        bool c = flood_changed_;
        flood_changed_ = false;
        return c;
    }

    const Tunables& config() const { return cfg_; }
    // Run-time change of the tunables that need no reallocation (timers,
    // retries, queue limits, cookies, RFC 5961 limit, options offered to
    // new conns). Sizing fields are kept: pools and tables stay as built.
    void update_tunables(const Tunables& c);
    const Counters& counters() const { return ctr_; }
    size_t live_tcbs() const { return cfg_.max_tcbs - tcb_free_n_; }
    size_t time_wait_records() const { return cfg_.max_tw_buckets - tw_free_n_; }
    size_t armed_timers() const { return wheel_.size(); }
    size_t chunks_in_use() const { return chunks_.in_use(); }
    size_t flows() const { return flows_.size(); }
    // State of the connection on this tuple (TimeWait for a record, Closed
    // for none), and the live TCB if any: for tests and the /tern/conns dump.
    State state_of(const Tuple& t) const;
    Conn* find(const Tuple& t);
    // Half-open (SYN_RCVD) entries of the listener on `port`.
    uint32_t half_open(uint16_t port) const;
    // ... of every listener (a gauge: a leak shows as one that stays up).
    uint32_t half_open_total() const;
    // Established connections waiting in the accept queue of `port`.
    uint32_t accept_queue_length(uint16_t port) const;
    // Live connections, for the /tern/conns dump and tests: f(const Conn&).
    template <class F>
    void for_each_conn(F&& f) const {
        for (uint32_t i = 0; i < cfg_.max_tcbs; ++i) {
            if (tcbs_[i].state != State::Closed) f(static_cast<const Conn&>(tcbs_[i]));
        }
    }
    // Checks the Stack's internal accounting between calls (pools, flow
    // table, timers, chunks, sequence-space order); returns an empty string
    // or the first violation. O(pool size): for tests and fuzzing.
    std::string check_invariants() const;

  private:
    friend class Conn;

    struct Listener {
        App* app = nullptr;
        uint16_t port = 0;
        uint32_t backlog = 0;
        uint32_t half_open = 0;
        bool keepalive = false;
        bool manual_accept = false;
        // Accept queue: TCBs linked through accept_prev/accept_next.
        uint32_t accept_head = kNoIndex;
        uint32_t accept_tail = kNoIndex;
        uint32_t accept_len = 0;
        // When this listener last answered with a SYN cookie: with
        // tcp.syncookies = 1, ACKs are checked as cookies only for a while
        // after that (as Linux), so there is no cookie oracle otherwise.
        uint64_t last_cookie_ms = 0;
        bool sent_cookies = false;
    };

    // --- per-call context (stack.cpp) ---
    void begin_call(uint64_t now_us, Outbox& out);
    // Inline for the common case, nothing marked dirty (every SYN of a
    // flood): out of line it cost a call and its register saves per segment.
    void end_call() {
        if (dirty_head_ != kNoIndex) output_dirty();
        out_ = nullptr;
    }
    void output_dirty();
    uint32_t now_ms32() const { return uint32_t(now_ms_); }
    // The SYN-cookie clock: wall-clock ms (see set_wall_offset_ms).
    uint64_t cookie_ms(uint64_t now_ms) const { return now_ms + wall_offset_ms_; }
    uint32_t tsval(uint32_t ts_offset) const { return now_ms32() + ts_offset; }

    // --- lifecycle (stack.cpp) ---
    Tcb* alloc_tcb(const Tuple& t, uint32_t hash);
    void free_tcb(Tcb& t);
    // Ends a conn: tells the app (if it knows the conn) and frees the TCB.
    void close_tcb(Tcb& t, CloseReason why);
    void enter_time_wait(Tcb& t);
    void free_time_wait(TimeWait& tw, uint32_t hash);
    void leave_syn_rcvd(Tcb& t);
    void enqueue_accept(Listener& l, Tcb& t);
    void unlink_accept(Tcb& t);
    void mark_dirty(Tcb& t);
    void unlink_dirty(Tcb& t);
    // After an app callback: false if the conn must not be touched further
    // (the app aborted it; the abort has been carried out).
    bool app_still_open(Tcb& t);
    void do_abort(Tcb& t);
    Tcb& tcb_at(uint32_t i) { return tcbs_[i]; }

    // --- Conn API (stack.cpp) ---
    size_t conn_send(Tcb& t, const uint8_t* data, size_t len);
    size_t conn_send_space(const Tcb& t) const;
    void conn_close(Tcb& t);
    void conn_abort(Tcb& t);

    // --- input without a TCB (input_listen.cpp) ---
    void input_no_conn(const Tuple& tu, FlowHash h, const Segment& seg);
    void input_listen(Listener& l, const Tuple& tu, FlowHash h, const Segment& seg,
                      const util::SeqNum* iss_override);
    Listener* find_listener(uint16_t port) const;
    // What a peer's SYN offered (or a SYN cookie remembered).
    struct Offer {
        uint16_t mss;
        bool wscale_ok;
        uint8_t wscale;
        bool sack;
        bool timestamps;
        uint32_t ts_val;
        // Inline: returned from a call, the struct went out through the
        // stack in byte and word stores and came back as one 8-byte load,
        // which cannot be store-forwarded (a stall on every SYN).
        static Offer from(const TcpOptions& o) {
            // Without an MSS option the peer takes 536 (RFC 9293 3.7.1).
            return Offer{o.has_mss ? o.mss : uint16_t(536),
                         o.has_wscale,
                         o.wscale,
                         o.sack_permitted,
                         o.has_timestamp,
                         o.ts_val};
        }
    };
    void negotiate(Tcb& t, const Offer& peer);

    // --- SYN cookies (syncookies.cpp) ---
    bool use_cookie(const Listener& l) const;
    // What the SYN asks for, as far as we take it (the config's options).
    util::syncookie::SynOptions cookie_syn_options(const Segment& seg) const;
    void send_cookie_syn_ack(Listener& l, const Tuple& tu, const Segment& seg, FlowHash h);
    // true if the ACK was a valid cookie and has been handled.
    bool cookie_ack(Listener& l, const Tuple& tu, FlowHash h, const Segment& seg);

    // --- SYN_SENT (input_syn_sent.cpp) ---
    void input_syn_sent(Tcb& t, const Segment& seg);

    // --- synchronized states (input_sync.cpp) ---
    void input_synchronized(Tcb& t, const Segment& seg);
    bool check_paws(Tcb& t, const Segment& seg);
    bool check_sequence(Tcb& t, const Segment& seg);
    bool check_rst(Tcb& t, const Segment& seg);
    bool check_syn(Tcb& t, const Segment& seg);
    bool process_ack(Tcb& t, const Segment& seg);
    bool ack_syn_rcvd(Tcb& t, const Segment& seg);
    void update_send_window(Tcb& t, const Segment& seg);
    bool process_text(Tcb& t, const Segment& seg);
    bool deliver(Tcb& t, const uint8_t* data, uint32_t len);
    bool drain_reassembly(Tcb& t);
    bool process_fin(Tcb& t);
    void update_ts_recent(Tcb& t, const Segment& seg);
    void rtt_from_ack(Tcb& t, const Segment& seg);

    // --- TIME_WAIT (input_time_wait.cpp) ---
    void input_time_wait(TimeWait& tw, FlowHash h, const Segment& seg);

    // --- output (output.cpp) ---
    void output(Tcb& t);
    // Inline: every segment sent starts here (out of line it was a call per
    // SYN-ACK of a flood).
    OutSegment* new_segment(const Tuple& tu) {
        OutSegment* o = out_->push();
        if (!o) {
            // The engine drains the Outbox after every call; a full one means
            // a burst larger than the Outbox. Like a lost packet: TCP recovers.
            ctr_.outbox_full.inc();
            return nullptr;
        }
        // Field by field: `*o = OutSegment{}` became a `rep stos` over the
        // whole struct (microcoded, tens of cycles) for every segment sent.
        o->tuple = tu;
        o->seq = util::SeqNum();
        o->ack = util::SeqNum();
        o->flags = 0;
        o->window = 0;
        o->opt = TcpOptions{};
        o->payload = o->payload2 = nullptr;
        o->payload_len = o->payload2_len = 0;
        ctr_.segments_out.inc();
        return o;
    }
    void fill_options(const Tcb& t, OutSegment& o, bool syn);
    // Linux's tcp_current_mss: the payload a data segment may carry now.
    // snd_mss already leaves room for timestamps; the SACK blocks sent
    // while data is held out of order come out of it here, so that the
    // segment still fits the MTU the peer's MSS stands for (without this,
    // 1,526-byte frames on a 1,500-byte MTU: issue 14).
    uint32_t current_mss(Tcb& t);
    // The window field of a segment we send; records its right edge.
    uint16_t advertised_window(Tcb& t);
    // RCV.WND: what the peer may send beyond RCV.NXT.
    uint32_t rcv_window(const Tcb& t) const;
    // A window update is due once the app can take a good deal more than
    // the peer was last told (RFC 9293 3.8.6.2.2 receiver SWS avoidance).
    bool window_update_due(const Tcb& t) const;
    void send_syn(Tcb& t);
    void send_syn_ack(Tcb& t);
    void send_ack(Tcb& t);
    void send_challenge_ack(Tcb& t);
    bool challenge_allowed();
    void send_rst(Tcb& t);
    void send_data(Tcb& t, uint32_t len, bool fin);
    void send_keepalive_probe(Tcb& t);
    // RFC 9293 3.10.7.1: the reply to a segment with no connection to take it.
    void send_reset_reply(const Tuple& tu, const Segment& seg);
    void send_time_wait_ack(const TimeWait& tw);

    // --- timers (timers.cpp) ---
    void on_timer(util::TimerNode& n);
    void on_tcb_timer(Tcb& t);
    void on_synack_timer(Tcb& t);
    void on_syn_timer(Tcb& t);
    void on_rto_timer(Tcb& t);
    void on_keepalive_timer(Tcb& t);
    void update_timer(Tcb& t);
    void arm(Tcb& t, TimerKind kind, uint64_t at_ms);
    void cancel_timer(Tcb& t);
    void rtt_sample(Tcb& t, uint32_t rtt_ms);
    uint64_t handshake_deadline(const Tcb& t) const;

    Tunables cfg_;  // sizing fields fixed at construction; tunables may change
    Counters ctr_;
    IsnGenerator isn_;
    FlowHasher flow_hasher_;
    util::TimerWheel wheel_;
    FlowTable flows_;
    ChunkPool chunks_;

    util::HugeArray<Tcb> tcbs_;
    std::unique_ptr<uint32_t[]> tcb_free_;
    uint32_t tcb_free_n_ = 0;
    util::HugeArray<TimeWait> tws_;
    std::unique_ptr<uint32_t[]> tw_free_;
    uint32_t tw_free_n_ = 0;

    std::unique_ptr<Listener[]> listeners_;
    uint32_t listener_n_ = 0;
    std::unique_ptr<uint16_t[]> port_to_listener_;  // 65536 entries, kNoListener if none

    // Derived from the config once.
    uint8_t rcv_wscale_ = 0;  // our shift when window scaling is negotiated
    uint32_t rcv_wnd_ = 0;    // advertised window, rounded to the shift

    // Per-call context.
    uint64_t now_us_ = 0;
    uint64_t now_ms_ = 0;
    Outbox* out_ = nullptr;
    uint32_t dirty_head_ = kNoIndex;
    uint32_t dirty_tail_ = kNoIndex;

    util::syncookie::CookieKeys cookies_;
    const CookieMac* mac_hint_ = nullptr;  // on_segment()'s, during the call
    uint32_t mac_gen_ = 1;                 // the secret's generation
    bool cookies_shared_ = false;          // set_cookie_secrets(s, shared)
    uint64_t wall_offset_ms_ = 0;          // set_wall_offset_ms()
    util::SourceLimiter syn_limiter_;
    FloodDetector flood_;
    bool flood_changed_ = false;

    // RFC 5961 7: challenge ACKs per core per second.
    uint64_t challenge_second_ = 0;
    uint32_t challenge_count_ = 0;
};

}  // namespace tern::tcp
