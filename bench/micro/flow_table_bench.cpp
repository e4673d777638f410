// Per-core connection table (issue 5 item 2): tcp::FlowTable (open
// addressing, linear probing, backward-shift erase) against DPDK's rte_hash
// (cuckoo, 8-way buckets), on the same workloads.
//
// tern-micro builds this file alone and runs the FlowTable side only.
// tern-micro-dpdk (bench/micro/dpdk) builds it again with TERN_MICRO_DPDK,
// brings EAL up and registers the rte_hash tables next to FlowTable, so both
// are measured in one process under the same conditions (pinned lcore 0,
// interleaved per configuration):
//   ft       tcp::FlowTable(entries) - the table the Stack uses
//   rte      rte_hash, extra_flag 0 (one writer, no locks), 12-byte key
//   rte_lf   rte_hash, RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF, 12-byte key
//   rte_k16  rte_hash, extra_flag 0, tuple zero-padded to 16 bytes (rte_hash
//            compares 16-byte keys with SSE, any other length with memcmp)
//
// Every table is built with `entries` = the number of flows it must hold, as
// the Stack builds FlowTable(max_tcbs + max_tw_buckets); FlowTable doubles
// that to a power of two (load factor <= 1/2), rte_hash rounds it up to a
// power of two (8 entries per bucket, load factor up to ~0.95). "occ" is the
// number of live flows in percent of `entries`.
//
// The hash is SipHash-2-4 of the tuple truncated to 32 bits (Stack::hash()),
// precomputed as the Stack does (once per segment, stored in the TCB for
// erase) - except where a workload says it hashes. Query streams are laid
// out sequentially, as the tuple comes from the packet, so a lookup costs
// the table's own cache misses only.
//
// Workloads (args entries, occ), reported per lookup / per operation:
//   FlowLookupHit       independent lookups of live flows, random order
//   FlowLookupMiss      independent lookups of absent flows
//   FlowLookupHitDep    each lookup's key depends on the previous result
//                       (latency; the Stack does work between segments)
//   FlowBurstHit/Miss   32 lookups per call (one rx burst): FlowTable in a
//                       loop, rte_hash_lookup_with_hash_bulk_data
//   FlowBurstHitHashed  32 lookups with the hash computed by the table:
//                       FlowTable SipHash + find, rte_hash_lookup_bulk_data
//                       with SipHash as the hash function
//   FlowChurn           insert a new flow + erase the oldest (steady state)
//   FlowMixed           per connection: SYN (hash, lookup miss, insert),
//                       4 segments on random live flows (hash, lookup), close
//                       (erase with the stored hash); `none` runs the same
//                       loop without a table (hashing, key generation)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tcp/flow_table.h"
#include "tcp/isn.h"
#include "tcp/tuple.h"
#include "util/siphash.h"

#ifdef TERN_MICRO_DPDK
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_lcore.h>
#endif

using tern::tcp::FlowTable;
using tern::tcp::Tuple;

namespace {

constexpr tern::util::SipKey kSipKey{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};

const tern::tcp::FlowHasher kFlowHasher(kSipKey);
uint32_t flow_hash(const Tuple& t) { return kFlowHasher(t).slot(); }

// Connection id -> tuple, one-to-one on [0, 2^26): one VIP:443, clients
// spread over addresses and ports.
Tuple tuple_of(uint32_t id) {
    return Tuple{0xC0A80001u, 0x0A000000u + (id >> 10), 443, uint16_t(10000 + (id & 1023))};
}

// Stored value: a FlowTable reference, never 0.
uint32_t ref_of(uint32_t id) { return FlowTable::tcb_ref(id & 0x3fffffffu); }

struct Query {
    Tuple t;
    uint32_t h;
};
static_assert(sizeof(Query) == 16);

constexpr uint32_t kBurst = 32;

// --- tables -------------------------------------------------------------

struct FtTable {
    static constexpr const char* kName = "ft";
    explicit FtTable(uint32_t entries) : ft(entries) {}
    uint32_t find(const Tuple& t, uint32_t h) const { return ft.find(t, h); }
    bool insert(const Tuple& t, uint32_t h, uint32_t ref) { return ft.insert(t, h, ref); }
    void erase(const Tuple& t, uint32_t h) { ft.erase(t, h); }
    void find_burst(const Query* q, uint32_t n, uint32_t* refs) const {
        for (uint32_t i = 0; i < n; ++i) refs[i] = ft.find(q[i].t, q[i].h);
    }
    void find_burst_hashing(const Query* q, uint32_t n, uint32_t* refs) const {
        for (uint32_t i = 0; i < n; ++i) refs[i] = ft.find(q[i].t, flow_hash(q[i].t));
    }
    FlowTable ft;
};

// No table: the Mixed loop's own cost (key generation, hashing).
struct NoTable {
    static constexpr const char* kName = "none";
    explicit NoTable(uint32_t) {}
    uint32_t find(const Tuple& t, uint32_t h) const {
        benchmark::DoNotOptimize(t);
        benchmark::DoNotOptimize(h);
        return 0;
    }
    bool insert(const Tuple& t, uint32_t h, uint32_t ref) {
        benchmark::DoNotOptimize(t);
        benchmark::DoNotOptimize(h);
        benchmark::DoNotOptimize(ref);
        return true;
    }
    void erase(const Tuple& t, uint32_t h) {
        benchmark::DoNotOptimize(t);
        benchmark::DoNotOptimize(h);
    }
};

#ifdef TERN_MICRO_DPDK

uint32_t rte_flow_hash(const void* key, uint32_t, uint32_t) {
    Tuple t;
    std::memcpy(&t, key, sizeof t);
    return flow_hash(t);
}

template <uint32_t KeyLen, uint8_t Flags>
struct RteTable {
    static_assert(KeyLen == 12 || KeyLen == 16);
    static constexpr const char* kName = KeyLen == 16 ? "rte_k16"
                                         : (Flags & RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF)
                                             ? "rte_lf"
                                             : "rte";
    static constexpr bool kFreeOnDel =
        !(Flags & (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_NO_FREE_ON_DEL));

    struct Key {
        Tuple t;
        uint32_t pad = 0;
    };
    static_assert(sizeof(Key) == 16);

    explicit RteTable(uint32_t entries) {
        static unsigned seq;
        char name[RTE_HASH_NAMESIZE];
        std::snprintf(name, sizeof name, "ftbench%u", seq++);
        rte_hash_parameters p{};
        p.name = name;
        p.entries = entries;
        p.key_len = KeyLen;
        p.hash_func = rte_flow_hash;
        p.socket_id = int(rte_socket_id());
        p.extra_flag = Flags;
        h = rte_hash_create(&p);
        if (h == nullptr) {
            std::fprintf(stderr, "rte_hash_create(%u entries): %s\n", entries,
                         rte_strerror(rte_errno));
            std::abort();
        }
    }
    ~RteTable() { rte_hash_free(h); }
    RteTable(const RteTable&) = delete;
    RteTable& operator=(const RteTable&) = delete;

    uint32_t find(const Tuple& t, uint32_t sig) const {
        void* d;
        int r;
        if constexpr (KeyLen == 16) {
            const Key k{t};
            r = rte_hash_lookup_with_hash_data(h, &k, sig, &d);
        } else {
            r = rte_hash_lookup_with_hash_data(h, &t, sig, &d);
        }
        return r >= 0 ? uint32_t(uintptr_t(d)) : 0;
    }
    bool insert(const Tuple& t, uint32_t sig, uint32_t ref) {
        void* d = reinterpret_cast<void*>(uintptr_t(ref));
        if constexpr (KeyLen == 16) {
            const Key k{t};
            return rte_hash_add_key_with_hash_data(h, &k, sig, d) == 0;
        } else {
            return rte_hash_add_key_with_hash_data(h, &t, sig, d) == 0;
        }
    }
    void erase(const Tuple& t, uint32_t sig) {
        int32_t pos;
        if constexpr (KeyLen == 16) {
            const Key k{t};
            pos = rte_hash_del_key_with_hash(h, &k, sig);
        } else {
            pos = rte_hash_del_key_with_hash(h, &t, sig);
        }
        // Without RCU, LF mode leaves the key slot to the caller; with a
        // single thread there is no reader left to wait for.
        if constexpr (!kFreeOnDel) {
            if (pos >= 0) rte_hash_free_key_with_position(h, pos);
        }
    }
    void find_burst(const Query* q, uint32_t n, uint32_t* refs) const {
        const void* keys[kBurst];
        hash_sig_t sigs[kBurst];
        void* data[kBurst];
        uint64_t hits = 0;
        [[maybe_unused]] Key k16[kBurst];
        for (uint32_t i = 0; i < n; ++i) {
            if constexpr (KeyLen == 16) {
                k16[i] = Key{q[i].t};
                keys[i] = &k16[i];
            } else {
                keys[i] = &q[i].t;
            }
            sigs[i] = q[i].h;
        }
        rte_hash_lookup_with_hash_bulk_data(h, keys, sigs, n, &hits, data);
        for (uint32_t i = 0; i < n; ++i)
            refs[i] = (hits >> i) & 1 ? uint32_t(uintptr_t(data[i])) : 0;
    }
    void find_burst_hashing(const Query* q, uint32_t n, uint32_t* refs) const {
        const void* keys[kBurst];
        void* data[kBurst];
        uint64_t hits = 0;
        [[maybe_unused]] Key k16[kBurst];
        for (uint32_t i = 0; i < n; ++i) {
            if constexpr (KeyLen == 16) {
                k16[i] = Key{q[i].t};
                keys[i] = &k16[i];
            } else {
                keys[i] = &q[i].t;
            }
        }
        rte_hash_lookup_bulk_data(h, keys, n, &hits, data);
        for (uint32_t i = 0; i < n; ++i)
            refs[i] = (hits >> i) & 1 ? uint32_t(uintptr_t(data[i])) : 0;
    }

    rte_hash* h;
};

using RteSw = RteTable<12, 0>;
using RteLf = RteTable<12, RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF>;
using RteK16 = RteTable<16, 0>;

#endif  // TERN_MICRO_DPDK

// --- workload state -----------------------------------------------------

// A table holding the flows with ids [head, head + live) out of a pool of
// `pool` ids (pool = 2 * entries; ids beyond the window are absent). hashes[]
// is the precomputed hash of each pool id (the TCB's stored flow_hash).
template <class T>
struct Env {
    Env(uint32_t entries_, uint32_t occ_pct)
        : entries(entries_),
          live(uint32_t(uint64_t(entries_) * occ_pct / 100)),
          pool(2 * entries_),
          hashes(pool),
          table(entries_) {
        for (uint32_t id = 0; id < pool; ++id) hashes[id] = flow_hash(tuple_of(id));
        for (uint32_t id = 0; id < live; ++id) {
            if (!table.insert(tuple_of(id), hashes[id], ref_of(id))) {
                std::fprintf(stderr, "%s: insert %u of %u failed (entries %u)\n", T::kName, id,
                             live, entries);
                std::abort();
            }
        }
    }

    Tuple tuple(uint64_t id) const { return tuple_of(uint32_t(id % pool)); }
    uint32_t hash(uint64_t id) const { return hashes[id % pool]; }

    // kStream queries in sequence: live ids (hit) or ids outside the window
    // (miss), in random order.
    static constexpr uint32_t kStream = 1u << 18;
    std::vector<Query> stream(bool hit, uint64_t seed) const {
        std::mt19937_64 rng(seed);
        std::vector<Query> s(kStream);
        for (auto& q : s) {
            const uint64_t id = hit ? head + rng() % live : head + live + rng() % (pool - live);
            q = Query{tuple(id), hash(id)};
        }
        return s;
    }

    // Checks that the table holds exactly the window (sampled).
    bool check() const {
        std::mt19937_64 rng(99);
        for (int i = 0; i < 1000; ++i) {
            const uint64_t in = head + rng() % live;
            const uint64_t out = head + live + rng() % (pool - live);
            if (table.find(tuple(in), hash(in)) != ref_of(uint32_t(in % pool))) return false;
            if (table.find(tuple(out), hash(out)) != 0) return false;
        }
        return true;
    }

    uint32_t entries, live, pool;
    std::vector<uint32_t> hashes;
    T table;
    uint64_t head = 0;
};

// One environment is kept between calls (Google Benchmark calls the function
// once per repetition); a different table or configuration replaces it, so
// at most one large table lives at a time. Mutating workloads get their own
// (`tag`) so that a lookup stream never meets a moved window.
std::shared_ptr<void> g_env;
std::string g_env_key;

template <class T>
Env<T>& env_for(const benchmark::State& state, const char* tag) {
    const auto entries = uint32_t(state.range(0));
    const auto occ = uint32_t(state.range(1));
    const std::string key = std::string(T::kName) + "/" + tag + "/" + std::to_string(entries) +
                            "/" + std::to_string(occ);
    if (key != g_env_key) {
        g_env.reset();
        g_env_key.clear();
        g_env = std::make_shared<Env<T>>(entries, occ);
        g_env_key = key;
    }
    return *static_cast<Env<T>*>(g_env.get());
}

void set_counters(benchmark::State& state, const char* per, uint64_t n, uint64_t wrong) {
    state.SetItemsProcessed(int64_t(n));
    state.counters[per] =
        benchmark::Counter(double(n), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    if (wrong != 0) state.SkipWithError("table returned a wrong reference");
}

// --- workloads ----------------------------------------------------------

template <class T>
void BM_LookupHit(benchmark::State& state) {
    auto& e = env_for<T>(state, "lookup");
    const auto s = e.stream(true, 1);
    uint64_t i = 0, miss = 0;
    for (auto _ : state) {
        const Query& q = s[i++ & (s.size() - 1)];
        miss += e.table.find(q.t, q.h) == 0;
    }
    set_counters(state, "ns/lookup", i, miss);
}

template <class T>
void BM_LookupMiss(benchmark::State& state) {
    auto& e = env_for<T>(state, "lookup");
    const auto s = e.stream(false, 2);
    uint64_t i = 0, hit = 0;
    for (auto _ : state) {
        const Query& q = s[i++ & (s.size() - 1)];
        hit += e.table.find(q.t, q.h) != 0;
    }
    set_counters(state, "ns/lookup", i, hit);
}

template <class T>
void BM_LookupHitDep(benchmark::State& state) {
    auto& e = env_for<T>(state, "lookup");
    const auto s = e.stream(true, 3);
    uint64_t i = 0, n = 0, miss = 0;
    for (auto _ : state) {
        const Query& q = s[i & (s.size() - 1)];
        const uint32_t ref = e.table.find(q.t, q.h);
        miss += ref == 0;
        // ref != 0 always: the next address waits for this lookup.
        i += 1 + (ref == 0);
        ++n;
    }
    set_counters(state, "ns/lookup", n, miss);
}

template <class T>
void BM_Burst(benchmark::State& state, bool hit, bool hashing) {
    auto& e = env_for<T>(state, "lookup");
    const auto s = e.stream(hit, hit ? 4 : 5);
    uint64_t i = 0, wrong = 0;
    uint32_t refs[kBurst];
    for (auto _ : state) {
        const Query* q = &s[i & (s.size() - 1)];  // kStream is a multiple of kBurst
        if (hashing) {
            e.table.find_burst_hashing(q, kBurst, refs);
        } else {
            e.table.find_burst(q, kBurst, refs);
        }
        for (uint32_t k = 0; k < kBurst; ++k) wrong += (refs[k] != 0) != hit;
        i += kBurst;
    }
    set_counters(state, "ns/lookup", i, wrong);
}

template <class T>
void BM_Churn(benchmark::State& state) {
    auto& e = env_for<T>(state, "mutate");
    uint64_t n = 0, fail = 0;
    for (auto _ : state) {
        const uint64_t in = e.head + e.live, out = e.head;
        fail += !e.table.insert(e.tuple(in), e.hash(in), ref_of(uint32_t(in % e.pool)));
        e.table.erase(e.tuple(out), e.hash(out));
        ++e.head;
        ++n;
    }
    if (!e.check()) fail = 1;
    set_counters(state, "ns/insert+erase", n, fail);
}

template <class T>
void BM_Mixed(benchmark::State& state) {
    auto& e = env_for<T>(state, "mutate");
    uint64_t n = 0, wrong = 0;
    uint64_t x = 0x9E3779B97F4A7C15ull + e.head;  // xorshift64
    for (auto _ : state) {
        // SYN: hash the tuple, look it up (absent), insert.
        const uint64_t in = e.head + e.live;
        const Tuple ts = e.tuple(in);
        const uint32_t hs = flow_hash(ts);
        wrong += e.table.find(ts, hs) != 0;
        wrong += !e.table.insert(ts, hs, ref_of(uint32_t(in % e.pool)));
        // Four segments of random live connections.
        for (int k = 0; k < 4; ++k) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            const uint64_t id = e.head + 1 + ((x >> 32) * e.live >> 32);
            const Tuple t = e.tuple(id);
            benchmark::DoNotOptimize(wrong += e.table.find(t, flow_hash(t)) !=
                                              ref_of(uint32_t(id % e.pool)));
        }
        // Close: erase the oldest with its stored hash.
        e.table.erase(e.tuple(e.head), e.hash(e.head));
        ++e.head;
        ++n;
    }
    if constexpr (std::is_same_v<T, NoTable>) {
        wrong = 0;
    } else if (!e.check()) {
        wrong = 1;
    }
    set_counters(state, "ns/conn", n, wrong);
}

// --- registration -------------------------------------------------------

// Interleaved: for each workload and configuration, every table in turn, so
// a change of machine load hits all of them alike.
const std::vector<std::pair<int64_t, int64_t>> kConfigs = {
    {1 << 16, 50}, {1 << 16, 90}, {1 << 20, 50}, {1 << 20, 90}};

template <class... Ts>
struct Tables {};

template <class... Ts>
void register_workload(const char* name, Tables<Ts...>, auto make_fn) {
    for (const auto& [entries, occ] : kConfigs) {
        (benchmark::RegisterBenchmark((std::string(name) + "/" + Ts::kName).c_str(),
                                      make_fn.template operator()<Ts>())
             ->ArgNames({"entries", "occ"})
             ->Args({entries, occ}),
         ...);
    }
}

template <class... Ts>
void register_all(Tables<Ts...> tables) {
    register_workload("FlowLookupHit", tables, []<class T>() { return BM_LookupHit<T>; });
    register_workload("FlowLookupMiss", tables, []<class T>() { return BM_LookupMiss<T>; });
    register_workload("FlowLookupHitDep", tables, []<class T>() { return BM_LookupHitDep<T>; });
    register_workload("FlowBurstHit", tables, []<class T>() {
        return [](benchmark::State& s) { BM_Burst<T>(s, true, false); };
    });
    register_workload("FlowBurstMiss", tables, []<class T>() {
        return [](benchmark::State& s) { BM_Burst<T>(s, false, false); };
    });
    register_workload("FlowBurstHitHashed", tables, []<class T>() {
        return [](benchmark::State& s) { BM_Burst<T>(s, true, true); };
    });
    register_workload("FlowChurn", tables, []<class T>() { return BM_Churn<T>; });
    register_workload("FlowMixed", Tables<NoTable, Ts...>{}, []<class T>() { return BM_Mixed<T>; });
}

}  // namespace

#ifdef TERN_MICRO_DPDK
// Called by tern-micro-dpdk's main before rte_eal_cleanup(): the cached
// table may be an rte_hash, which must not outlive EAL.
void tern_micro_flow_table_release() {
    g_env.reset();
    g_env_key.clear();
}
#endif

namespace {

[[maybe_unused]] const bool registered = [] {
#ifdef TERN_MICRO_DPDK
    register_all(Tables<FtTable, RteSw, RteLf, RteK16>{});
#else
    register_all(Tables<FtTable>{});
#endif
    return true;
}();

}  // namespace
