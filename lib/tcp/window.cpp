#include "tcp/window.h"

#include <algorithm>

#include "tcp/reassembly.h"

namespace tern::tcp {

uint32_t rcv_window(const Core& c, const Tcb& t) {
    const uint32_t cap = 0xFFFFu << t.rcv_wscale;
    uint32_t wnd = c.rcv_wnd < cap ? c.rcv_wnd : cap;
    if (t.app && t.state != State::SynRcvd && t.state != State::SynSent) {
        size_t space = t.app->receive_space(t);
        if (space < wnd) wnd = uint32_t(space) >> t.rcv_wscale << t.rcv_wscale;
    }
    // Never less than what was already offered.
    if (t.rcv_adv > t.rcv_nxt && t.rcv_adv - t.rcv_nxt > wnd) wnd = t.rcv_adv - t.rcv_nxt;
    return wnd;
}

bool window_update_due(const Core& c, const Tcb& t) {
    const uint32_t offered = t.rcv_adv > t.rcv_nxt ? t.rcv_adv - t.rcv_nxt : 0;
    const uint32_t now = rcv_window(c, t);
    return now > offered &&
           (offered == 0 || now - offered >= std::min<uint32_t>(t.snd_mss, c.rcv_wnd / 2));
}

uint16_t advertised_window(Core& c, Tcb& t) {
    const uint16_t w = uint16_t(rcv_window(c, t) >> t.rcv_wscale);
    const util::SeqNum edge = t.rcv_nxt + (uint32_t(w) << t.rcv_wscale);
    if (edge > t.rcv_adv) t.rcv_adv = edge;
    return w;
}

uint32_t current_mss(Core& c, Tcb& t) {
    if (!t.sack_ok || t.ooo_head == kNoIndex) return t.snd_mss;
    TcpOptions o;
    o.sack_count = uint8_t(ooo::sack_blocks(t, c.chunks, o.sack, t.ts_ok ? 3 : kMaxSackBlocks));
    // At most 4 + 3 * 8 = 28 bytes (timestamps on: snd_mss >= 48 - 12) or
    // 4 + 4 * 8 = 36 (off: snd_mss >= 48); kMinSndMss leaves 8 bytes either way.
    return t.snd_mss - uint32_t(options_length(o));
}

}  // namespace tern::tcp
