// The segments the generator sends, prebuilt. Each send copies a template
// of fixed size into the mbuf and patches the fields that vary (source
// address and port, seq, ack, flags, timestamps); both checksums are the
// template's sum with those fields zero plus the new field values (RFC 1624
// style), so no byte of the frame is summed again.
#pragma once

#include <cstdint>
#include <string_view>

#include "net/ether.h"

namespace tern::gen {

// What varies between two segments of one template.
struct SegFields {
    uint32_t saddr = 0;
    uint16_t sport = 0;
    uint32_t seq = 0, ack = 0;
    uint8_t flags = 0;
    uint32_t tsval = 0, tsecr = 0;
};

class SegmentTemplates {
  public:
    // Frames from src_mac to dst_mac, to daddr:dport; `request` is the
    // payload of request().
    SegmentTemplates(const net::MacAddr& src_mac, const net::MacAddr& dst_mac, uint32_t daddr,
                     uint16_t dport, std::string_view request);

    // Each writes a whole frame at p (at least kCopy bytes of room) and
    // returns its length.
    // SYN with Linux's options: MSS 1460, SACK-permitted, TS, NOP, WS 7.
    uint16_t syn(uint8_t* p, const SegFields& f) const { return write(syn_, p, f); }
    // Header only, with NOP NOP TS: ACKs and FINs.
    uint16_t ack(uint8_t* p, const SegFields& f) const { return write(ack_, p, f); }
    // As ack(), carrying the request.
    uint16_t request(uint8_t* p, const SegFields& f) const { return write(req_, p, f); }
    uint16_t request_len() const { return req_payload_; }

    // Every template fits two cache lines: the SYN is 74 bytes, an ACK 66,
    // the request segment 97.
    static constexpr uint16_t kCopy = 128;

  private:
    struct Tpl {
        alignas(64) uint8_t frame[kCopy];
        uint16_t len = 0;
        uint16_t ts_off = 0;   // offset of TSval in the frame
        uint32_t ip_sum = 0;   // uncomplemented sums with the varying fields zero
        uint32_t tcp_sum = 0;
    };
    static Tpl build(const net::MacAddr& src, const net::MacAddr& dst, uint32_t daddr, uint16_t dport,
                     bool syn, std::string_view payload);
    static uint16_t write(const Tpl& t, uint8_t* p, const SegFields& f);

    Tpl syn_, ack_, req_;
    uint16_t req_payload_ = 0;
};

}  // namespace tern::gen
