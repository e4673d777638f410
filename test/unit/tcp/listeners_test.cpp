// tcp::Listeners alone: the listen table (ports, backlogs, options), the
// half-open counts, the accept queue linked through the TCBs, and check().
#include <vector>

#include "harness.h"
#include "tcp/listeners.h"

using namespace tcptest;

namespace {

// A listener table over a pool of 8 TCBs.
struct Fixture {
    Counters ctr;
    ConnTable conns{8, 8, ctr};
    Listeners ls;
    RecApp app, app2;

    explicit Fixture(uint32_t max_listeners = 4) : ls(max_listeners, conns) {}

    // A TCB of listener `l`, as a passive open makes it.
    Tcb& conn_of(Listener& l, uint32_t k) {
        Tcb* t = conns.alloc(client_tuple(k), k * 7919u);
        REQUIRE(t != nullptr);
        t->listener = l.index;
        return *t;
    }
    // The accept queue of `l` by TCB index, oldest first (or, through the
    // back links, newest first).
    std::vector<uint32_t> queue(const Listener& l, bool backwards = false) {
        std::vector<uint32_t> v;
        for (uint32_t i = backwards ? l.accept_tail : l.accept_head; i != kNoIndex && v.size() <= 8;
             i = backwards ? conns.tcb(i).accept_prev : conns.tcb(i).accept_next)
            v.push_back(i);
        return v;
    }
};

using V = std::vector<uint32_t>;

}  // namespace

TEST_CASE("Listeners: add refuses a port twice and a full table", "[tcp][listeners]") {
    Fixture f(2);
    CHECK(f.ls.count() == 0);
    CHECK(f.ls.find(80) == nullptr);
    REQUIRE(f.ls.add(80, f.app, {}, 128, false));
    CHECK(!f.ls.add(80, f.app2, {}, 128, false));  // already listening
    CHECK(f.ls.count() == 1);
    REQUIRE(f.ls.add(443, f.app2, {}, 128, false));
    CHECK(!f.ls.add(8080, f.app, {}, 128, false));  // table full
    CHECK(f.ls.count() == 2);
    CHECK(f.ls.find(8080) == nullptr);

    Listener* l80 = f.ls.find(80);
    Listener* l443 = f.ls.find(443);
    REQUIRE(l80 == &f.ls.at(0));
    REQUIRE(l443 == &f.ls.at(1));
    CHECK(l80->app == &f.app);  // the refused duplicate changed nothing
    CHECK(l80->port == 80);
    CHECK(l80->index == 0);
    CHECK(l443->app == &f.app2);
    CHECK(l443->port == 443);
    CHECK(l443->index == 1);
    CHECK(l80->half_open == 0);
    CHECK(l80->accept_head == kNoIndex);
    CHECK(l80->accept_tail == kNoIndex);
    CHECK(l80->accept_len == 0);
    CHECK(!l80->sent_cookies);
    CHECK(f.ls.find(0) == nullptr);
    CHECK(f.ls.find(65535) == nullptr);
}

TEST_CASE("Listeners: the backlog is capped by somaxconn; 0 means somaxconn", "[tcp][listeners]") {
    Fixture f(8);
    REQUIRE(f.ls.add(1, f.app, {.backlog = 100}, 50, false));
    REQUIRE(f.ls.add(2, f.app, {.backlog = 10}, 50, false));
    REQUIRE(f.ls.add(3, f.app, {.backlog = 0}, 50, false));
    REQUIRE(f.ls.add(4, f.app, {.backlog = 50}, 50, false));
    CHECK(f.ls.find(1)->backlog == 50);
    CHECK(f.ls.find(2)->backlog == 10);
    CHECK(f.ls.find(3)->backlog == 50);
    CHECK(f.ls.find(4)->backlog == 50);
    // Keepalive: the listener's own option or the Stack's default.
    REQUIRE(f.ls.add(5, f.app, {.keepalive = true}, 50, false));
    REQUIRE(f.ls.add(6, f.app, {}, 50, true));
    REQUIRE(f.ls.add(7, f.app, {.manual_accept = true}, 50, false));
    CHECK(!f.ls.find(4)->keepalive);
    CHECK(f.ls.find(5)->keepalive);
    CHECK(f.ls.find(6)->keepalive);
    CHECK(!f.ls.find(6)->manual_accept);
    CHECK(f.ls.find(7)->manual_accept);
    CHECK(!f.ls.find(7)->keepalive);
}

TEST_CASE("Listeners: close_all stops every port; entries and counts stay", "[tcp][listeners]") {
    Fixture f;
    REQUIRE(f.ls.add(80, f.app, {}, 128, false));
    REQUIRE(f.ls.add(443, f.app2, {.manual_accept = true}, 128, false));
    Listener& l = *f.ls.find(443);
    Tcb& t = f.conn_of(l, 1);
    Listeners::enter_syn_rcvd(l, t);
    f.ls.close_all();
    CHECK(f.ls.find(80) == nullptr);
    CHECK(f.ls.find(443) == nullptr);
    CHECK(f.ls.count() == 2);
    CHECK(f.ls.at(1).port == 443);
    CHECK(f.ls.at(1).half_open == 1);
    CHECK(f.ls.half_open_total() == 1);
    // The half-open conn still leaves its listener's count.
    f.ls.leave_syn_rcvd(t);
    CHECK(f.ls.at(1).half_open == 0);
    // A port closed that way may listen again, as a new entry: the old one
    // stays for the conns that name it.
    REQUIRE(f.ls.add(80, f.app2, {}, 128, false));
    CHECK(f.ls.find(80) == &f.ls.at(2));
    CHECK(f.ls.find(80)->app == &f.app2);
    CHECK(f.ls.count() == 3);
}

TEST_CASE("Listeners: half-open counts follow enter_syn_rcvd and leave_syn_rcvd",
          "[tcp][listeners]") {
    Fixture f;
    REQUIRE(f.ls.add(80, f.app, {}, 128, false));
    REQUIRE(f.ls.add(443, f.app, {}, 128, false));
    Listener& a = *f.ls.find(80);
    Listener& b = *f.ls.find(443);
    Tcb* t[3];
    for (uint32_t k = 0; k < 3; ++k) {
        t[k] = f.conns.alloc(client_tuple(k), k);
        REQUIRE(t[k] != nullptr);
        CHECK(t[k]->listener == kNoListener);
    }
    Listeners::enter_syn_rcvd(a, *t[0]);
    Listeners::enter_syn_rcvd(a, *t[1]);
    Listeners::enter_syn_rcvd(b, *t[2]);
    CHECK(t[0]->listener == 0);
    CHECK(t[1]->listener == 0);
    CHECK(t[2]->listener == 1);
    CHECK(a.half_open == 2);
    CHECK(b.half_open == 1);
    CHECK(f.ls.half_open_total() == 3);
    f.ls.leave_syn_rcvd(*t[1]);
    CHECK(a.half_open == 1);
    CHECK(t[1]->listener == 0);  // kept: an accept queue may need it
    f.ls.leave_syn_rcvd(*t[2]);
    CHECK(b.half_open == 0);
    CHECK(f.ls.half_open_total() == 1);
    // A TCB of no listener (an active open) changes no count.
    Tcb* active = f.conns.alloc(client_tuple(5), 5);
    REQUIRE(active != nullptr);
    f.ls.leave_syn_rcvd(*active);
    CHECK(a.half_open == 1);
    CHECK(b.half_open == 0);
}

TEST_CASE("Listeners: the accept queue is FIFO and unlinks from head, middle and tail",
          "[tcp][listeners]") {
    Fixture f;
    REQUIRE(f.ls.add(80, f.app, {.backlog = 3, .manual_accept = true}, 128, false));
    Listener& l = *f.ls.find(80);
    CHECK(f.ls.oldest(l) == nullptr);
    Tcb* t[5];
    for (uint32_t k = 0; k < 5; ++k) t[k] = &f.conn_of(l, k);

    CHECK(!l.accept_queue_full());
    f.ls.enqueue(l, *t[0]);
    CHECK(t[0]->queued);
    CHECK(f.ls.oldest(l) == t[0]);
    CHECK(!l.accept_queue_full());
    f.ls.enqueue(l, *t[1]);
    CHECK(!l.accept_queue_full());
    f.ls.enqueue(l, *t[2]);
    CHECK(l.accept_len == 3);
    CHECK(l.accept_queue_full());
    CHECK(f.queue(l) == V{0, 1, 2});
    CHECK(f.queue(l, true) == V{2, 1, 0});
    CHECK(f.ls.oldest(l) == t[0]);

    // The middle one.
    f.ls.unlink(*t[1]);
    CHECK(!t[1]->queued);
    CHECK(t[1]->accept_prev == kNoIndex);
    CHECK(t[1]->accept_next == kNoIndex);
    CHECK(l.accept_len == 2);
    CHECK(!l.accept_queue_full());
    CHECK(f.queue(l) == V{0, 2});
    CHECK(f.queue(l, true) == V{2, 0});
    // Not queued (any more): nothing changes.
    f.ls.unlink(*t[1]);
    f.ls.unlink(*t[4]);
    CHECK(l.accept_len == 2);
    CHECK(f.queue(l) == V{0, 2});

    f.ls.enqueue(l, *t[3]);
    f.ls.enqueue(l, *t[1]);  // queued again, at the tail
    CHECK(f.queue(l) == V{0, 2, 3, 1});
    CHECK(l.accept_len == 4);
    CHECK(l.accept_queue_full());
    // The tail.
    f.ls.unlink(*t[1]);
    CHECK(f.queue(l) == V{0, 2, 3});
    CHECK(f.queue(l, true) == V{3, 2, 0});
    CHECK(l.accept_tail == 3);
    // The head, as accept() takes it: oldest first.
    f.ls.unlink(*f.ls.oldest(l));
    CHECK(f.ls.oldest(l) == t[2]);
    CHECK(f.queue(l, true) == V{3, 2});
    f.ls.unlink(*f.ls.oldest(l));
    CHECK(f.ls.oldest(l) == t[3]);
    f.ls.unlink(*f.ls.oldest(l));
    CHECK(f.ls.oldest(l) == nullptr);
    CHECK(l.accept_head == kNoIndex);
    CHECK(l.accept_tail == kNoIndex);
    CHECK(l.accept_len == 0);
}

TEST_CASE("Listener::accept_queue_full only for a manual_accept listener at its backlog",
          "[tcp][listeners]") {
    Listener l;
    l.backlog = 2;
    l.accept_len = 2;
    CHECK(!l.accept_queue_full());  // not manual_accept: nothing ever waits
    l.manual_accept = true;
    CHECK(l.accept_queue_full());
    l.accept_len = 1;
    CHECK(!l.accept_queue_full());
    l.backlog = 0;
    CHECK(l.accept_queue_full());
}

TEST_CASE("Listeners: check() passes consistent queues and counts and names what is wrong",
          "[tcp][listeners]") {
    Fixture f;
    REQUIRE(f.ls.add(80, f.app, {.manual_accept = true}, 128, false));
    REQUIRE(f.ls.add(443, f.app, {.manual_accept = true}, 128, false));
    Listener& a = *f.ls.find(80);
    Listener& b = *f.ls.find(443);
    Tcb& half = f.conn_of(a, 0);
    Listeners::enter_syn_rcvd(a, half);
    Tcb& q1 = f.conn_of(a, 1);
    Tcb& q2 = f.conn_of(a, 2);
    f.ls.enqueue(a, q1);
    f.ls.enqueue(a, q2);

    const uint32_t counted[2] = {1, 0};
    CHECK(f.ls.check(counted) == "");
    // The TCBs say another half-open count than the listener keeps.
    const uint32_t wrong_a[2] = {2, 0};
    CHECK(f.ls.check(wrong_a) == "half-open count of listener 0");
    const uint32_t wrong_b[2] = {1, 1};
    CHECK(f.ls.check(wrong_b) == "half-open count of listener 1");

    // A queued conn that the app already knows.
    q2.app_visible = true;
    CHECK(f.ls.check(counted) == "queued conn already visible to the app (tcb 2)");
    q2.app_visible = false;
    CHECK(f.ls.check(counted) == "");

    // A conn of listener 0 put in listener 1's queue.
    Tcb& stray = f.conn_of(a, 3);
    f.ls.enqueue(b, stray);
    CHECK(f.ls.check(counted) == "accept queue links (tcb 3)");
}
