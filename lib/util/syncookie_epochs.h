// SYN-cookie secrets by epoch. The secret of epoch e is a keyed hash of a
// master secret and e, so every tern node configured with the same master
// (tcp.syncookie_secret) and a synchronised clock holds the same pair and
// validates the others' cookies: a flow that ECMP moves between nodes
// mid-handshake still completes. Without a configured master, a random one
// is drawn at start-up and only this node can validate.
//
// A cookie is checked against the current and the previous secret, so it
// survives one rotation; the period must exceed the cookie's own lifetime
// (two 64 s counter periods) for a cookie minted just before a rotation.
#pragma once

#include <cstdint>

#include "util/siphash.h"
#include "util/syncookie.h"

namespace tern::util::syncookie {

inline SipKey epoch_secret(const SipKey& master, uint64_t epoch) {
    return SipKey{siphash_u64x2(master, epoch, 0x636f6f6b69653031ull),
                  siphash_u64x2(master, epoch, 0x636f6f6b69653032ull)};
}

inline CookieSecrets secrets_for_epoch(const SipKey& master, uint64_t epoch) {
    return {epoch_secret(master, epoch), epoch_secret(master, epoch - 1)};
}

}  // namespace tern::util::syncookie
