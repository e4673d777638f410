// The transmission control block (RFC 9293 3.3.1) and the compact TIME_WAIT
// record (Linux's inet_timewait_sock idea: a closed connection only needs
// enough to re-ACK a FIN and to judge a new SYN, not a full TCB).
//
// Workload: tens of thousands of mostly idle connections per core, so an
// idle TCB must stay small (<= 256 bytes, no payload memory: its send
// buffer and reassembly queue are chains of pooled chunks, empty when
// idle), and TIME_WAIT, which lasts 60 s and so outnumbers live
// connections under short-connection load, must be smaller still (<= 64).
#pragma once

#include <cstdint>

#include "tcp/app.h"
#include "tcp/state.h"
#include "tcp/tuple.h"
#include "util/seq.h"
#include "util/timer_wheel.h"

namespace tern::tcp {

struct Core;

inline constexpr uint32_t kNoIndex = UINT32_MAX;
inline constexpr uint16_t kNoListener = UINT16_MAX;

// One timer node per TCB; what it currently means depends on the state
// (at most one of these is needed at any time).
enum class TimerKind : uint8_t {
    None,
    Syn,        // SYN_SENT: SYN retransmission (tcp.syn_retries)
    SynAck,     // SYN_RCVD: SYN-ACK retransmission (tcp.synack_retries)
    Rto,        // data/FIN in flight, or zero-window probe (RFC 6298)
    FinWait2,   // FIN_WAIT_2 limit (tcp.fin_timeout)
    Keepalive,  // idle ESTABLISHED/CLOSE_WAIT (tcp.keepalive_*)
};

struct Tcb : Conn {
    util::TimerNode timer;
    Core* core = nullptr;  // the Stack's state, for the Conn calls
    App* app = nullptr;
    Tuple tuple;
    State state = State::Closed;
    TimerKind timer_kind = TimerKind::None;
    uint16_t listener = kNoListener;  // listener index for passive opens
    uint16_t snd_mss = 536;           // payload bytes per segment (options excluded)

    // Negotiated options (RFC 7323, RFC 2018).
    uint8_t snd_wscale = 0;  // peer's shift, applied to SEG.WND
    uint8_t rcv_wscale = 0;  // our shift, applied to what we advertise
    bool ts_ok : 1 = false;
    bool ws_ok : 1 = false;
    bool sack_ok : 1 = false;
    // Lifecycle flags.
    bool passive : 1 = false;          // created from a listener
    bool app_visible : 1 = false;      // the app knows this conn (on_open or connect)
    bool fin_queued : 1 = false;       // app called close(): FIN after the data
    bool fin_acked : 1 = false;        // our FIN is acknowledged
    bool abort_requested : 1 = false;  // app called abort(): RST at the next safe point
    bool ack_pending : 1 = false;      // an ACK must go out (data or FIN received)
    bool rtt_timing : 1 = false;       // rtt_seq/rtt_start_ms time one segment (Karn)
    bool dirty : 1 = false;            // on the Stack's output list
    bool keepalive : 1 = false;        // SO_KEEPALIVE
    bool queued : 1 = false;           // in its listener's accept queue
    uint8_t retries = 0;               // retransmissions of what the timer guards
    uint8_t ooo_count = 0;             // segments in the reassembly queue

    // Send sequence space (RFC 9293 3.3.1). snd_max is the highest SND.NXT
    // ever sent: after an RTO, snd_nxt goes back to snd_una (go-back-N) while
    // ACKs up to snd_max stay acceptable.
    util::SeqNum iss, snd_una, snd_nxt, snd_max, snd_wl1, snd_wl2;
    uint32_t snd_wnd = 0;      // scaled
    uint32_t max_snd_wnd = 0;  // MAX.SND.WND of RFC 5961 5.2
    // Receive sequence space. Data is handed to the app as it arrives; the
    // window we offer follows what the app can take (App::receive_space,
    // window.h), up to tcp.rcv_wnd, and never shrinks.
    util::SeqNum irs, rcv_nxt;
    // Right edge of the window last advertised: RCV.NXT + RCV.WND never
    // moves left (RFC 9293 3.8.6.2.2: do not shrink the window).
    util::SeqNum rcv_adv;

    // RFC 7323 timestamps: our TSval is now_ms + ts_offset (a per-tuple
    // offset, RFC 7323 7.1, so TSvals reveal no host clock; a connection
    // made from a SYN cookie continues from the SYN-ACK TSval its ACK echoes).
    uint32_t ts_recent = 0;
    uint32_t ts_offset = 0;
    uint32_t ts_recent_s = 0;  // when TS.Recent was set, s (Linux ts_recent_stamp)

    // RFC 6298 estimator.
    uint32_t srtt_us = 0;  // 0: no sample yet
    uint32_t rttvar_us = 0;
    uint32_t rto_ms = 0;
    util::SeqNum rtt_seq;
    uint32_t rtt_start_ms = 0;
    // Start of the current SYN/SYN-ACK schedule (backoff counted from it).
    uint32_t timer_base_ms = 0;
    uint32_t last_rx_ms = 0;  // keepalive idle clock

    // Send buffer: chain of chunks holding [snd_una, snd_una + sb_bytes).
    uint32_t sb_head = kNoIndex;
    uint32_t sb_tail = kNoIndex;
    uint32_t sb_bytes = 0;
    uint16_t sb_head_off = 0;  // first unacknowledged byte in the head chunk
    uint16_t sb_tail_len = 0;  // bytes used in the tail chunk
    // Reassembly queue: chunks sorted by sequence number.
    uint32_t ooo_head = kNoIndex;

    // Accept queue links (manual_accept listeners).
    uint32_t accept_prev = kNoIndex;
    uint32_t accept_next = kNoIndex;
    // Intrusive list of TCBs with output or an abort pending.
    uint32_t dirty_prev = kNoIndex;
    uint32_t dirty_next = kNoIndex;
    uint32_t index = 0;      // position in the pool
    uint32_t flow_hash = 0;  // keyed hash of the tuple, kept for erase
};

struct TimeWait {
    util::TimerNode timer;  // 2MSL
    Tuple tuple;
    util::SeqNum snd_nxt;  // our sequence after the FIN
    util::SeqNum rcv_nxt;  // after the peer's FIN
    uint32_t ts_recent = 0;
    uint32_t ts_offset = 0;
    uint16_t window = 0;  // as advertised on the wire
    uint8_t rcv_wscale = 0;
    bool ts_ok = false;
    uint32_t flow_hash = 0;
};
static_assert(sizeof(TimeWait) <= 64, "TIME_WAIT record must stay compact");

}  // namespace tern::tcp

namespace tern::tcp {
static_assert(sizeof(Tcb) <= 256, "an idle TCB must stay within 256 bytes");
}  // namespace tern::tcp
