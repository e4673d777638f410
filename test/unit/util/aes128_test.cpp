#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>

#include "util/aes128.h"

using tern::util::Aes128;

namespace {

std::array<uint8_t, 16> hex16(const std::string& h) {
    REQUIRE(h.size() == 32);
    std::array<uint8_t, 16> b{};
    for (size_t i = 0; i < 16; ++i) b[i] = uint8_t(std::stoul(h.substr(2 * i, 2), nullptr, 16));
    return b;
}

struct Vector {
    const char* key;
    const char* plain;
    const char* cipher;
};

// FIPS-197 Appendix B (the worked cipher example) and Appendix C.1.
constexpr Vector kFips[] = {
    {"2b7e151628aed2a6abf7158809cf4f3c", "3243f6a8885a308d313198a2e0370734",
     "3925841d02dc09fbdc118597196a0b32"},
    {"000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff",
     "69c4e0d86a7b0430d8cdb78070b4c55a"},
};

}  // namespace

TEST_CASE("AES-128 in software matches FIPS-197's vectors", "[aes]") {
    for (const Vector& v : kFips) {
        INFO(v.key);
        const Aes128 aes(hex16(v.key));
        CHECK(aes.encrypt_soft(hex16(v.plain)) == hex16(v.cipher));
        CHECK(aes.encrypt(hex16(v.plain)) == hex16(v.cipher));
    }
}

TEST_CASE("AES-128 with AES-NI matches FIPS-197's vectors and the software path", "[aes]") {
    if (!Aes128::hardware()) {
        WARN("this CPU has no AES instructions: only the software path was tested");
        return;
    }
    for (const Vector& v : kFips) {
        INFO(v.key);
        CHECK(Aes128(hex16(v.key)).encrypt_hw(hex16(v.plain)) == hex16(v.cipher));
    }
    // Nodes with and without AES-NI must agree on every cookie.
    std::mt19937_64 rng(6);
    for (int i = 0; i < 2000; ++i) {
        Aes128::Key k;
        Aes128::Block b;
        for (auto& x : k) x = uint8_t(rng());
        for (auto& x : b) x = uint8_t(rng());
        const Aes128 aes(k);
        REQUIRE(aes.encrypt_hw(b) == aes.encrypt_soft(b));
    }
}

TEST_CASE("AES-128 prf64: the first 8 bytes of the block lo, hi encrypted", "[aes]") {
    // FIPS-197 C.1 as two little-endian words in and out.
    const Aes128 aes(hex16("000102030405060708090a0b0c0d0e0f"));
    const uint64_t lo = 0x7766554433221100ull, hi = 0xffeeddccbbaa9988ull;
    CHECK(aes.prf64(lo, hi) == 0x30047b6ad8e0c469ull);
    CHECK(aes.prf64_soft(lo, hi) == 0x30047b6ad8e0c469ull);
    if (Aes128::hardware()) CHECK(aes.prf64_hw(lo, hi) == 0x30047b6ad8e0c469ull);
}

TEST_CASE("AES-128 prf64_x4: four prf64s", "[aes]") {
    const Aes128 aes(hex16("2b7e151628aed2a6abf7158809cf4f3c"));
    const uint64_t lo[4] = {0, 1, 0x7766554433221100ull, ~0ull};
    const uint64_t hi[4] = {0, 2, 0xffeeddccbbaa9988ull, 5};
    uint64_t out[4];
    aes.prf64_x4(lo, hi, out);
    for (int i = 0; i < 4; ++i) CHECK(out[i] == aes.prf64_soft(lo[i], hi[i]));
    if (!Aes128::hardware()) return;
    uint64_t hw[4] = {};
    aes.prf64_x4_hw(lo, hi, hw);
    for (int i = 0; i < 4; ++i) CHECK(hw[i] == aes.prf64_soft(lo[i], hi[i]));
}

TEST_CASE("AES-128: one flipped key or input bit changes about half the output", "[aes]") {
    const Aes128::Key k = hex16("000102030405060708090a0b0c0d0e0f");
    const Aes128::Block p = hex16("00112233445566778899aabbccddeeff");
    const Aes128::Block c = Aes128(k).encrypt(p);
    const auto distance = [](const Aes128::Block& a, const Aes128::Block& b) {
        int d = 0;
        for (size_t i = 0; i < 16; ++i) d += __builtin_popcount(unsigned(a[i] ^ b[i]));
        return d;
    };
    for (int bit = 0; bit < 128; ++bit) {
        Aes128::Key k2 = k;
        Aes128::Block p2 = p;
        k2[bit / 8] ^= uint8_t(1u << (bit % 8));
        p2[bit / 8] ^= uint8_t(1u << (bit % 8));
        INFO("bit " << bit);
        CHECK(distance(Aes128(k2).encrypt(p), c) > 32);
        CHECK(distance(Aes128(k).encrypt(p2), c) > 32);
    }
}
