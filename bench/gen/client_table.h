// cps clients: --concurrency emulated HTTP clients, each running one
// connection at a time, as fast as tern allows:
//   SYN -> SYN-ACK (ack = ISN + 1) -> ACK + GET (keep-alive) -> response
//   (status 200, Content-Length bytes) -> FIN+ACK (the client closes first)
//   -> tern's ACK and FIN -> final ACK -> TIME_WAIT (time_wait.h) -> next.
// Nothing is retransmitted: a connection without progress for --timeout-ms
// fails, as does one that is reset or answered badly, and its client starts
// over with its next tuple. A connection given up (timeout, bad response)
// gets a RST first, so tern's tables do not fill with connections no one
// will finish.
//
// Tuples: with N clients and P source ports, client i owns the ports
// sport_lo + i + N*k (k < P / N) and walks the sequence of its (address,
// port) pairs from a random starting point, address fastest. A reply's
// destination port gives the client back with one modulo: the table is a
// flat array, no hash, no search. Every tuple of the range is in exactly
// one client's sequence, so tuples never collide between clients.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "clock.h"
#include "common/rng.h"
#include "common/tcp_frame.h"
#include "histogram.h"
#include "options.h"
#include "templates.h"
#include "time_wait.h"
#include "tx_stage.h"

struct rte_mempool;

namespace tern::gen {

struct ClientCounters {
    uint64_t started = 0, completed = 0;
    uint64_t failed_timeout = 0, failed_reset = 0, failed_bad_response = 0;
    uint64_t unexpected = 0;   // in-flow segments that fit no state (ignored)
    uint64_t bad_checksum = 0; // dropped (the connection then times out)
    uint64_t stale = 0;        // for a tuple the client already left
    uint64_t tw_waits = 0;     // a client waited for its next tuple to leave TIME_WAIT
    uint64_t alloc_failures = 0;
    uint64_t failed() const { return failed_timeout + failed_reset + failed_bad_response; }
};

class ClientTable {
  public:
    // Keep-alive (HTTP/1.1's default), so that the client closes first.
    static constexpr std::string_view kRequest = "GET / HTTP/1.1\r\nHost: tern\r\n\r\n";

    ClientTable(const Options& o, const SegmentTemplates& tpl, rte_mempool* pool, TxStage& tx,
                const RunClock& clock, uint64_t seed);

    bool owns(uint32_t daddr) const { return range_.contains(daddr); }
    // A segment from tern to one of our addresses; takes m (sends or frees it).
    void on_segment(const bench::TcpIn& in, rte_mbuf* m, Now now);
    // Starts clients that are waiting, fails those without progress. Runs
    // every 20 µs at most and visits 64 clients each time, so the loop pays
    // little for it at any table size (1024 clients: swept every 0.3 ms;
    // 65535: every 20 ms, still far finer than --timeout-ms). Connections
    // that complete start their successor at once, not here.
    void poll(Now now);
    // The run is over: every connection in flight is reset, so that tern
    // does not keep (and retransmit into) what the generator walked away from.
    void abort_all(Now now);

    const ClientCounters& counters() const { return ctr_; }
    // SYN sent -> SYN-ACK received, SYN sent -> whole response received (ticks).
    LatencyHistogram& handshake() { return hs_; }
    LatencyHistogram& response() { return resp_; }

  private:
    enum State : uint8_t { Waiting, SynSent, Requested, Closing };
    static constexpr uint8_t kFinAcked = 1;  // tern ACKed our FIN
    static constexpr uint8_t kPeerFin = 2;   // tern's FIN received (and ACKed)
    static constexpr uint8_t kTwWait = 4;    // waiting for the next tuple's TIME_WAIT
    static constexpr uint32_t kUnknownLength = UINT32_MAX;

    // Hot per-client state: 48 bytes, one cache line touched per segment.
    struct Client {
        uint32_t addr = 0;
        uint16_t sport = 0;
        State state = Waiting;
        uint8_t bits = 0;         // kFinAcked, kPeerFin, kTwWait
        uint32_t isn = 0;
        uint32_t rcv_nxt = 0;     // next sequence number expected from tern
        uint32_t peer_ts = 0;     // tern's last TSval, echoed
        uint32_t resp_left = 0;   // response bytes still to come
        uint64_t t_syn = 0;       // tsc when the SYN left
        uint64_t t_progress = 0;  // tsc of the last segment that moved the connection on
        uint64_t pos = 0;         // position in the client's tuple sequence
    };
    static_assert(sizeof(Client) == 48);

    bool in_flight(const Client& c) const { return c.state != Waiting; }
    // Opens the client's connection on its current tuple with m (allocated
    // when null); false (the client keeps waiting) if the tuple is still in
    // TIME_WAIT or no mbuf is free.
    bool start(uint32_t i, rte_mbuf* m, Now now);
    // The connection on the client's current tuple is over: TIME_WAIT, next tuple.
    void finish(uint32_t i, Now now);
    // Count the failure, reset the peer (unless it reset us), finish() and
    // start over.
    enum class Failure : uint8_t { timeout, reset, bad_response };
    void fail(uint32_t i, Failure why, rte_mbuf* m, Now now);
    // A RST for the client's connection, in m (allocated when null).
    void send_rst(uint32_t i, rte_mbuf* m, Now now);
    // Our next sequence number in the connection's current state.
    uint32_t snd_nxt(const Client& c) const;
    void send(rte_mbuf* m, uint16_t len);
    SegFields fields(const Client& c, uint32_t seq, uint8_t flags, Now now) const;

    void on_syn_ack(uint32_t i, const bench::TcpIn& in, rte_mbuf* m, Now now);
    void on_response(uint32_t i, const bench::TcpIn& in, rte_mbuf* m, Now now);
    void on_closing(uint32_t i, const bench::TcpIn& in, rte_mbuf* m, Now now);

    const SegmentTemplates& tpl_;
    rte_mempool* pool_;
    TxStage& tx_;
    AddrRange range_;
    uint32_t n_;               // clients
    uint16_t sport_lo_;
    uint32_t ports_each_;      // source ports per client
    uint64_t seq_len_;         // tuples per client: addresses x ports_each_
    uint32_t slices_;          // TIME_WAIT slices per client sequence
    uint64_t seed_;
    uint64_t timeout_ticks_;
    uint32_t twice_msl_ms_;
    uint32_t sweep_ = 0;       // next client poll() visits
    uint64_t poll_every_;      // ticks between two poll() visits
    uint64_t next_poll_ = 0;
    bench::Rng rng_;
    std::vector<Client> cl_;
    std::vector<TimeWaitRow> tw_;
    ClientCounters ctr_;
    LatencyHistogram hs_, resp_;
};

}  // namespace tern::gen
