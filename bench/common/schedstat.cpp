#include "common/schedstat.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace tern::bench {

int current_tid() { return int(syscall(SYS_gettid)); }

SchedInfo sched_info(int tid) {
    SchedInfo si;
    std::ifstream f("/proc/self/task/" + std::to_string(tid) + "/schedstat");
    unsigned long long run = 0, wait = 0;
    if (f >> run >> wait) {
        si.run_ns = run;
        si.wait_ns = wait;
    }
    return si;
}

}  // namespace tern::bench
