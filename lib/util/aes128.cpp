#include "util/aes128.h"

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TERN_AES_X86 1
#endif

namespace tern::util {

namespace {

// GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS-197 4.2).
constexpr uint8_t xtime(uint8_t b) { return uint8_t((b << 1) ^ ((b & 0x80) ? 0x1b : 0)); }

constexpr uint8_t gf_mul(uint8_t a, uint8_t b) {
    uint8_t p = 0;
    for (; b; b >>= 1, a = xtime(a))
        if (b & 1) p ^= a;
    return p;
}

constexpr uint8_t rotl8(uint8_t x, int n) { return uint8_t((x << n) | (x >> (8 - n))); }

// The S-box from its definition (FIPS-197 5.1.1): the multiplicative
// inverse (a^254; 0 maps to 0), then the affine transformation.
constexpr std::array<uint8_t, 256> make_sbox() {
    std::array<uint8_t, 256> s{};
    for (int a = 0; a < 256; ++a) {
        uint8_t inv = 1, base = uint8_t(a);
        for (int e = 254; e; e >>= 1, base = gf_mul(base, base))
            if (e & 1) inv = gf_mul(inv, base);
        if (a == 0) inv = 0;
        s[a] = uint8_t(inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63);
    }
    return s;
}

constexpr std::array<uint8_t, 256> kSbox = make_sbox();
static_assert(kSbox[0x00] == 0x63 && kSbox[0x53] == 0xed, "FIPS-197 5.1.1 example");

bool cpu_has_aes() {
#ifdef TERN_AES_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse2");
#else
    return false;
#endif
}

}  // namespace

bool Aes128::hardware() {
    static const bool has = cpu_has_aes();
    return has;
}

Aes128::Aes128(const Key& key) : hw_(hardware()) {
    // FIPS-197 5.2 with Nk = 4: word i of the schedule is rk_[i / 4][4 * (i % 4)..].
    std::memcpy(rk_[0], key.data(), 16);
    uint8_t rcon = 1;
    for (int i = 4; i < 44; ++i) {
        const uint8_t* prev = &rk_[(i - 1) / 4][4 * ((i - 1) % 4)];
        uint8_t t[4] = {prev[0], prev[1], prev[2], prev[3]};
        if (i % 4 == 0) {
            // RotWord, SubWord, Rcon.
            const uint8_t t0 = t[0];
            t[0] = uint8_t(kSbox[t[1]] ^ rcon);
            t[1] = kSbox[t[2]];
            t[2] = kSbox[t[3]];
            t[3] = kSbox[t0];
            rcon = xtime(rcon);
        }
        const uint8_t* back = &rk_[(i - 4) / 4][4 * (i % 4)];
        uint8_t* w = &rk_[i / 4][4 * (i % 4)];
        for (int b = 0; b < 4; ++b) w[b] = uint8_t(back[b] ^ t[b]);
    }
}

Aes128::Block Aes128::encrypt_soft(const Block& in) const {
    // State byte i is row i % 4, column i / 4 (FIPS-197 3.4).
    uint8_t s[16];
    for (int i = 0; i < 16; ++i) s[i] = uint8_t(in[i] ^ rk_[0][i]);
    for (int round = 1; round <= 10; ++round) {
        uint8_t t[16];
        // SubBytes and ShiftRows: row r moves left by r columns.
        for (int c = 0; c < 4; ++c)
            for (int r = 0; r < 4; ++r) t[r + 4 * c] = kSbox[s[r + 4 * ((c + r) % 4)]];
        if (round < 10) {
            // MixColumns: each column times {03}x^3 + {01}x^2 + {01}x + {02}.
            for (int c = 0; c < 4; ++c) {
                const uint8_t* a = t + 4 * c;
                const uint8_t all = uint8_t(a[0] ^ a[1] ^ a[2] ^ a[3]);
                uint8_t m[4];
                for (int r = 0; r < 4; ++r)
                    m[r] = uint8_t(a[r] ^ all ^ xtime(uint8_t(a[r] ^ a[(r + 1) % 4])));
                std::memcpy(t + 4 * c, m, 4);
            }
        }
        for (int i = 0; i < 16; ++i) s[i] = uint8_t(t[i] ^ rk_[round][i]);
    }
    Block out;
    std::memcpy(out.data(), s, 16);
    return out;
}

uint64_t Aes128::prf64_soft(uint64_t lo, uint64_t hi) const {
    Block b;
    store_le64(b.data(), lo);
    store_le64(b.data() + 8, hi);
    return load_le64(encrypt_soft(b).data());
}

#ifdef TERN_AES_X86
namespace {
__attribute__((target("aes,sse2"))) inline __m128i aesni_rounds(const uint8_t (*rk)[16],
                                                                __m128i s) {
    const auto key = [rk](int i) {
        return _mm_load_si128(reinterpret_cast<const __m128i*>(rk[i]));
    };
    s = _mm_xor_si128(s, key(0));
    for (int r = 1; r < 10; ++r) s = _mm_aesenc_si128(s, key(r));
    return _mm_aesenclast_si128(s, key(10));
}
}  // namespace

__attribute__((target("aes,sse2"))) Aes128::Block Aes128::encrypt_hw(const Block& in) const {
    Block out;
    _mm_storeu_si128(
        reinterpret_cast<__m128i*>(out.data()),
        aesni_rounds(rk_, _mm_loadu_si128(reinterpret_cast<const __m128i*>(in.data()))));
    return out;
}

__attribute__((target("aes,sse2"))) uint64_t Aes128::prf64_hw(uint64_t lo, uint64_t hi) const {
    // x86 is little-endian: lane 0 holds lo's bytes in their LE order.
    return uint64_t(_mm_cvtsi128_si64(aesni_rounds(rk_, _mm_set_epi64x(int64_t(hi), int64_t(lo)))));
}
__attribute__((target("aes,sse2"))) void Aes128::prf64_x4_hw(const uint64_t lo[4],
                                                             const uint64_t hi[4],
                                                             uint64_t out[4]) const {
    __m128i s[4];
    const __m128i k0 = _mm_load_si128(reinterpret_cast<const __m128i*>(rk_[0]));
    for (int i = 0; i < 4; ++i)
        s[i] = _mm_xor_si128(_mm_set_epi64x(int64_t(hi[i]), int64_t(lo[i])), k0);
    for (int r = 1; r < 10; ++r) {
        const __m128i k = _mm_load_si128(reinterpret_cast<const __m128i*>(rk_[r]));
        for (int i = 0; i < 4; ++i) s[i] = _mm_aesenc_si128(s[i], k);
    }
    const __m128i k10 = _mm_load_si128(reinterpret_cast<const __m128i*>(rk_[10]));
    for (int i = 0; i < 4; ++i)
        out[i] = uint64_t(_mm_cvtsi128_si64(_mm_aesenclast_si128(s[i], k10)));
}
#else
Aes128::Block Aes128::encrypt_hw(const Block& in) const { return encrypt_soft(in); }
uint64_t Aes128::prf64_hw(uint64_t lo, uint64_t hi) const { return prf64_soft(lo, hi); }
void Aes128::prf64_x4_hw(const uint64_t lo[4], const uint64_t hi[4], uint64_t out[4]) const {
    for (int i = 0; i < 4; ++i) out[i] = prf64_soft(lo[i], hi[i]);
}
#endif

}  // namespace tern::util
