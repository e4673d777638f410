// engine/tx_batch.h's rules against a fake PMD: a ring with a given room
// that refuses chosen frames, as net_tap refuses a frame over its MTU.
// Every frame must end exactly once: sent, or freed and counted.
#include <catch2/catch.hpp>

#include <set>
#include <sstream>
#include <vector>

#include "engine/tx_batch.h"

using namespace tern::engine;

namespace Catch {
template <>
struct StringMaker<TxOutcome> {
    static std::string convert(const TxOutcome& r) {
        std::ostringstream o;
        o << "{sent " << r.sent << ", bytes " << r.sent_bytes << ", deferred " << r.deferred
          << ", refused " << r.refused << ", stalled " << r.stalled << ", final " << r.final_drops
          << "}";
        return o.str();
    }
};
}  // namespace Catch

namespace {

rte_mbuf* frame(uintptr_t id) { return reinterpret_cast<rte_mbuf*>(id); }
uintptr_t id_of(const rte_mbuf* m) { return reinterpret_cast<uintptr_t>(m); }

struct FakePmd {
    size_t room = 1u << 20;      // free descriptors
    std::set<uintptr_t> refused;  // frames this PMD never takes
    std::vector<uintptr_t> sent, freed;
    unsigned calls = 0;

    // Like net_tap: takes frames in order, stops at the first it refuses or
    // when the ring has no room.
    uint16_t send(rte_mbuf** p, uint16_t n) {
        ++calls;
        uint16_t k = 0;
        while (k < n && room > 0 && !refused.count(id_of(p[k]))) {
            sent.push_back(id_of(p[k++]));
            --room;
        }
        return k;
    }
    uint32_t length(const rte_mbuf* m) const { return uint32_t(100 + id_of(m)); }
    void free(rte_mbuf** p, uint16_t n) {
        for (uint16_t i = 0; i < n; ++i) freed.push_back(id_of(p[i]));
    }
};

constexpr uint64_t kStallUs = 2000;

void push_frames(TxBatch& b, uintptr_t first, uintptr_t last) {
    for (uintptr_t i = first; i <= last; ++i) b.push(frame(i));
}

std::vector<uintptr_t> ids(uintptr_t first, uintptr_t last) {
    std::vector<uintptr_t> v;
    for (uintptr_t i = first; i <= last; ++i) v.push_back(i);
    return v;
}

}  // namespace

TEST_CASE("a batch the ring takes goes out whole, its bytes counted", "[engine][tx]") {
    FakePmd pmd;
    TxBatch b;
    push_frames(b, 1, 5);
    CHECK(b.flush(pmd, 0, kStallUs) == TxOutcome{.sent = 5, .sent_bytes = 5 * 100 + 1 + 2 + 3 + 4 + 5});
    CHECK(b.size() == 0);
    CHECK(pmd.sent == ids(1, 5));
    CHECK(pmd.freed.empty());
}

TEST_CASE("frames a full ring does not take wait, in order, and are counted once as deferred",
          "[engine][tx]") {
    FakePmd pmd;
    pmd.room = 2;
    TxBatch b;
    push_frames(b, 1, 6);
    CHECK(b.flush(pmd, 0, kStallUs) == TxOutcome{.sent = 2, .sent_bytes = 200 + 1 + 2, .deferred = 4});
    CHECK(b.size() == 4);
    // Still full a while later (short of the stall limit): nothing dropped,
    // nothing counted twice; probing a full ring takes nothing either.
    for (uint64_t t = 100; t < kStallUs; t += 100) CHECK(b.flush(pmd, t, kStallUs) == TxOutcome{});
    b.push(frame(7));
    pmd.room = 100;
    CHECK(b.flush(pmd, kStallUs - 1, kStallUs) ==
          TxOutcome{.sent = 5, .sent_bytes = 500 + 3 + 4 + 5 + 6 + 7});
    CHECK(b.size() == 0);
    CHECK(pmd.sent == ids(1, 7));
    CHECK(pmd.freed.empty());
}

TEST_CASE("a frame the PMD refuses is freed after three flushes and those behind it go out",
          "[engine][tx]") {
    FakePmd pmd;
    pmd.refused = {3};
    TxBatch b;
    push_frames(b, 1, 6);
    CHECK(b.flush(pmd, 0, kStallUs) == TxOutcome{.sent = 2, .sent_bytes = 200 + 1 + 2, .deferred = 4});
    CHECK(b.flush(pmd, 1, kStallUs) == TxOutcome{});
    // The third flush with frame 3 at the head probes it: the PMD takes
    // the frames behind it, so frame 3 is refused, not a full ring.
    CHECK(b.flush(pmd, 2, kStallUs) ==
          TxOutcome{.sent = 3, .sent_bytes = 300 + 4 + 5 + 6, .refused = 1});
    CHECK(b.size() == 0);
    CHECK(pmd.sent == std::vector<uintptr_t>{1, 2, 4, 5, 6});
    CHECK(pmd.freed == std::vector<uintptr_t>{3});
}

TEST_CASE("refused frames one behind another are each freed; nothing else is lost",
          "[engine][tx]") {
    FakePmd pmd;
    pmd.refused = {2, 3, 7};
    TxBatch b;
    push_frames(b, 1, 9);
    uint16_t refused = 0, stalled = 0;
    for (uint64_t t = 0; t < 20 && b.size(); ++t) {
        TxOutcome r = b.flush(pmd, t, kStallUs);
        refused = uint16_t(refused + r.refused);
        stalled = uint16_t(stalled + r.stalled);
    }
    CHECK(b.size() == 0);
    CHECK(refused == 3);
    CHECK(stalled == 0);
    CHECK(pmd.sent == std::vector<uintptr_t>{1, 4, 5, 6, 8, 9});
    CHECK(pmd.freed == std::vector<uintptr_t>{2, 3, 7});
}

TEST_CASE("a ring that takes nothing for tx_stall_us loses the whole batch, counted as stalled",
          "[engine][tx]") {
    FakePmd pmd;
    pmd.room = 0;
    TxBatch b;
    push_frames(b, 1, 40);
    CHECK(b.flush(pmd, 1000, kStallUs) == TxOutcome{.deferred = 40});
    // Nothing freed before the limit; a full ring is never taken for a refusal.
    for (uint64_t t = 1001; t < 1000 + kStallUs; ++t) REQUIRE(b.flush(pmd, t, kStallUs) == TxOutcome{});
    CHECK(b.size() == 40);
    CHECK(b.flush(pmd, 1000 + kStallUs, kStallUs) == TxOutcome{.stalled = 40});
    CHECK(b.size() == 0);
    CHECK(pmd.freed == ids(1, 40));
    // The port comes back: new frames go out as usual.
    pmd.room = 10;
    push_frames(b, 41, 42);
    CHECK(b.flush(pmd, 1000 + kStallUs + 1, kStallUs) == TxOutcome{.sent = 2, .sent_bytes = 200 + 41 + 42});
    CHECK(pmd.sent == ids(41, 42));
}

TEST_CASE("a ring that drains slowly is not a stall, however long it takes", "[engine][tx]") {
    FakePmd pmd;
    pmd.room = 0;
    TxBatch b;
    push_frames(b, 1, 20);
    uint64_t t = 0;
    for (int i = 0; i < 20; ++i) {
        pmd.room = 1;  // one descriptor freed per stall period, just in time
        t += kStallUs - 1;
        REQUIRE(b.flush(pmd, t, kStallUs) ==
                TxOutcome{.sent = 1, .sent_bytes = 100 + uintptr_t(i + 1), .deferred = uint16_t(i ? 0 : 19)});
    }
    CHECK(pmd.sent == ids(1, 20));
    CHECK(pmd.freed.empty());
}

TEST_CASE("a refused frame with nothing behind it goes at the stall limit", "[engine][tx]") {
    FakePmd pmd;
    pmd.refused = {1};
    TxBatch b;
    b.push(frame(1));
    CHECK(b.flush(pmd, 0, kStallUs) == TxOutcome{.deferred = 1});
    uint64_t t = 10;
    for (; t < kStallUs; t += 10) REQUIRE(b.flush(pmd, t, kStallUs) == TxOutcome{});
    CHECK(b.flush(pmd, t, kStallUs) == TxOutcome{.stalled = 1});
    CHECK(pmd.freed == std::vector<uintptr_t>{1});
    CHECK(b.size() == 0);
}

TEST_CASE("the final flush frees what the ring does not take", "[engine][tx]") {
    FakePmd pmd;
    pmd.room = 3;
    TxBatch b;
    push_frames(b, 1, 8);
    CHECK(b.flush(pmd, 0, kStallUs, true) ==
          TxOutcome{.sent = 3, .sent_bytes = 300 + 1 + 2 + 3, .final_drops = 5});
    CHECK(b.size() == 0);
    CHECK(pmd.freed == ids(4, 8));
}

TEST_CASE("a flush never calls the PMD more than a bounded number of times", "[engine][tx]") {
    FakePmd pmd;
    pmd.room = 0;
    TxBatch b;
    push_frames(b, 1, kMaxBurst);
    for (uint64_t t = 0; t < 500; ++t) {
        const unsigned before = pmd.calls;
        b.flush(pmd, t, kStallUs);
        REQUIRE(pmd.calls - before <= unsigned(TxBatch::kTries + TxBatch::kProbeDepth));
    }
}
