// Big-endian loads and stores on unaligned byte buffers: the only way wire
// fields are read or written, so no code casts a packet pointer to a struct.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace tern::util {

// One swap and one move each: written byte by byte, GCC's store merging
// joined neighbouring fields into a 64-bit store it assembled a byte at a
// time (about 30 instructions for the two addresses of an IPv4 header).
inline uint16_t load_be16(const uint8_t* p) {
    uint16_t v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap16(v);
    return v;
}

inline uint32_t load_be32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
    return v;
}

inline void store_be16(uint8_t* p, uint16_t v) {
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap16(v);
    std::memcpy(p, &v, sizeof v);
}

inline void store_be32(uint8_t* p, uint32_t v) {
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
    std::memcpy(p, &v, sizeof v);
}

// Host-order load of an unaligned word: for sums where byte order does not
// matter (the Internet checksum), so no swap is paid per word.
template <class T>
inline T load_native(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Little-endian, for inputs and outputs defined that way (the cookie MAC's
// block): one move on x86, a swap on a big-endian host.
inline void store_le32(uint8_t* p, uint32_t v) {
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
    std::memcpy(p, &v, sizeof v);
}

inline void store_le64(uint8_t* p, uint64_t v) {
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    std::memcpy(p, &v, sizeof v);
}

inline uint64_t load_le64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    return v;
}

}  // namespace tern::util
