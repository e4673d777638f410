// Scheduling of a thread as the kernel saw it: TSC accounting in a poll
// loop cannot see the thread being descheduled, /proc's schedstat can.
#pragma once

#include <cstdint>

namespace tern::bench {

// /proc/self/task/TID/schedstat: time on a CPU and time runnable but
// waiting for one, in ns.
struct SchedInfo {
    uint64_t run_ns = 0;
    uint64_t wait_ns = 0;
};
SchedInfo sched_info(int tid);
int current_tid();

}  // namespace tern::bench
