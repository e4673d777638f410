// tern-corelat: the round trip of one cache line between two CPUs, median
// of a bounded number of ping-pongs (at most ~0.2 s).
//
//   tern-corelat [CPU_A CPU_B]      (default 0 1) -> prints nanoseconds
//
// Why: on this 2-vCPU guest the host places the two vCPUs near each other
// (one L3: ~90-120 ns) or far apart (~340 ns), and moves them while a run
// goes on. Everything that crosses cores (memif rings, the frames tern-gen
// writes and tern reads, veth RPS for Linux) costs accordingly: the same
// tern binary moves between ~4.4 and ~6.8 M SYN-ACKs/s with it. bench/run.sh
// records this figure before and after every run so that a result says
// which placement it was measured under.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

struct alignas(64) Line {
    std::atomic<uint64_t> v{0};
};

bool pin(int cpu) {
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    return pthread_setaffinity_np(pthread_self(), sizeof s, &s) == 0;
}

}  // namespace

int main(int argc, char** argv) {
    const int a = argc > 2 ? std::atoi(argv[1]) : 0;
    const int b = argc > 2 ? std::atoi(argv[2]) : 1;
    using clk = std::chrono::steady_clock;
    constexpr int kBatches = 200, kPerBatch = 200;
    const auto deadline = clk::now() + std::chrono::milliseconds(200);  // the whole measurement
    Line line;
    std::atomic<bool> stop{false}, ok{true};
    // The echo side answers every odd value with the next even one.
    std::thread echo([&] {
        if (!pin(b)) ok = false;
        uint64_t seen = 0;
        while (!stop.load(std::memory_order_relaxed)) {
            const uint64_t v = line.v.load(std::memory_order_acquire);
            if (v != seen && (v & 1)) {
                line.v.store(v + 1, std::memory_order_release);
                seen = v + 1;
            }
        }
    });
    if (!pin(a)) ok = false;
    std::vector<double> ns;
    uint64_t v = 0;
    bool stalled = false;
    for (int i = 0; i < kBatches && !stalled && clk::now() < deadline && ok; ++i) {
        const auto t0 = clk::now();
        for (int k = 0; k < kPerBatch && !stalled; ++k) {
            line.v.store(++v, std::memory_order_release);  // odd: the echo answers v + 1
            for (uint64_t spins = 1; line.v.load(std::memory_order_acquire) != v + 1; ++spins)
                if ((spins & 0xFFFF) == 0 && clk::now() > deadline) {
                    stalled = true;  // the echo was descheduled past the deadline
                    break;
                }
            ++v;
        }
        if (!stalled)
            ns.push_back(std::chrono::duration<double, std::nano>(clk::now() - t0).count() / kPerBatch);
    }
    stop = true;
    echo.join();
    if (!ok || ns.empty()) {
        std::fprintf(stderr, "tern-corelat: no measurement on CPUs %d and %d\n", a, b);
        return 1;
    }
    std::nth_element(ns.begin(), ns.begin() + long(ns.size() / 2), ns.end());
    std::printf("%.0f\n", ns[ns.size() / 2]);
    return 0;
}
