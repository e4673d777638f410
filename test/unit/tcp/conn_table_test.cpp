// tcp::ConnTable alone: the TCB and TIME_WAIT pools and the flow table kept
// consistent (an entry exactly while its slot is taken), counted refusals
// when a pool is full, timer nodes mapped back to their records, check()
// and the flow table's generation.
#include "tcp/conn_table.h"
#include "harness.h"
#include "util/timer_wheel.h"

using namespace tcptest;

namespace {

// The caller's flow hash (any value: the table takes what it is given).
uint32_t slot_of(uint32_t k) { return 0x9e3779b9u * (k + 1); }

}  // namespace

TEST_CASE("ConnTable: alloc until the TCB pool is full, then a counted nullptr",
          "[tcp][conn_table]") {
    Counters ctr;
    ConnTable ct(4, 2, ctr);
    CHECK(ct.max_tcbs() == 4);
    CHECK(ct.live() == 0);
    CHECK(!ct.tcbs_exhausted());
    // A fresh pool hands out the lowest index first.
    for (uint32_t k = 0; k < 4; ++k) {
        Tcb* t = ct.alloc(client_tuple(k), slot_of(k));
        REQUIRE(t != nullptr);
        CHECK(t == &ct.tcb(k));
        CHECK(t->index == k);
        CHECK(t->tuple == client_tuple(k));
        CHECK(t->flow_hash == slot_of(k));
        CHECK(ct.live() == k + 1);
    }
    CHECK(ct.tcbs_exhausted());
    CHECK(ct.flows() == 4);
    CHECK(ctr.pool_exhausted.get() == 0);
    CHECK(ct.alloc(client_tuple(9), slot_of(9)) == nullptr);
    CHECK(ctr.pool_exhausted.get() == 1);
    CHECK(ctr.flow_table_full.get() == 0);
    CHECK(ct.find(client_tuple(9), slot_of(9)) == 0);  // nothing entered for the refusal
    CHECK(ct.flows() == 4);
    CHECK(ct.live() == 4);
}

TEST_CASE("ConnTable: a TCB is found by its tuple while allocated; freed slots are reused",
          "[tcp][conn_table]") {
    Counters ctr;
    ConnTable ct(4, 2, ctr);
    Tcb* t[4];
    for (uint32_t k = 0; k < 4; ++k) t[k] = ct.alloc(client_tuple(k), slot_of(k));
    for (uint32_t k = 0; k < 4; ++k)
        CHECK(ct.find(client_tuple(k), slot_of(k)) == FlowTable::tcb_ref(k));
    // Give TCB 1 some state, as a connection would.
    t[1]->state = State::Established;
    t[1]->snd_mss = 1448;
    t[1]->listener = 3;
    t[2]->state = State::SynRcvd;

    ct.free(*t[1]);
    CHECK(ct.find(client_tuple(1), slot_of(1)) == 0);
    CHECK(ct.tcb(1).state == State::Closed);
    CHECK(ct.tcb(1).app == nullptr);
    CHECK(ct.live() == 3);
    CHECK(ct.flows() == 3);
    ct.free(*t[2]);
    CHECK(ct.tcb(2).state == State::Closed);
    CHECK(ct.live() == 2);
    // The others are untouched.
    CHECK(ct.find(client_tuple(0), slot_of(0)) == FlowTable::tcb_ref(0));
    CHECK(ct.find(client_tuple(3), slot_of(3)) == FlowTable::tcb_ref(3));

    // The most recently freed slot comes back first (its lines are the
    // warmest), reset to the defaults.
    Tcb* a = ct.alloc(client_tuple(7), slot_of(7));
    REQUIRE(a == &ct.tcb(2));
    Tcb* b = ct.alloc(client_tuple(8), slot_of(8));
    REQUIRE(b == &ct.tcb(1));
    CHECK(b->index == 1);
    CHECK(b->tuple == client_tuple(8));
    CHECK(b->flow_hash == slot_of(8));
    CHECK(b->state == State::Closed);
    CHECK(b->snd_mss == 536);
    CHECK(b->listener == kNoListener);
    CHECK(ct.find(client_tuple(8), slot_of(8)) == FlowTable::tcb_ref(1));
    CHECK(ct.find(client_tuple(1), slot_of(1)) == 0);
    CHECK(ct.find(client_tuple(7), slot_of(7)) == FlowTable::tcb_ref(2));
    CHECK(ct.find(client_tuple(2), slot_of(2)) == 0);
    CHECK(ct.tcbs_exhausted());
    CHECK(ctr.pool_exhausted.get() == 0);
}

TEST_CASE("ConnTable: to_time_wait hands the flow entry to a record; release keeps it",
          "[tcp][conn_table]") {
    Counters ctr;
    ConnTable ct(4, 2, ctr);
    ct.alloc(client_tuple(0), slot_of(0));
    Tcb* t = ct.alloc(client_tuple(1), slot_of(1));
    REQUIRE(t != nullptr);
    t->state = State::FinWait2;

    TimeWait* tw = ct.to_time_wait(*t);
    REQUIRE(tw == &ct.time_wait(0));
    CHECK(tw->tuple == client_tuple(1));
    CHECK(tw->flow_hash == slot_of(1));
    CHECK(!tw->timer.armed());
    CHECK(ct.find(client_tuple(1), slot_of(1)) == FlowTable::tw_ref(0));
    CHECK(FlowTable::is_tw(ct.find(client_tuple(1), slot_of(1))));
    CHECK(ct.time_wait_records() == 1);
    CHECK(ct.flows() == 2);  // one entry moved, none added
    CHECK(ct.live() == 2);   // the TCB is not back until release()
    CHECK(t->state == State::FinWait2);

    ct.release(*t);
    CHECK(t->state == State::Closed);
    CHECK(ct.live() == 1);
    CHECK(ct.find(client_tuple(1), slot_of(1)) == FlowTable::tw_ref(0));  // entry kept
    CHECK(ct.flows() == 2);
    CHECK(ct.find(client_tuple(0), slot_of(0)) == FlowTable::tcb_ref(0));

    // The released TCB is reused; the record's entry is unaffected.
    Tcb* n = ct.alloc(client_tuple(2), slot_of(2));
    REQUIRE(n == &ct.tcb(1));
    CHECK(ct.find(client_tuple(1), slot_of(1)) == FlowTable::tw_ref(0));
    CHECK(ct.flows() == 3);

    ct.free_time_wait(*tw);
    CHECK(ct.find(client_tuple(1), slot_of(1)) == 0);
    CHECK(ct.time_wait_records() == 0);
    CHECK(ct.flows() == 2);
    CHECK(ctr.tw_pool_exhausted.get() == 0);
}

TEST_CASE("ConnTable: a full TIME_WAIT pool is a counted nullptr; the TCB keeps its entry",
          "[tcp][conn_table]") {
    Counters ctr;
    ConnTable ct(4, 2, ctr);
    Tcb* t[3];
    for (uint32_t k = 0; k < 3; ++k) t[k] = ct.alloc(client_tuple(k), slot_of(k));
    REQUIRE(ct.to_time_wait(*t[0]) == &ct.time_wait(0));
    REQUIRE(ct.to_time_wait(*t[1]) == &ct.time_wait(1));
    CHECK(ct.to_time_wait(*t[2]) == nullptr);
    CHECK(ctr.tw_pool_exhausted.get() == 1);
    CHECK(ct.find(client_tuple(2), slot_of(2)) == FlowTable::tcb_ref(2));
    CHECK(ct.time_wait_records() == 2);
    CHECK(ct.flows() == 3);
    // A record freed is the next one handed out.
    ct.free_time_wait(ct.time_wait(0));
    CHECK(ct.to_time_wait(*t[2]) == &ct.time_wait(0));
    CHECK(ct.find(client_tuple(2), slot_of(2)) == FlowTable::tw_ref(0));
    CHECK(ctr.tw_pool_exhausted.get() == 1);
}

TEST_CASE("ConnTable: a timer node names its TCB or its TIME_WAIT record", "[tcp][conn_table]") {
    Counters ctr;
    ConnTable ct(4, 3, ctr);
    for (uint32_t k = 0; k < 4; ++k) CHECK(ct.tcb_of(ct.tcb(k).timer) == &ct.tcb(k));
    for (uint32_t k = 0; k < 3; ++k) {
        CHECK(ct.tcb_of(ct.time_wait(k).timer) == nullptr);
        CHECK(&ct.time_wait_of(ct.time_wait(k).timer) == &ct.time_wait(k));
    }
    // A node outside both pools is no TCB's.
    tern::util::TimerNode elsewhere;
    CHECK(ct.tcb_of(elsewhere) == nullptr);
}

TEST_CASE("ConnTable: check() passes a consistent table and names each broken invariant",
          "[tcp][conn_table]") {
    Counters ctr;
    ConnTable ct(4, 2, ctr);
    tern::util::TimerWheel wheel(1000);
    uint32_t armed = 0;
    CHECK(ct.check(0, armed) == "");
    CHECK(armed == 0);

    Tcb* a = ct.alloc(client_tuple(0), slot_of(0));
    Tcb* b = ct.alloc(client_tuple(1), slot_of(1));
    CHECK(ct.check(2, armed) == "");
    // The caller counted another number of live TCBs than the pool holds.
    CHECK(ct.check(1, armed) == "TCB pool accounting");
    CHECK(ct.check(3, armed) == "TCB pool accounting");

    // Between to_time_wait and release the TCB and its record both count.
    TimeWait* tw = ct.to_time_wait(*b);
    REQUIRE(tw != nullptr);
    wheel.arm(tw->timer, 61000);
    CHECK(ct.check(2, armed) == "flow table size != TCBs + TIME_WAIT records");
    ct.release(*b);
    armed = 0;
    CHECK(ct.check(1, armed) == "");
    CHECK(armed == 1);

    // A record whose 2MSL timer is not running.
    wheel.cancel(tw->timer);
    armed = 0;
    CHECK(ct.check(1, armed) == "TIME_WAIT record without its 2MSL timer");
    wheel.arm(tw->timer, 61000);

    // A record freed with its timer still armed.
    ct.free_time_wait(*tw);
    CHECK(ct.check(1, armed) == "timer armed on a free TIME_WAIT record");
    wheel.cancel(tw->timer);
    armed = 0;
    CHECK(ct.check(1, armed) == "");
    CHECK(armed == 0);

    // free() instead of release() after to_time_wait erases the entry the
    // record had taken over.
    TimeWait* tw2 = ct.to_time_wait(*a);
    REQUIRE(tw2 != nullptr);
    wheel.arm(tw2->timer, 61000);
    ct.free(*a);
    CHECK(ct.find(client_tuple(0), slot_of(0)) == 0);
    CHECK(ct.check(0, armed) == "TIME_WAIT record not in the flow table");
    wheel.cancel(tw2->timer);
}

TEST_CASE("ConnTable: the generation changes on insert, replace and erase, not on find",
          "[tcp][conn_table]") {
    Counters ctr;
    ConnTable ct(2, 2, ctr);
    uint32_t g = ct.generation();
    CHECK(ct.find(client_tuple(0), slot_of(0)) == 0);
    CHECK(ct.generation() == g);

    Tcb* a = ct.alloc(client_tuple(0), slot_of(0));  // insert
    CHECK(ct.generation() != g);
    g = ct.generation();
    CHECK(ct.find(client_tuple(0), slot_of(0)) == FlowTable::tcb_ref(0));
    CHECK(ct.find(client_tuple(5), slot_of(5)) == 0);
    CHECK(ct.generation() == g);

    Tcb* b = ct.alloc(client_tuple(1), slot_of(1));
    CHECK(ct.generation() != g);
    g = ct.generation();
    // A refused alloc enters nothing.
    CHECK(ct.alloc(client_tuple(2), slot_of(2)) == nullptr);
    CHECK(ct.generation() == g);

    TimeWait* tw = ct.to_time_wait(*a);  // replace
    REQUIRE(tw != nullptr);
    CHECK(ct.generation() != g);
    g = ct.generation();
    ct.release(*a);  // no flow-table change
    CHECK(ct.generation() == g);

    ct.free(*b);  // erase
    CHECK(ct.generation() != g);
    g = ct.generation();
    ct.free_time_wait(*tw);  // erase
    CHECK(ct.generation() != g);
    g = ct.generation();
    CHECK(ct.find(client_tuple(0), slot_of(0)) == 0);
    CHECK(ct.find(client_tuple(1), slot_of(1)) == 0);
    CHECK(ct.generation() == g);
    CHECK(ct.flows() == 0);
}
