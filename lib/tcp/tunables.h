// Tunables of the protocol core. Names follow Linux's sysctls (the comment
// on each field gives the sysctl) so operators bring what they know; where
// Linux counts seconds, tern stores milliseconds and says so in the name.
// The Stack holds the live copy (Stack::tunables()); a run-time change
// (Stack::update_tunables) keeps the sizing fields, see keep_sizing().
#pragma once

#include <cstdint>

namespace tern::tcp {

struct Tunables {
    // --- sizing (fixed at start-up; nothing is allocated later) ---
    uint32_t max_tcbs = 65536;        // full connections per core
    uint32_t max_tw_buckets = 65536;  // tcp.max_tw_buckets: TIME_WAIT records per core
    uint32_t send_chunks = 65536;     // 2 KiB send/reassembly chunks per core
    uint32_t max_listeners = 64;      // listening ports per core

    // --- what we offer ---
    uint16_t mss = 1460;           // advertised MSS (Ethernet MTU 1500 - 40)
    uint32_t rcv_wnd = 65535;      // receive window we advertise (bytes)
    uint32_t wmem = 65536;         // tcp.wmem: send-buffer bytes per connection
    uint8_t ooo_max_segments = 4;  // out-of-order segments held per connection
    bool timestamps = true;        // tcp.timestamps (RFC 7323)
    bool window_scaling = true;    // tcp.window_scaling (RFC 7323)
    bool sack = true;              // tcp.sack (RFC 2018)

    // --- timers ---
    uint32_t msl_ms = 30000;               // tcp.msl_ms: TIME_WAIT lasts 2*MSL
    uint32_t fin_timeout_ms = 60000;       // tcp.fin_timeout (s in Linux): FIN_WAIT_2 idle limit
    uint8_t synack_retries = 5;            // tcp.synack_retries
    uint8_t syn_retries = 6;               // tcp.syn_retries (active open)
    bool synack_fail_rst = false;          // tcp.synack_fail_rst: RST when the half-open entry dies
    uint32_t rto_initial_ms = 1000;        // RFC 6298 2.1 (also the SYN-ACK base interval)
    uint32_t rto_min_ms = 200;             // tcp.rto_min (Linux TCP_RTO_MIN)
    uint32_t rto_max_ms = 120000;          // tcp.rto_max (Linux TCP_RTO_MAX)
    uint8_t retries2 = 15;                 // tcp.retries2: RTO retransmissions before giving up
    bool keepalive = false;                // SO_KEEPALIVE default for listeners
    uint32_t keepalive_time_ms = 7200000;  // tcp.keepalive_time (s in Linux)
    uint32_t keepalive_intvl_ms = 75000;   // tcp.keepalive_intvl (s in Linux)
    uint8_t keepalive_probes = 9;          // tcp.keepalive_probes

    // --- queues ---
    uint32_t max_syn_backlog = 4096;  // tcp.max_syn_backlog: SYN_RCVD entries per listener
    uint32_t somaxconn = 4096;        // net.somaxconn: cap on a listener's accept backlog
    bool abort_on_overflow = false;   // tcp.abort_on_overflow: RST (1) or drop (0) the final ACK
    // tcp.syncookies: 0 never; 1 when a listener's half-open queue (or the
    // TCB pool) is full; 2 always (no half-open state at all).
    uint8_t syncookies = 1;
    // Per-source SYN limit (token bucket per source address in a fixed
    // table; spoofed sources cannot grow it). 0 = off: legitimate NATs share
    // addresses.
    uint32_t syn_rate_per_source = 0;    // tcp.syn_rate_per_source (SYN/s)
    uint32_t syn_burst_per_source = 16;  // tcp.syn_burst_per_source
    uint32_t syn_limiter_sources = 65536;  // sources tracked per core
    // SYN flood detection: SYNs per second per core above which the worker
    // reports a flood (cookies switching on also start one). 0 = cookies only.
    uint32_t syn_flood_rate = 50000;     // tcp.syn_flood_rate

    // --- robustness ---
    uint32_t challenge_ack_limit =
        1000;              // tcp.challenge_ack_limit: per core per second (RFC 5961 7)
    bool rfc1337 = false;  // tcp.rfc1337: 1 = ignore RST in TIME_WAIT

    bool operator==(const Tunables&) const = default;
};

// The fields pools, tables and derived values are built from, fixed once a
// Stack exists: keep_sizing() copies them from `built` into `n` (the one
// list of them), same_sizing() says whether a change leaves them alone (the
// engine refuses a run-time change of any of them: a restart is needed).
inline void keep_sizing(Tunables& n, const Tunables& built) {
    n.max_tcbs = built.max_tcbs;
    n.max_tw_buckets = built.max_tw_buckets;
    n.send_chunks = built.send_chunks;
    n.max_listeners = built.max_listeners;
    n.rcv_wnd = built.rcv_wnd;                // the window shift is derived from it
    n.window_scaling = built.window_scaling;  // ... and from this
    n.syn_rate_per_source = built.syn_rate_per_source;  // the limiter's table
    n.syn_burst_per_source = built.syn_burst_per_source;
    n.syn_limiter_sources = built.syn_limiter_sources;
    n.syn_flood_rate = built.syn_flood_rate;  // the flood detector
}
inline bool same_sizing(const Tunables& a, const Tunables& b) {
    Tunables x = b;
    keep_sizing(x, a);
    return x == b;
}

}  // namespace tern::tcp
