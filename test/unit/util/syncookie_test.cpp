#include <catch2/catch.hpp>

#include <cstdint>
#include <random>

#include "util/syncookie.h"

using namespace tern::util;
using namespace tern::util::syncookie;

namespace {

constexpr CookieSecrets kSecrets{{0x1111111111111111ull, 0x2222222222222222ull},
                                 {0x1111111111111111ull, 0x2222222222222222ull}};
constexpr CookieTuple kTuple{0xc6120064, 0xc6130001, 40000, 80};
constexpr uint32_t kClientIsn = 0x12345678;
constexpr uint64_t kNow = 1'000 * kPeriodMs + 12'345;  // somewhere inside a period
constexpr uint32_t kTsNow = 0x0abcdef5;

SynOffer linux_syn() {
    return {.mss = 1460,
            .wscale_ok = true,
            .wscale = 7,
            .sack_ok = true,
            .ecn = true,
            .timestamps = true};
}

SynOffer plain_syn() {
    return {.mss = 1460,
            .wscale_ok = true,
            .wscale = 8,
            .sack_ok = true,
            .ecn = false,
            .timestamps = false};
}

std::optional<uint32_t> echo(const Cookie& c, const SynOffer& o) {
    return o.timestamps ? std::optional<uint32_t>(c.tsval) : std::nullopt;
}

std::optional<SynOffer> roundtrip(const SynOffer& o, uint64_t made, uint64_t checked,
                                      const CookieSecrets& s = kSecrets) {
    const Cookie c = make(CookieKey(kSecrets.current), kTuple, kClientIsn, o, made, kTsNow);
    return check(CookieKeys(s), kTuple, kClientIsn, c.isn, checked, echo(c, o));
}

}  // namespace

TEST_CASE("mss_index picks the largest table entry not above the client's MSS", "[cookie]") {
    STATIC_REQUIRE(kMssTable.size() == 8);
    for (size_t i = 1; i < kMssTable.size(); ++i) REQUIRE(kMssTable[i - 1] < kMssTable[i]);
    CHECK(mss_index(0) == 0);
    CHECK(mss_index(535) == 0);
    CHECK(mss_index(536) == 0);
    CHECK(mss_index(1219) == 0);
    CHECK(mss_index(1220) == 1);
    CHECK(kMssTable[mss_index(1380)] == 1360);  // WireGuard rounds down
    CHECK(kMssTable[mss_index(1452)] == 1452);
    CHECK(kMssTable[mss_index(1460)] == 1460);
    CHECK(kMssTable[mss_index(8959)] == 1460);
    CHECK(kMssTable[mss_index(65535)] == 8960);
}

TEST_CASE("cookie_counter ticks every 64 s", "[cookie]") {
    CHECK(cookie_counter(0) == 0);
    CHECK(cookie_counter(63'999) == 0);
    CHECK(cookie_counter(64'000) == 1);
    CHECK(cookie_counter(kNow) == 1000);
}

TEST_CASE("TSval carries the options in its low 6 bits, never ahead of the clock", "[cookie]") {
    SynOffer o = linux_syn();
    for (uint32_t now : {0x0abcdef5u, 0x0abcde00u, 0x0abcde3fu, 0u, 5u, 0xffffffffu}) {
        for (int ws = -1; ws <= 14; ++ws) {
            o.wscale_ok = ws >= 0;
            o.wscale = uint8_t(ws < 0 ? 0 : ws);
            const uint32_t ts = make_tsval(now, o);
            INFO("now " << now << " ws " << ws);
            REQUIRE(uint32_t(now - ts) < 64);  // at or below now, by modular distance
            REQUIRE((ts & 0xf) == (ws < 0 ? 15u : uint32_t(ws)));
            REQUIRE((ts >> 4 & 1) == 1);  // SACK
            REQUIRE((ts >> 5 & 1) == 1);  // ECN
        }
    }
}

TEST_CASE("cookies round-trip MSS, window scale and SACK in both encodings", "[cookie]") {
    for (bool ts : {true, false}) {
        for (uint16_t mss :
             {uint16_t(100), uint16_t(536), uint16_t(1400), uint16_t(1460), uint16_t(9000)}) {
            for (int ws = -1; ws <= 16; ++ws) {
                for (int flags = 0; flags < 4; ++flags) {
                    const SynOffer o{.mss = mss,
                                       .wscale_ok = ws >= 0,
                                       .wscale = uint8_t(ws < 0 ? 0 : ws),
                                       .sack_ok = (flags & 1) != 0,
                                       .ecn = (flags & 2) != 0,
                                       .timestamps = ts};
                    INFO("ts " << ts << " mss " << mss << " ws " << ws << " flags " << flags);
                    const auto r = roundtrip(o, kNow, kNow + 500);
                    REQUIRE(r);
                    CHECK(r->mss == kMssTable[mss_index(mss)]);
                    CHECK(r->wscale_ok == (ws >= 0));
                    CHECK(r->wscale == (ws < 0 ? 0 : std::min(ws, 14)));  // RFC 7323: max 14
                    CHECK(r->sack_ok == o.sack_ok);
                    CHECK(r->ecn == (ts && o.ecn));  // no room for ECN without timestamps
                    CHECK(r->timestamps == ts);
                }
            }
        }
    }
}

TEST_CASE("cookies are valid in their period and the next one only", "[cookie]") {
    for (const SynOffer& o : {linux_syn(), plain_syn()}) {
        const uint64_t start = 77 * kPeriodMs, end = 78 * kPeriodMs - 1;
        // Made on the first ms of a period: lives until the end of the next.
        CHECK(roundtrip(o, start, start));
        CHECK(roundtrip(o, start, start + 2 * kPeriodMs - 1));
        CHECK_FALSE(roundtrip(o, start, start + 2 * kPeriodMs));
        // Made on the last ms: one ms later is already the next period.
        CHECK(roundtrip(o, end, end + 1));
        CHECK(roundtrip(o, end, end + kPeriodMs));
        CHECK_FALSE(roundtrip(o, end, end + kPeriodMs + 1));
        CHECK_FALSE(roundtrip(o, start, start + 10 * kPeriodMs));
        // An ACK "from the future" (a counter ahead of ours) is rejected.
        CHECK_FALSE(roundtrip(o, start + kPeriodMs, start));
    }
    // The very first period has no predecessor to try (no counter underflow).
    CHECK(roundtrip(linux_syn(), 0, 0));
    CHECK(roundtrip(plain_syn(), 5, kPeriodMs + 5));
}

TEST_CASE("a cookie only validates for its own tuple and client ISN", "[cookie]") {
    for (const SynOffer& o : {linux_syn(), plain_syn()}) {
        const Cookie c = make(CookieKey(kSecrets.current), kTuple, kClientIsn, o, kNow, kTsNow);
        const auto tsecr = echo(c, o);
        CHECK(check(CookieKeys(kSecrets), kTuple, kClientIsn, c.isn, kNow, tsecr));
        CookieTuple t = kTuple;
        t.saddr ^= 1;
        CHECK_FALSE(check(CookieKeys(kSecrets), t, kClientIsn, c.isn, kNow, tsecr));
        t = kTuple;
        t.daddr ^= 0x100;
        CHECK_FALSE(check(CookieKeys(kSecrets), t, kClientIsn, c.isn, kNow, tsecr));
        t = kTuple;
        t.sport += 1;
        CHECK_FALSE(check(CookieKeys(kSecrets), t, kClientIsn, c.isn, kNow, tsecr));
        t = kTuple;
        t.dport = 443;
        CHECK_FALSE(check(CookieKeys(kSecrets), t, kClientIsn, c.isn, kNow, tsecr));
        t = {kTuple.daddr, kTuple.saddr, kTuple.dport, kTuple.sport};  // reversed
        CHECK_FALSE(check(CookieKeys(kSecrets), t, kClientIsn, c.isn, kNow, tsecr));
        CHECK_FALSE(check(CookieKeys(kSecrets), kTuple, kClientIsn + 1, c.isn, kNow, tsecr));
    }
}

TEST_CASE("every single-bit flip of the ACK number is rejected", "[cookie]") {
    for (const SynOffer& o : {linux_syn(), plain_syn()}) {
        const Cookie c = make(CookieKey(kSecrets.current), kTuple, kClientIsn, o, kNow, kTsNow);
        const uint32_t ack = c.isn + 1;  // what the client sends
        for (int bit = 0; bit < 32; ++bit) {
            const uint32_t bad = ack ^ (1u << bit);
            INFO("ts " << o.timestamps << " bit " << bit);
            REQUIRE_FALSE(
                check(CookieKeys(kSecrets), kTuple, kClientIsn, bad - 1, kNow, echo(c, o)));
        }
    }
}

TEST_CASE("flipping an option bit of the echoed TSval is rejected", "[cookie]") {
    const SynOffer o = linux_syn();
    const Cookie c = make(CookieKey(kSecrets.current), kTuple, kClientIsn, o, kNow, kTsNow);
    for (int bit = 0; bit < 6; ++bit)
        REQUIRE_FALSE(
            check(CookieKeys(kSecrets), kTuple, kClientIsn, c.isn, kNow, c.tsval ^ (1u << bit)));
    // The clock bits are not authenticated (the counter is): still valid.
    CHECK(check(CookieKeys(kSecrets), kTuple, kClientIsn, c.isn, kNow, c.tsval ^ 0x100000u));
    // A timestamp cookie does not validate as a plain one, nor the reverse.
    CHECK_FALSE(check(CookieKeys(kSecrets), kTuple, kClientIsn, c.isn, kNow, std::nullopt));
    const Cookie p =
        make(CookieKey(kSecrets.current), kTuple, kClientIsn, plain_syn(), kNow, kTsNow);
    CHECK_FALSE(check(CookieKeys(kSecrets), kTuple, kClientIsn, p.isn, kNow, c.tsval));
}

TEST_CASE("after rotation the old secret validates for one more rotation", "[cookie]") {
    const SipKey k1{1, 2}, k2{3, 4}, k3{5, 6};
    for (const SynOffer& o : {linux_syn(), plain_syn()}) {
        CookieSecrets s{k1, k1};
        const Cookie c = make(CookieKey(s.current), kTuple, kClientIsn, o, kNow, kTsNow);
        CHECK(check(CookieKeys(s), kTuple, kClientIsn, c.isn, kNow, echo(c, o)));
        rotate(s, k2);
        CHECK(s.previous.k0 == k1.k0);
        CHECK(check(CookieKeys(s), kTuple, kClientIsn, c.isn, kNow, echo(c, o)));
        // Old secret and previous period together still work.
        CHECK(check(CookieKeys(s), kTuple, kClientIsn, c.isn, kNow + kPeriodMs, echo(c, o)));
        rotate(s, k3);
        CHECK_FALSE(check(CookieKeys(s), kTuple, kClientIsn, c.isn, kNow, echo(c, o)));
        // A cookie made with a secret nobody holds any more fails too.
        const Cookie other = make(CookieKey(k1), kTuple, kClientIsn, o, kNow, kTsNow);
        CHECK_FALSE(check(CookieKeys(s), kTuple, kClientIsn, other.isn, kNow, echo(other, o)));
    }
}

TEST_CASE("random ACK numbers are accepted at the rate the MAC width predicts", "[cookie]") {
    // A blind attacker knows the tuple and its own ISN and guesses our ISN.
    // Without timestamps every 8-bit data pattern decodes to valid options,
    // so a guess passes iff its 24-bit MAC matches one of the combinations
    // tried: 2 periods x 2 secrets = 4, so p = 4 / 2^24 = 2.4e-7 per guess,
    // 0.24 expected in 1M guesses; P(>= 4) is about 1e-4. With timestamps the
    // MAC has 29 bits: 4 / 2^29 = 7.5e-9, 0.0075 expected.
    const CookieSecrets rotated{{0xaaaa, 0xbbbb}, {0xcccc, 0xdddd}};
    std::mt19937 rng(20240611);
    size_t plain_ok = 0, ts_ok = 0;
    for (int i = 0; i < 1'000'000; ++i) {
        const uint32_t guess = rng();
        plain_ok +=
            check(CookieKeys(rotated), kTuple, kClientIsn, guess, kNow, std::nullopt).has_value();
        ts_ok += check(CookieKeys(rotated), kTuple, kClientIsn, guess, kNow, rng()).has_value();
    }
    INFO("plain accepted " << plain_ok << ", timestamp accepted " << ts_ok);
    CHECK(plain_ok <= 3);
    CHECK(ts_ok <= 1);
}

TEST_CASE("plan() then finish() is make()", "[cookie]") {
    const CookieKey key(kSecrets.current);
    std::mt19937_64 rng(11);
    for (int i = 0; i < 2000; ++i) {
        const CookieTuple t{uint32_t(rng()), uint32_t(rng()), uint16_t(rng()), uint16_t(rng())};
        SynOffer o = (i & 1) ? linux_syn() : plain_syn();
        o.mss = uint16_t(rng());
        o.wscale = uint8_t(rng() % 15);
        const uint32_t isn = uint32_t(rng()), ts = uint32_t(rng());
        const uint64_t now = rng() >> 20;
        const CookiePlan p = plan(t, o, now, ts);
        const Cookie a = finish(p, key.mac(p.lo, p.hi), isn);
        const Cookie b = make(key, t, isn, o, now, ts);
        REQUIRE(a.isn == b.isn);
        REQUIRE(a.tsval == b.tsval);
    }
}
