#include <catch2/catch.hpp>

#include "util/hex_key.h"
#include "util/syncookie_epochs.h"

using namespace tern;
namespace sc = util::syncookie;

TEST_CASE("nodes sharing a master secret validate each other's cookies", "[cookie][epoch]") {
    auto master = util::parse_key_hex("000102030405060708090a0b0c0d0e0f");
    REQUIRE(master);
    CHECK(master->k0 == 0x0001020304050607ull);
    CHECK(master->k1 == 0x08090a0b0c0d0e0full);
    CHECK(!util::parse_key_hex("000102030405060708090a0b0c0d0e0"));
    CHECK(!util::parse_key_hex("000102030405060708090a0b0c0d0e0g"));

    const uint64_t epoch = 1000;
    auto node_a = sc::secrets_for_epoch(*master, epoch);
    auto node_b = sc::secrets_for_epoch(*master, epoch);
    sc::CookieTuple t{0xC6130001, 0xC6120002, 40000, 80};
    sc::SynOffer o;
    o.mss = 1460;
    const uint64_t now_ms = 5'000'000;
    auto c = sc::make(sc::CookieKey(node_a.current), t, 12345, o, now_ms, 0);
    auto r = sc::check(sc::CookieKeys(node_b), t, 12345, c.isn, now_ms + 1000, std::nullopt);
    REQUIRE(r);
    CHECK(r->mss == 1460);

    // One rotation later node B still accepts it (previous secret); two, not.
    CHECK(sc::check(sc::CookieKeys(sc::secrets_for_epoch(*master, epoch + 1)), t, 12345, c.isn,
                    now_ms + 1000, std::nullopt));
    CHECK(!sc::check(sc::CookieKeys(sc::secrets_for_epoch(*master, epoch + 2)), t, 12345, c.isn,
                     now_ms + 1000, std::nullopt));
    // A node with another master rejects it.
    auto other = util::parse_key_hex("ffffffffffffffffffffffffffffffff");
    CHECK(!sc::check(sc::CookieKeys(sc::secrets_for_epoch(*other, epoch)), t, 12345, c.isn,
                     now_ms + 1000, std::nullopt));
}
