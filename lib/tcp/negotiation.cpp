#include "tcp/negotiation.h"

#include <algorithm>

#include "tcp/chunk_pool.h"

namespace tern::tcp {

void negotiate(Tcb& t, const Tunables& cfg, uint8_t rcv_wscale, const SynOffer& peer,
               uint32_t peer_tsval) {
    const SynOffer on = agreed(cfg, peer);
    t.ts_ok = on.timestamps;
    t.sack_ok = on.sack_ok;
    if (on.wscale_ok) {
        t.ws_ok = true;
        t.snd_wscale = peer.wscale;
        t.rcv_wscale = rcv_wscale;
    }
    if (t.ts_ok) t.ts_recent = peer_tsval;
    const uint32_t opt_room = t.ts_ok ? 12 : 0;  // every segment carries TSopt
    t.snd_mss = uint16_t(std::max<uint32_t>(
        std::min<uint32_t>({peer.mss, cfg.mss, ChunkPool::kSize}) - opt_room, 64));
}

void put_syn_options(TcpOptions& o, const Tunables& cfg, uint8_t rcv_wscale, const SynOffer& on,
                     uint32_t tsval, uint32_t tsecr) {
    o.has_mss = true;
    o.mss = cfg.mss;
    o.sack_permitted = on.sack_ok;
    if (on.wscale_ok) {
        o.has_wscale = true;
        o.wscale = rcv_wscale;
    }
    if (on.timestamps) {
        o.has_timestamp = true;
        o.ts_val = tsval;
        o.ts_ecr = tsecr;
    }
}

}  // namespace tern::tcp
