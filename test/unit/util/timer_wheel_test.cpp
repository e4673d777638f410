#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "util/timer_wheel.h"

using tern::util::TimerNode;
using tern::util::TimerWheel;

namespace {

constexpr uint64_t kSecond = 1000;
constexpr uint64_t kHour = 3600 * kSecond;

struct Fired {
    size_t id;
    uint64_t expires;
    uint64_t at;  // wheel.now() inside the callback
};

// A pool of nodes and a log of what fired, identified by index.
struct Rig {
    explicit Rig(size_t n, uint64_t start = 0) : wheel(start), nodes(n) {}

    size_t id(const TimerNode& n) const { return size_t(&n - nodes.data()); }
    void arm(size_t i, uint64_t at) { wheel.arm(nodes[i], at); }

    size_t advance(uint64_t to) {
        return wheel.advance(to, [&](TimerNode& n) {
            CHECK(!n.armed());
            log.push_back({id(n), n.expires_ms, wheel.now()});
        });
    }

    TimerWheel wheel;
    std::vector<TimerNode> nodes;
    std::vector<Fired> log;
};

// Every timer fired on its own millisecond, in order.
void check_exact_and_ordered(const std::vector<Fired>& log) {
    for (size_t i = 0; i < log.size(); ++i) {
        REQUIRE(log[i].at == log[i].expires);
        if (i > 0) REQUIRE(log[i - 1].expires <= log[i].expires);
    }
}

}  // namespace

TEST_CASE("timer node is small and starts disarmed", "[timer]") {
    STATIC_REQUIRE(sizeof(TimerNode) <= 24);
    TimerNode n;
    CHECK(!n.armed());
}

TEST_CASE("timers fire in expiry order on their exact ms", "[timer]") {
    Rig r(6);
    const uint64_t at[] = {5, 1, 300, 256, 255, 17000};
    for (size_t i = 0; i < 6; ++i) r.arm(i, at[i]);
    CHECK(r.wheel.size() == 6);
    CHECK(r.wheel.next_expiry_hint() == 1);

    CHECK(r.advance(0) == 0);
    CHECK(r.advance(1) == 1);
    CHECK(r.advance(254) == 1);
    CHECK(r.wheel.size() == 4);
    for (uint64_t t = 255; t <= 20000; ++t) r.advance(t);
    CHECK(r.wheel.size() == 0);
    REQUIRE(r.log.size() == 6);
    check_exact_and_ordered(r.log);
    std::vector<size_t> order;
    for (auto& f : r.log) order.push_back(f.id);
    CHECK(order == std::vector<size_t>{1, 0, 4, 3, 2, 5});
    CHECK(r.wheel.now() == 20000);
    CHECK(r.wheel.next_expiry_hint() == UINT64_MAX);
}

TEST_CASE("cancel disarms, is idempotent, and a cancelled timer never fires", "[timer]") {
    Rig r(3);
    r.arm(0, 10);
    r.arm(1, 20000);
    r.arm(2, 10);
    r.wheel.cancel(r.nodes[0]);
    r.wheel.cancel(r.nodes[0]);
    r.wheel.cancel(r.nodes[1]);
    CHECK(!r.nodes[0].armed());
    CHECK(r.nodes[2].armed());
    CHECK(r.wheel.size() == 1);
    r.advance(100000);
    REQUIRE(r.log.size() == 1);
    CHECK(r.log[0].id == 2);
    r.wheel.cancel(r.nodes[2]);  // already fired: no-op
    CHECK(r.wheel.size() == 0);
}

TEST_CASE("re-arming moves a timer earlier or later", "[timer]") {
    Rig r(2);
    r.arm(0, 50000);
    r.arm(1, 10);
    r.arm(0, 5);      // earlier, from level 2 to level 0
    r.arm(1, 70000);  // later, from level 0 to level 2
    CHECK(r.wheel.size() == 2);
    r.advance(69999);
    REQUIRE(r.log.size() == 1);
    CHECK(r.log[0].id == 0);
    CHECK(r.log[0].at == 5);
    r.advance(70000);
    REQUIRE(r.log.size() == 2);
    CHECK(r.log[1].id == 1);
    CHECK(r.log[1].at == 70000);
}

TEST_CASE("many timers on the same ms all fire on that ms", "[timer]") {
    Rig r(10000, 1000);
    for (size_t i = 0; i < r.nodes.size(); ++i) r.arm(i, 1000 + 3 * kSecond);
    r.arm(0, 1000 + 3 * kSecond - 1);
    CHECK(r.advance(1000 + 3 * kSecond - 1) == 1);
    CHECK(r.advance(1000 + 3 * kSecond) == r.nodes.size() - 1);
    check_exact_and_ordered(r.log);
}

TEST_CASE("far-future timers cascade down and fire on their exact ms", "[timer]") {
    Rig r(5, 7);
    const uint64_t at[] = {3 * kHour, 3 * kHour + 1, 2 * kHour + 12345, 3 * kHour - 1, 65536};
    for (size_t i = 0; i < 5; ++i) r.arm(i, at[i]);
    // One ms at a time: every cascade boundary is crossed on its own tick.
    for (uint64_t t = 8; t <= 3 * kHour + 1; ++t) r.advance(t);
    REQUIRE(r.log.size() == 5);
    check_exact_and_ordered(r.log);
}

TEST_CASE("one advance over a 5 hour stall fires everything in order", "[timer]") {
    Rig r(20000, 123);
    std::mt19937_64 rng(42);
    for (size_t i = 0; i < r.nodes.size(); ++i) r.arm(i, 124 + rng() % (5 * kHour));
    CHECK(r.advance(123 + 5 * kHour) == r.nodes.size());
    check_exact_and_ordered(r.log);
    CHECK(r.wheel.now() == 123 + 5 * kHour);

    SECTION("an empty wheel jumps hours at once") {
        CHECK(r.advance(123 + 500 * kHour) == 0);
        CHECK(r.wheel.now() == 123 + 500 * kHour);
    }
}

TEST_CASE("timers beyond the 2^32 ms block wait in overflow and fire exactly", "[timer]") {
    const uint64_t block = uint64_t(1) << 32;
    Rig r(4, block - 5);
    r.arm(0, block - 1);
    r.arm(1, block + 3);                    // crosses the block boundary
    r.arm(2, block - 5 + 60 * 24 * kHour);  // 60 days: overflow
    r.arm(3, 3 * block + 77);               // three blocks ahead
    r.advance(block + 2);
    CHECK(r.log.size() == 1);
    r.advance(block + 3);
    CHECK(r.log.size() == 2);
    r.advance(block + 40 * 24 * kHour);
    CHECK(r.log.size() == 2);
    r.advance(10 * block);
    REQUIRE(r.log.size() == 4);
    check_exact_and_ordered(r.log);
}

TEST_CASE("a timer armed at or before now fires first on the next advance", "[timer]") {
    Rig r(3, 1000);
    r.arm(0, 1001);
    r.arm(1, 1000);
    r.arm(2, 3);
    CHECK(r.wheel.next_expiry_hint() == 1000);
    CHECK(r.advance(1000) == 2);  // due ones fire even without time moving
    CHECK(r.advance(1001) == 1);
    std::vector<size_t> order;
    for (auto& f : r.log) order.push_back(f.id);
    CHECK(order == std::vector<size_t>{1, 2, 0});
}

TEST_CASE("a callback can re-arm itself (periodic timer)", "[timer]") {
    TimerWheel w(0);
    TimerNode tick;
    std::vector<uint64_t> at;
    w.arm(tick, 100);
    auto on = [&](TimerNode& n) {
        at.push_back(w.now());
        w.arm(n, n.expires_ms + 100);
    };
    // A single big step catches up on every period, each on its own ms.
    CHECK(w.advance(1050, on) == 10);
    CHECK(w.advance(100000, on) == 990);
    REQUIRE(at.size() == 1000);
    for (size_t i = 0; i < at.size(); ++i) REQUIRE(at[i] == 100 * (i + 1));
    CHECK(w.size() == 1);

    SECTION("re-arming for now waits for the next advance instead of spinning") {
        size_t calls = 0;
        auto again = [&](TimerNode& n) {
            ++calls;
            w.arm(n, w.now());
        };
        w.advance(100100, again);
        CHECK(calls == 1);
        w.advance(100100, again);
        CHECK(calls == 2);
    }
}

TEST_CASE("a callback can cancel or move timers due on the same ms", "[timer]") {
    Rig r(4);
    for (size_t i = 0; i < 4; ++i) r.arm(i, 50);
    std::vector<Fired> log;
    r.wheel.advance(60, [&](TimerNode& n) {
        log.push_back({r.id(n), n.expires_ms, r.wheel.now()});
        if (log.size() > 1) return;
        // The first one to fire cancels two of its peers and moves the last.
        std::vector<size_t> peers;
        for (size_t i = 0; i < 4; ++i)
            if (r.nodes[i].armed()) peers.push_back(i);
        REQUIRE(peers.size() == 3);
        r.wheel.cancel(r.nodes[peers[0]]);
        r.wheel.cancel(r.nodes[peers[1]]);
        r.wheel.arm(r.nodes[peers[2]], 55);
    });
    REQUIRE(log.size() == 2);
    CHECK(log[0].at == 50);
    CHECK(log[1].at == 55);
    CHECK(r.wheel.size() == 0);
}

TEST_CASE("1M timers armed then cancelled leave the wheel empty", "[timer]") {
    Rig r(1'000'000, 5000);
    std::mt19937_64 rng(1);
    for (size_t i = 0; i < r.nodes.size(); ++i) r.arm(i, 5001 + rng() % (3 * kHour));
    CHECK(r.wheel.size() == r.nodes.size());
    for (auto& n : r.nodes) r.wheel.cancel(n);
    CHECK(r.wheel.size() == 0);
    CHECK(r.wheel.next_expiry_hint() == UINT64_MAX);
    CHECK(r.advance(5000 + 4 * kHour) == 0);
}

TEST_CASE("1M timers armed all fire exactly once", "[timer]") {
    Rig r(1'000'000, 0);
    std::mt19937_64 rng(2);
    for (size_t i = 0; i < r.nodes.size(); ++i) r.arm(i, rng() % (2 * kHour + 7));
    std::vector<uint8_t> count(r.nodes.size());
    uint64_t last = 0;
    bool ordered = true, exact = true;
    size_t fired = 0;
    for (uint64_t t = 0; t <= 2 * kHour + 7; t += 997) {
        fired += r.wheel.advance(t, [&](TimerNode& n) {
            ++count[r.id(n)];
            ordered &= n.expires_ms >= last;
            exact &= n.expires_ms == r.wheel.now() || n.expires_ms == 0;
            last = n.expires_ms;
        });
    }
    fired += r.wheel.advance(3 * kHour, [&](TimerNode& n) { ++count[r.id(n)]; });
    CHECK(ordered);
    CHECK(exact);
    CHECK(fired == r.nodes.size());
    CHECK(r.wheel.size() == 0);
    CHECK(std::all_of(count.begin(), count.end(), [](uint8_t c) { return c == 1; }));
}

TEST_CASE("randomized arm/cancel/advance agrees with a reference multimap", "[timer]") {
    constexpr size_t kNodes = 2000;
    std::mt19937_64 rng(GENERATE(7, 8, 9, 10));
    const uint64_t start = rng() % 2 ? 0 : (uint64_t(1) << 32) - 3000;
    TimerWheel w(start);
    std::vector<TimerNode> nodes(kNodes);
    std::multimap<uint64_t, size_t> ref;
    std::vector<std::multimap<uint64_t, size_t>::iterator> where(kNodes, ref.end());
    auto id = [&](TimerNode& n) { return size_t(&n - nodes.data()); };

    auto ref_cancel = [&](size_t i) {
        if (where[i] != ref.end()) ref.erase(where[i]);
        where[i] = ref.end();
    };
    auto ref_arm = [&](size_t i, uint64_t e) {
        ref_cancel(i);
        where[i] = ref.emplace(e, i);
    };
    auto random_delay = [&]() -> uint64_t {
        switch (rng() % 6) {
            case 0:
                return rng() % 4;
            case 1:
                return rng() % 300;
            case 2:
                return rng() % 20000;
            case 3:
                return rng() % (2 * kHour);
            case 4:
                return rng() % (uint64_t(1) << 34);
            default:
                return rng() % 70;
        }
    };

    for (int step = 0; step < 20000; ++step) {
        const unsigned op = rng() % 10;
        if (op < 5) {
            const size_t i = rng() % kNodes;
            // Sometimes in the past: due immediately.
            const uint64_t e = rng() % 20 == 0 ? w.now() - std::min<uint64_t>(w.now(), rng() % 50)
                                               : w.now() + random_delay();
            w.arm(nodes[i], e);
            ref_arm(i, e);
        } else if (op < 7) {
            const size_t i = rng() % kNodes;
            w.cancel(nodes[i]);
            ref_cancel(i);
        } else {
            const uint64_t from = w.now();
            const uint64_t to = from + (rng() % 50 == 0 ? random_delay() : rng() % 100);
            uint64_t last_key = from;
            std::vector<size_t> fired;
            w.advance(to, [&](TimerNode& n) {
                const size_t i = id(n);
                REQUIRE(where[i] != ref.end());
                REQUIRE(where[i]->first == n.expires_ms);
                REQUIRE(n.expires_ms <= to);
                // Due-when-armed timers fire at `from`, all others on their ms.
                const uint64_t key = std::max(n.expires_ms, from);
                REQUIRE(w.now() == key);
                REQUIRE(key >= last_key);
                last_key = key;
                ref_cancel(i);
                fired.push_back(i);
                // Callbacks mutate the wheel too: re-arm in the future,
                // cancel someone else.
                const unsigned act = rng() % 8;
                if (act == 0) {
                    const uint64_t e = w.now() + 1 + rng() % 500;
                    w.arm(n, e);
                    ref_arm(i, e);
                } else if (act == 1) {
                    const size_t j = rng() % kNodes;
                    w.cancel(nodes[j]);
                    ref_cancel(j);
                }
            });
            REQUIRE(w.now() == to);
            // Nothing left that should have fired.
            REQUIRE((ref.empty() || ref.begin()->first > to));
        }
        REQUIRE(w.size() == ref.size());
        // A hint never later than the first expiry (or than now, for due ones).
        if (!ref.empty()) REQUIRE(w.next_expiry_hint() <= std::max(ref.begin()->first, w.now()));
    }
}

TEST_CASE("advance with a stop condition leaves the rest due, in order", "[timer]") {
    tern::util::TimerWheel w(0);
    std::vector<tern::util::TimerNode> nodes(1000);
    for (size_t i = 0; i < nodes.size(); ++i) w.arm(nodes[i], 5 + i % 3);
    std::vector<uint64_t> fired;
    auto rec = [&](tern::util::TimerNode& n) { fired.push_back(n.expires_ms); };
    size_t budget = 10;
    CHECK(w.advance(100, rec, [&] { return fired.size() >= budget; }) == 10);
    CHECK(w.size() == 990);
    // The next calls continue where the first stopped, never out of order.
    budget = 600;
    CHECK(w.advance(100, rec, [&] { return fired.size() >= budget; }) == 590);
    CHECK(w.advance(100, rec) == 400);
    CHECK(w.size() == 0);
    CHECK(std::is_sorted(fired.begin(), fired.end()));
    CHECK(fired.size() == 1000);
}
