// tcp::Stack: the per-core, sans-IO TCP endpoint, and the facade the engine
// and the apps use. One per worker, used by that worker's thread only (no
// locks, no atomics beyond counters).
//
// The engine calls it three ways, always passing the time (µs on any
// monotonic clock) and an Outbox that receives whatever must be sent:
//   on_segment(now, inbound, out)  for every received TCP segment, once
//                                  parse / hash_x4 / look_up have staged it
//                                  (inbound.h); returns a Verdict
//   advance(now, out)              once per poll loop: fires timers
//   flush(now, out)                after apps wrote outside callbacks
// Everything is allocated in the constructor. A full pool means a refused
// connection and a counter, never an allocation.
//
// The state lives in a Core (core.h) made of parts that each own one
// concern; the protocol steps are functions over it, in one file per group
// (docs/architecture.md walks a segment through them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tcp/app.h"
#include "tcp/core.h"
#include "tcp/inbound.h"
#include "tcp/segment.h"
#include "tcp/tunables.h"
#include "tcp/verdict.h"

namespace tern::tcp {

class Stack {
  public:
    // `secret` keys the ISN generator (RFC 6528) and, through derived keys,
    // the flow-table hash, the default cookie secrets, the limiter and the
    // flood detector. Give it util::random_key() in production; tests pass
    // fixed keys to be reproducible.
    Stack(const Tunables& cfg, const util::SipKey& secret, uint64_t now_us = 0);
    Stack(const Stack&) = delete;
    Stack& operator=(const Stack&) = delete;

    // Passive open on a local port (any local address). False if the port
    // already listens or the listener table is full.
    bool listen(uint16_t port, App& app, ListenOptions opts = {});
    // Graceful shutdown: every listening port is closed to new SYNs (they get
    // a RST as any closed port does); half-open and established conns stay.
    void stop_listening() { core_.listeners.close_all(); }
    // Active open (RFC 9293 3.10.1): sends a SYN into `out`. nullptr if the
    // tuple is in use or a pool is full. The app gets on_open when the
    // handshake completes, or on_closed(Refused / Timeout).
    Conn* connect(uint64_t now_us, const Tuple& t, App& app, Outbox& out, void* user = nullptr);
    // Takes the oldest connection from a manual_accept listener's queue and
    // calls App::on_open for it (then any data held for it is delivered).
    // nullptr if the queue is empty.
    Conn* accept(uint64_t now_us, uint16_t port, Outbox& out);

    // --- the receive path, in the order the engine calls it (inbound.h) ---
    // The TCP header at `tcp` (`len` bytes, checksum verified) of a packet
    // from `remote_addr` to `local_addr`: false if malformed (counted by
    // reason; the caller drops the packet). A malformed option is counted
    // too, but only ends the options: the segment goes on (true).
    bool parse(uint32_t local_addr, uint32_t remote_addr, const uint8_t* tcp, size_t len,
               Inbound& in);
    // Hashes four staged segments together, prefetches their flow-table
    // slots and prepares the cookie MAC of each bare SYN a listener will
    // answer with a cookie.
    void hash_x4(uint64_t now_us, Inbound* const in[4]) const;
    // The flow hash of a tuple (its low half picks the flow-table slot, its
    // high half is the tuple's TS offset): for tests and tools.
    FlowHash tuple_hash(const Tuple& t) const { return core_.hasher(t); }
    // One alone: the hash only (a cookie is computed when needed).
    void hash(Inbound& in) const {
        in.hash = core_.hasher(in.tuple);
        in.mac.gen = 0;
        in.looked_up = false;
    }
    // Once the slot is likely cached: finds the connection and starts
    // loading it.
    void look_up(Inbound& in) const {
        in.ref = core_.conns.find(in.tuple, in.hash.slot());
        in.ref_gen = core_.conns.generation();
        in.looked_up = true;
        core_.conns.prefetch_record(in.ref);
    }
    Verdict on_segment(uint64_t now_us, const Inbound& in, Outbox& out);
    // All of it for one segment (tests, tools).
    Verdict on_segment(uint64_t now_us, const Tuple& t, const Segment& seg, Outbox& out);

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
    bool has_pending_output() const { return !core_.dirty.empty(); }

    // SYN-cookie secrets: the control thread rotates them (util::syncookie::
    // rotate) and hands the pair to every worker -- and, for a VIP served
    // by several nodes, every node -- so each can validate the others'.
    // Expands the secrets' keys here, on the worker, once per rotation.
    // `shared`: the secrets come from a master other nodes hold too (ECMP
    // may bring this node the ACK of another node's cookie at any time), so
    // with tcp.syncookies = 1 every ACK that matches no state is checked as
    // a cookie, not only while this listener sends cookies itself.
    void set_cookie_secrets(const util::syncookie::CookieSecrets& s, bool shared = false) {
        core_.guard.set_secrets(s, shared);
    }
    // Wall-clock time minus the clock the Stack is called with, in ms. The
    // SYN-cookie counter runs on wall-clock time, so that nodes started at
    // any time agree on it (their clocks synchronised by NTP/PTP;
    // docs/scale-out.md says what skew a cookie survives). The engine sets
    // it at start and refreshes it (NTP may slew the clock).
    void set_wall_offset_ms(uint64_t offset) { core_.guard.set_wall_offset_ms(offset); }

    // SYN-flood state (see flood_detector.h). take_flood_change() is true
    // once after each start or end of a flood, for the engine to log it.
    const FloodReport& flood() const { return core_.guard.flood(); }
    bool take_flood_change() { return core_.guard.take_flood_change(); }

    // The live tunables: the one copy every reader (the Stack, the worker,
    // the control plane) goes by.
    const Tunables& tunables() const { return core_.cfg; }
    // Run-time change of the tunables that need no reallocation (see
    // same_sizing() in tunables.h). Sizing fields are kept.
    void update_tunables(const Tunables& t);

    // --- observation: gauges, the /tern/conns dump, tests ---
    const Counters& counters() const { return core_.ctr; }
    size_t live_tcbs() const { return core_.conns.live(); }
    size_t time_wait_records() const { return core_.conns.time_wait_records(); }
    size_t armed_timers() const { return core_.wheel.size(); }
    size_t chunks_in_use() const { return core_.chunks.in_use(); }
    size_t flows() const { return core_.conns.flows(); }
    // State of the connection on this tuple (TimeWait for a record, Closed
    // for none), and the live TCB if any.
    State state_of(const Tuple& t) const;
    Conn* find(const Tuple& t);
    // Half-open (SYN_RCVD) entries of the listener on `port`, of all
    // listeners (a gauge: a leak shows as one that stays up), and the
    // established connections waiting in the accept queue of `port`.
    uint32_t half_open(uint16_t port) const;
    uint32_t half_open_total() const { return core_.listeners.half_open_total(); }
    uint32_t accept_queue_length(uint16_t port) const;
    // f(const Conn&) / f(Conn&) for every live conn; the latter may close()
    // or abort() it.
    template <class F>
    void for_each_conn(F&& f) const {
        core_.conns.for_each_live([&](const Tcb& t) { f(static_cast<const Conn&>(t)); });
    }
    template <class F>
    void for_each_conn_mut(F&& f) {
        core_.conns.for_each_live([&](Tcb& t) { f(static_cast<Conn&>(t)); });
    }
    // Checks the Stack's internal accounting between calls (pools, flow
    // table, timers, chunks, sequence-space order); returns an empty string
    // or the first violation. O(pool size): for tests and fuzzing.
    std::string check_invariants() const;

  private:
    void begin_call(uint64_t now_us, Outbox& out);
    // Inline for the common case, nothing marked dirty (every SYN of a
    // flood): out of line it cost a call and its register saves per segment.
    void end_call() {
        if (!core_.dirty.empty()) send_dirty_conns();
        core_.out = nullptr;
    }
    void send_dirty_conns();
    void dispatch(uint32_t ref, const Tuple& t, FlowHash h, const Segment& seg);

    Core core_;
};

}  // namespace tern::tcp
