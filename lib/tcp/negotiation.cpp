#include "tcp/negotiation.h"

namespace tern::tcp {

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
