// Frames waiting for the port. rte_eth_tx_burst may take fewer than it is
// given (memif: the shared ring is full until tern drains it); what it does
// not take waits here, in order, instead of being dropped, so a connection
// never loses a segment to the generator's own back-pressure. Only a full
// stage drops (counted). A power-of-two ring of mbuf pointers: flushing
// never moves the backlog.
#pragma once

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace tern::gen {

class TxStage {
  public:
    TxStage(uint16_t port, uint16_t queue, uint32_t capacity_pow2, unsigned burst)
        : port_(port), queue_(queue), mask_(capacity_pow2 - 1), burst_(burst), ring_(capacity_pow2) {}
    ~TxStage() { clear(); }
    TxStage(const TxStage&) = delete;
    TxStage& operator=(const TxStage&) = delete;

    void push(rte_mbuf* m) {
        if (size() > mask_) {
            rte_pktmbuf_free(m);
            ++dropped_;
            return;
        }
        ring_[tail_++ & mask_] = m;
    }
    uint32_t size() const { return tail_ - head_; }

    // Hands bursts to the port until it refuses or the stage is empty;
    // returns how many it took.
    uint32_t flush() {
        uint32_t taken = 0;
        while (head_ != tail_) {
            const uint32_t at = head_ & mask_;
            const uint32_t n = std::min({tail_ - head_, mask_ + 1 - at, uint32_t(burst_)});
            const uint16_t k = rte_eth_tx_burst(port_, queue_, &ring_[at], uint16_t(n));
            head_ += k;
            taken += k;
            if (k < n) break;
        }
        sent_ += taken;
        return taken;
    }
    void clear() {
        while (head_ != tail_) rte_pktmbuf_free(ring_[head_++ & mask_]);
    }

    uint64_t sent() const { return sent_; }
    uint64_t dropped() const { return dropped_; }

  private:
    uint16_t port_, queue_;
    uint32_t mask_;
    unsigned burst_;
    std::vector<rte_mbuf*> ring_;
    uint32_t head_ = 0, tail_ = 0;
    uint64_t sent_ = 0, dropped_ = 0;
};

}  // namespace tern::gen
