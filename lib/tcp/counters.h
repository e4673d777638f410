// Per-core protocol counters: one named counter for every drop path and
// every event, written only by the owning worker (util::Counter is a relaxed
// atomic, so the control thread can read while the worker runs).
#pragma once

#include <cstdint>

#include "tcp/segment.h"
#include "util/counter.h"

namespace tern::tcp {

// X(name, "what it counts")
#define TERN_TCP_COUNTERS(X)                                                                   \
    X(segments_in, "segments handed to on_segment")                                            \
    X(segments_out, "segments placed in an Outbox")                                            \
    X(outbox_full, "segments not sent because the Outbox was full")                            \
    X(timers_deferred, "timers postponed to the next advance() for lack of Outbox room")       \
    /* header parsing (Stack::parse) */                                                        \
    X(parse_truncated, "TCP header shorter than 20 bytes")                                     \
    X(parse_bad_data_offset, "data offset below 5 words")                                      \
    X(parse_offset_beyond_segment, "data offset past the end of the segment")                  \
    X(parse_option_overrun, "option length running past the header (options cut there)")       \
    X(parse_option_zero_length, "option with length 0 (options cut there)")                    \
    X(parse_option_one_length, "option with length 1 (options cut there)")                     \
    /* no connection: closed port and LISTEN (RFC 9293 3.10.7.1-2) */                          \
    X(no_listener, "segment for a closed port (answered by RST unless it was one)")            \
    X(rst_to_closed_port, "RST for a closed port or listener, dropped (never RST a RST)")      \
    X(listen_ack_rst, "ACK to a listener, answered by RST")                                    \
    X(listen_no_syn, "segment to a listener with neither SYN, ACK nor RST, dropped")           \
    X(syn_fin_drops, "SYN with FIN to a listener, dropped")                                    \
    X(syn_data_ignored, "payload bytes on a SYN, not delivered and not acknowledged")          \
    X(syn_backlog_drops, "SYN dropped: listener's half-open queue full (tcp.max_syn_backlog)") \
    X(pool_exhausted, "SYN or connect refused: TCB pool empty")                                \
    X(syncookies_sent, "SYNs answered with a SYN cookie (no state kept)")                      \
    X(syncookies_ok, "ACKs that carried a valid SYN cookie (connection created)")              \
    X(syncookies_failed, "ACKs checked as SYN cookies and rejected (then RST)")                \
    X(syn_rate_limited, "SYNs dropped by the per-source limit (tcp.syn_rate_per_source)")      \
    X(syn_floods, "SYN floods detected (cookies needed or tcp.syn_flood_rate passed)")         \
    X(syn_flood_active, "gauge: 1 while a SYN flood is going on")                              \
    X(syn_flood_start_ms, "gauge: when the current or last flood began (Stack clock, ms)")     \
    X(syn_flood_peak_rate, "gauge: SYNs in the busiest second of the current or last flood")   \
    X(syn_flood_distinct_pct, "gauge: distinct sources among that second's SYNs, %")           \
    X(flow_table_full, "SYN or connect refused: flow table full")                              \
    /* handshake */                                                                            \
    X(passive_opens, "SYN answered by SYN-ACK (SYN_RCVD entered)")                             \
    X(active_opens, "connect() calls that sent a SYN")                                         \
    X(established, "connections that reached ESTABLISHED")                                     \
    X(accept_queue_overflow, "final ACKs refused: accept queue full (tcp.abort_on_overflow)")  \
    X(accepted, "connections taken from an accept queue")                                      \
    X(synrcvd_bad_ack, "unacceptable ACK in SYN_RCVD, answered by RST")                        \
    X(synrcvd_dup_syn, "retransmitted SYN in SYN_RCVD, SYN-ACK re-sent")                       \
    X(synrcvd_reset, "half-open connection removed by a RST")                                  \
    X(synsent_bad_ack, "unacceptable ACK in SYN_SENT, answered by RST")                        \
    X(synsent_drops, "segment in SYN_SENT without SYN or acceptable RST, dropped")             \
    X(conn_refused, "active open answered by RST")                                             \
    X(synack_retransmits, "SYN-ACK retransmissions")                                           \
    X(synack_timeouts, "half-open entries dropped after tcp.synack_retries")                   \
    X(syn_retransmits, "SYN retransmissions (active open)")                                    \
    X(syn_timeouts, "active opens given up after tcp.syn_retries")                             \
    /* synchronized states: RFC 9293 3.10.7.4 steps, RFC 5961, RFC 7323 */                     \
    X(paws_drops, "segments failing PAWS (RFC 7323 5), dropped and ACKed")                     \
    X(out_of_window, "segments failing the sequence check, dropped and ACKed")                 \
    X(rst_out_of_window, "RSTs outside the receive window, dropped silently")                  \
    X(rst_received, "acceptable RSTs (connection reset)")                                      \
    X(challenge_acks, "challenge ACKs sent (RFC 5961 3, 4, 5)")                                \
    X(challenge_ack_limited, "challenge ACKs suppressed by tcp.challenge_ack_limit")           \
    X(syn_in_window, "SYN in a synchronized state (challenge ACK path)")                       \
    X(no_ack_drops, "segment without ACK in a synchronized state, dropped")                    \
    X(bad_ack_drops, "ACK outside [SND.UNA - MAX.SND.WND, SND.NXT], dropped (RFC 5961 5)")     \
    X(data_after_fin, "payload after the peer's FIN, ignored")                                 \
    X(bytes_delivered, "payload bytes delivered to applications")                              \
    X(ooo_queued, "out-of-order segments held for reassembly")                                 \
    X(ooo_dropped, "out-of-order segments dropped: queue or chunk pool full")                  \
    X(ooo_delivered, "held segments delivered once the gap filled")                            \
    X(send_chunks_exhausted, "send() calls cut short by an empty chunk pool")                  \
    X(retransmits, "data/FIN retransmissions on RTO (incl. zero-window probes)")               \
    X(rto_timeouts, "connections reset after tcp.retries2 retransmissions")                    \
    /* teardown */                                                                             \
    X(peer_fins, "FINs received in order")                                                     \
    X(conn_closed, "connections that ended (all reasons)")                                     \
    X(conn_reset, "connections ended by the peer's RST")                                       \
    X(conn_aborted, "connections ended by abort() (RST sent)")                                 \
    X(rst_sent, "RST segments sent (all reasons)")                                             \
    X(fin_wait2_timeouts, "FIN_WAIT_2 connections ended by tcp.fin_timeout")                   \
    X(keepalive_probes, "keepalive probes sent")                                               \
    X(keepalive_timeouts, "connections reset after tcp.keepalive_probes")                      \
    /* TIME_WAIT records */                                                                    \
    X(tw_created, "TIME_WAIT records created")                                                 \
    X(tw_pool_exhausted, "TIME_WAIT skipped: record pool full (tcp.max_tw_buckets)")           \
    X(tw_expired, "TIME_WAIT records ended by 2MSL")                                           \
    X(tw_fin_reack, "retransmitted FINs re-ACKed in TIME_WAIT (2MSL restarted)")               \
    X(tw_acks, "other segments answered by ACK in TIME_WAIT")                                  \
    X(tw_dropped, "in-order pure ACKs in TIME_WAIT, dropped")                                  \
    X(tw_reuse, "SYNs that reused a TIME_WAIT tuple (RFC 6191)")                               \
    X(tw_killed_by_rst, "TIME_WAIT records ended by an exact RST")                             \
    X(tw_rst_ignored, "RSTs ignored in TIME_WAIT (not exact, or tcp.rfc1337)")

struct Counters {
#define TERN_TCP_COUNTER_FIELD(name, doc) util::Counter name;
    TERN_TCP_COUNTERS(TERN_TCP_COUNTER_FIELD)
#undef TERN_TCP_COUNTER_FIELD

    // Calls f(name, value) for every counter, in declaration order.
    template <class F>
    void for_each(F&& f) const {
#define TERN_TCP_COUNTER_VISIT(name, doc) f(#name, name.get());
        TERN_TCP_COUNTERS(TERN_TCP_COUNTER_VISIT)
#undef TERN_TCP_COUNTER_VISIT
    }

    // A rejected header, by the reason parse_segment() gave.
    void count_parse_error(ParseResult r);
};

}  // namespace tern::tcp
