#include "util/siphash.h"

namespace tern::util {

namespace {

// Little-endian by definition of SipHash, whatever the host order.
uint64_t load_le(const uint8_t* p, size_t n) {
    uint64_t w = 0;
    for (size_t i = 0; i < n; ++i) w |= uint64_t(p[i]) << (8 * i);
    return w;
}

template <int C, int D>
uint64_t siphash_cd(const SipKey& key, const void* data, size_t len) {
    const auto* p = static_cast<const uint8_t*>(data);
    sip_detail::State s(key);
    const size_t whole = len & ~size_t(7);
    for (size_t i = 0; i < whole; i += 8) s.absorb<C>(load_le(p + i, 8));
    s.absorb<C>(sip_detail::len_word(len) | load_le(p + whole, len - whole));
    return s.finish<D>();
}

}  // namespace

uint64_t siphash(const SipKey& key, const void* data, size_t len) {
    return siphash_cd<2, 4>(key, data, len);
}

uint64_t siphash13(const SipKey& key, const void* data, size_t len) {
    return siphash_cd<1, 3>(key, data, len);
}

}  // namespace tern::util
