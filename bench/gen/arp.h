// ARP on the generator's side: it resolves tern's MAC once before the run,
// and during the run answers tern's requests for any address the
// generator sends from (its client and flood ranges), with its own MAC.
#pragma once

#include <rte_mbuf.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "addr_range.h"
#include "net/ether.h"

struct rte_mempool;

namespace tern::gen {

class ArpResponder {
  public:
    ArpResponder(const net::MacAddr& mac, std::vector<AddrRange> ours) : mac_(mac), ours_(std::move(ours)) {}

    // m holds an ARP frame. A request for one of our addresses becomes its
    // reply in place (true: send m); anything else is left to the caller.
    bool answer(rte_mbuf* m);
    // The sender's MAC if m is an ARP reply from `ip`.
    static std::optional<net::MacAddr> reply_from(const rte_mbuf* m, uint32_t ip);

    uint64_t replies() const { return replies_; }

  private:
    net::MacAddr mac_;
    std::vector<AddrRange> ours_;
    uint64_t replies_ = 0;
};

// Asks for `target`'s MAC (from our_ip) every 100 ms until a reply comes,
// answering requests meanwhile; nullopt after timeout_s or on stop. Frames
// other than ARP are dropped: nothing else is expected before the run.
std::optional<net::MacAddr> resolve_mac(uint16_t port, rte_mempool* pool, const net::MacAddr& our_mac,
                                        uint32_t our_ip, uint32_t target, double timeout_s,
                                        ArpResponder& responder, const std::atomic<bool>& stop);

}  // namespace tern::gen
