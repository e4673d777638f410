// tcp::FlowTable against a reference map: linear probing with backward-shift
// erase, and the per-group occupancy bits that let a lookup in an empty
// group miss without probing. Hashes are chosen by the test (the table takes
// the caller's hash), so runs collide, wrap around the end of the table and
// cross group boundaries on purpose.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <vector>

#include "tcp/flow_table.h"

using tern::tcp::FlowTable;
using tern::tcp::Tuple;

namespace {

Tuple tuple_of(uint32_t k) {
    return Tuple{.local_addr = 0xC6120001u,
                 .remote_addr = 0xC6130000u + k,
                 .local_port = 80,
                 .remote_port = uint16_t(1024 + k)};
}

}  // namespace

TEST_CASE("FlowTable: an entry displaced past the end is found from its home slot",
          "[tcp][flow_table]") {
    FlowTable t(8);  // 16 slots, groups {0..7} and {8..15}
    REQUIRE(t.capacity() == 16);
    // Three tuples whose home is slot 15: they land in 15, 0 and 1.
    for (uint32_t k = 0; k < 3; ++k) REQUIRE(t.insert(tuple_of(k), 15, k + 1));
    for (uint32_t k = 0; k < 3; ++k) CHECK(t.find(tuple_of(k), 15) == k + 1);
    // A tuple at home in slot 2 (group 0, which holds displaced entries)
    // is absent; so is one at home in slot 8 (group 1, with slot 15 used).
    CHECK(t.find(tuple_of(9), 2) == 0);
    CHECK(t.find(tuple_of(9), 8) == 0);
    // Erasing the one in slot 15 shifts the other two back to 15 and 0.
    t.erase(tuple_of(0), 15);
    CHECK(t.find(tuple_of(0), 15) == 0);
    CHECK(t.find(tuple_of(1), 15) == 2);
    CHECK(t.find(tuple_of(2), 15) == 3);
    t.erase(tuple_of(1), 15);
    t.erase(tuple_of(2), 15);
    CHECK(t.size() == 0);
    for (uint32_t h = 0; h < 16; ++h) CHECK(t.find(tuple_of(1), h) == 0);
    // Reinserting after every group emptied works as on a fresh table.
    REQUIRE(t.insert(tuple_of(5), 3, 77));
    CHECK(t.find(tuple_of(5), 3) == 77);
}

TEST_CASE("FlowTable: a lookup whose home group was emptied misses, then finds a new entry",
          "[tcp][flow_table]") {
    FlowTable t(64);  // 128 slots, 16 groups
    // Fill group 2 (slots 16..23) and empty it again.
    for (uint32_t k = 0; k < 8; ++k) REQUIRE(t.insert(tuple_of(k), 16 + k, k + 1));
    for (uint32_t k = 0; k < 8; ++k) t.erase(tuple_of(k), 16 + k);
    for (uint32_t k = 0; k < 8; ++k) CHECK(t.find(tuple_of(k), 16 + k) == 0);
    // An entry whose home is in group 1 but which is pushed into group 2.
    for (uint32_t k = 0; k < 3; ++k) REQUIRE(t.insert(tuple_of(20 + k), 14, 100 + k));
    CHECK(t.find(tuple_of(22), 14) == 102);  // in slot 16
    CHECK(t.find(tuple_of(23), 17) == 0);    // home in group 2, slot 17 empty
    t.replace(tuple_of(22), 14, 555);
    CHECK(t.find(tuple_of(22), 14) == 555);
}

TEST_CASE("FlowTable: random inserts, erases and lookups agree with a map", "[tcp][flow_table]") {
    std::mt19937 rng(12345);
    for (uint32_t entries : {8u, 64u, 1000u}) {
        FlowTable t(entries);
        const uint32_t slots = t.capacity();
        // Keys 0..keys-1, each with a fixed hash drawn from a narrow range so
        // that runs are long and overlap.
        const uint32_t keys = entries * 2;
        std::vector<uint32_t> hash(keys);
        const uint32_t span = std::max<uint32_t>(slots / 4, 4);
        const uint32_t base = slots - span / 2;  // runs wrap past the end
        for (auto& h : hash) h = base + rng() % span;
        std::map<uint32_t, uint32_t> model;
        for (int step = 0; step < 20000; ++step) {
            const uint32_t k = rng() % keys;
            const Tuple tu = tuple_of(k);
            switch (rng() % 4) {
                case 0:
                case 1:
                    if (!model.count(k)) {
                        const bool ok = t.insert(tu, hash[k], k + 1);
                        CHECK(ok == (model.size() < slots / 2));
                        if (ok) model[k] = k + 1;
                    }
                    break;
                case 2:
                    t.erase(tu, hash[k]);
                    model.erase(k);
                    break;
                default:
                    if (model.count(k)) {
                        t.replace(tu, hash[k], k + 7);
                        model[k] = k + 7;
                    }
            }
            REQUIRE(t.size() == model.size());
            if (step % 97 == 0) {
                for (uint32_t q = 0; q < keys; ++q) {
                    auto it = model.find(q);
                    REQUIRE(t.find(tuple_of(q), hash[q]) == (it == model.end() ? 0 : it->second));
                }
            }
        }
    }
}
