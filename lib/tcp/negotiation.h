// What a SYN offered and what a connection uses of it (RFC 7323 1.3, 2.2;
// RFC 2018 2; RFC 9293 3.7.1): each option is on only if both sides offer
// it, and we offer what the tunables enable. One path for every open: the
// half-open entry, the SYN cookie and the active open's SYN-ACK.
#pragma once

#include <algorithm>
#include <cstdint>

#include "tcp/chunk_pool.h"
#include "tcp/options.h"
#include "tcp/tcb.h"
#include "tcp/tunables.h"
#include "util/syncookie.h"

namespace tern::tcp {

using SynOffer = util::syncookie::SynOffer;

// The smallest MSS we honour (Linux net.ipv4.tcp_min_snd_mss, 48): room for
// 40 bytes of options and 8 of payload, so even a segment with timestamps
// and 3 SACK blocks (28 bytes) carries data.
inline constexpr uint32_t kMinSndMss = 48;

// What a SYN's options offer. Without an MSS option the peer takes 536
// (RFC 9293 3.7.1). Inline: a returned struct went out through the stack in
// byte and word stores and came back as one wide load, which cannot be
// store-forwarded (a stall on every SYN).
inline SynOffer offer_of(const TcpOptions& o) {
    SynOffer s;
    s.mss = o.has_mss ? o.mss : uint16_t(536);
    s.wscale_ok = o.has_wscale;
    s.wscale = o.wscale;
    s.sack_ok = o.sack_permitted;
    s.timestamps = o.has_timestamp;
    return s;
}

// The options both sides use: the peer's offer as far as the tunables take
// it. (The MSS is the peer's: what it can receive.)
inline SynOffer agreed(const Tunables& cfg, const SynOffer& peer) {
    SynOffer s = peer;
    s.wscale_ok = cfg.window_scaling && peer.wscale_ok;
    s.sack_ok = cfg.sack && peer.sack_ok;
    s.timestamps = cfg.timestamps && peer.timestamps;
    s.ecn = false;
    return s;
}

// Sets the TCB's options and send MSS from the peer's offer; `rcv_wscale`
// is our shift, `peer_tsval` the TSval of the peer's SYN (TS.Recent, set
// at `now_s`).
// Inline: once per open, in its caller's registers.
inline void negotiate(Tcb& t, const Tunables& cfg, uint8_t rcv_wscale, const SynOffer& peer,
                      uint32_t peer_tsval, uint32_t now_s) {
    const SynOffer on = agreed(cfg, peer);
    t.ts_ok = on.timestamps;
    t.sack_ok = on.sack_ok;
    if (on.wscale_ok) {
        t.ws_ok = true;
        t.snd_wscale = peer.wscale;
        t.rcv_wscale = rcv_wscale;
    }
    if (t.ts_ok) {
        t.ts_recent = peer_tsval;
        t.ts_recent_s = now_s;
    }
    // The peer's MSS counts options too (RFC 6691): every segment carries
    // TSopt, so its room comes off. An MSS option below kMinSndMss is raised
    // to it first (Linux tcp_min_snd_mss), so the subtraction cannot wrap
    // (an MSS of 4 would have made a 65,528-byte send MSS) and a peer cannot
    // make us send segments of a byte or two: with timestamps, 36 bytes.
    const uint32_t opt_room = t.ts_ok ? 12 : 0;
    const uint32_t mss =
        std::max<uint32_t>(std::min<uint32_t>({peer.mss, cfg.mss, ChunkPool::kSize}), kMinSndMss);
    t.snd_mss = uint16_t(mss - opt_room);
}

// The options of a SYN or SYN-ACK: our MSS, and each of `on` (what we offer,
// or what was agreed) with our window shift and the timestamps given.
void put_syn_options(TcpOptions& o, const Tunables& cfg, uint8_t rcv_wscale, const SynOffer& on,
                     uint32_t tsval, uint32_t tsecr);

}  // namespace tern::tcp
