// Shared helpers for the Linux-kernel baseline programs (bench/linux):
// CPU pinning, monotonic time, /proc/stat busy shares, a log-linear latency
// histogram, address parsing with the 198.18.0.0/15 guard, small argv parser.
// Header-only, no dependency beyond libc/libstdc++.
#pragma once

#include <arpa/inet.h>
#include <sched.h>
#include <time.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace bl {

[[noreturn]] inline void die(const char* what) {
    std::fprintf(stderr, "fatal: %s: %s\n", what, std::strerror(errno));
    std::exit(2);
}
[[noreturn]] inline void usage_error(const std::string& msg) {
    std::fprintf(stderr, "error: %s\n", msg.c_str());
    std::exit(2);
}

inline uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

inline void pin_cpu(int cpu) {
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) die("sched_setaffinity");
}

// ---- /proc/stat -------------------------------------------------------------
// One CPU's counters in USER_HZ ticks. busy = user+nice+system+irq+softirq;
// the denominator leaves out steal (time the hypervisor did not run this vCPU),
// so a busy share of 1.0 means "every tick this vCPU actually ran, it worked".
struct CpuTicks {
    uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0,
             softirq = 0, steal = 0;
    bool ok = false;
};

inline CpuTicks read_cpu_ticks(int cpu) {
    CpuTicks t;
    std::ifstream f("/proc/stat");
    std::string line;
    const std::string key = "cpu" + std::to_string(cpu) + " ";
    while (std::getline(f, line)) {
        if (line.compare(0, key.size(), key) != 0) continue;
        std::istringstream is(line.substr(key.size()));
        is >> t.user >> t.nice >> t.system >> t.idle >> t.iowait >> t.irq >>
            t.softirq >> t.steal;
        t.ok = bool(is) || is.eof();
        break;
    }
    return t;
}

struct CpuShare {
    int cpu = -1;
    double busy = 0, user = 0, system = 0, softirq = 0, irq = 0, idle = 0,
           steal_of_wall = 0;
};

inline CpuShare cpu_share(int cpu, const CpuTicks& a, const CpuTicks& b) {
    CpuShare s;
    s.cpu = cpu;
    const double user = double((b.user - a.user) + (b.nice - a.nice));
    const double sys = double(b.system - a.system);
    const double irq = double(b.irq - a.irq);
    const double sirq = double(b.softirq - a.softirq);
    const double idle = double((b.idle - a.idle) + (b.iowait - a.iowait));
    const double steal = double(b.steal - a.steal);
    const double ran = user + sys + irq + sirq + idle;
    if (ran <= 0) return s;
    s.busy = (user + sys + irq + sirq) / ran;
    s.user = user / ran;
    s.system = sys / ran;
    s.irq = irq / ran;
    s.softirq = sirq / ran;
    s.idle = idle / ran;
    s.steal_of_wall = steal / (ran + steal);
    return s;
}

inline std::string cpu_share_json(const CpuShare& s) {
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "{\"cpu\": %d, \"busy\": %.4f, \"user\": %.4f, \"system\": %.4f, "
                  "\"softirq\": %.4f, \"irq\": %.4f, \"idle\": %.4f, \"steal\": %.4f}",
                  s.cpu, s.busy, s.user, s.system, s.softirq, s.irq, s.idle,
                  s.steal_of_wall);
    return buf;
}

// Packets dropped at each CPU's input backlog (netdev_max_backlog overflow):
// second column of /proc/net/softnet_stat, one line per possible CPU (hex).
inline std::vector<uint64_t> softnet_drops() {
    std::vector<uint64_t> v;
    std::ifstream f("/proc/net/softnet_stat");
    std::string line;
    while (std::getline(f, line)) {
        std::istringstream is(line);
        std::string processed, dropped;
        is >> processed >> dropped;
        v.push_back(std::strtoull(dropped.c_str(), nullptr, 16));
    }
    return v;
}

// utime + stime of one process (all its threads), in USER_HZ ticks; 0 if gone.
// With tick-based accounting (this machine: no IRQ_TIME_ACCOUNTING) a softirq
// that interrupts the task is charged to its stime *and* to the CPU's softirq.
inline uint64_t read_task_ticks(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto rp = s.rfind(')');
    if (rp == std::string::npos) return 0;
    std::istringstream is(s.substr(rp + 2));
    std::string field;
    uint64_t utime = 0, stime = 0;
    for (int i = 3; i <= 15 && is >> field; ++i) {  // fields 14, 15 = utime, stime
        if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
        if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
    }
    return utime + stime;
}

// Snapshot of the CPUs (and of our own processes) a program measures over its
// window. Tasks are (label, pid, cpu it is pinned to).
struct CpuWindow {
    struct Task {
        std::string label;
        int pid;
        int cpu;
    };
    std::vector<int> cpus;
    std::vector<Task> tasks;
    std::vector<CpuTicks> start;
    std::vector<uint64_t> task_start;
    std::vector<uint64_t> drops_start;
    void begin() {
        start.clear();
        task_start.clear();
        for (int c : cpus) start.push_back(read_cpu_ticks(c));
        for (auto& t : tasks) task_start.push_back(read_task_ticks(t.pid));
        drops_start = softnet_drops();
    }
    // JSON: "cpus": [{..., "tasks": {label: share}, "foreign_min": x}],
    //       "softnet_backlog_drops": {"cpuN": n}
    // foreign_min = busy - (our tasks on that CPU) - softirq, clamped at 0: a
    // lower bound of the share other people's processes took from that CPU.
    std::string end_json(std::vector<CpuShare>* out = nullptr) const {
        std::string j = "\"cpus\": [";
        const auto drops_end = softnet_drops();
        for (size_t i = 0; i < cpus.size(); ++i) {
            const CpuTicks now = read_cpu_ticks(cpus[i]);
            const CpuShare s = cpu_share(cpus[i], start[i], now);
            if (out) out->push_back(s);
            const CpuTicks& a = start[i];
            const double ran = double((now.user - a.user) + (now.nice - a.nice) +
                                      (now.system - a.system) + (now.irq - a.irq) +
                                      (now.softirq - a.softirq) + (now.idle - a.idle) +
                                      (now.iowait - a.iowait));
            std::string tj = "{";
            double ours = 0;
            for (size_t k = 0; k < tasks.size(); ++k) {
                if (tasks[k].cpu != cpus[i]) continue;
                const double sh =
                    ran > 0 ? double(read_task_ticks(tasks[k].pid) - task_start[k]) / ran : 0;
                ours += sh;
                if (tj.size() > 1) tj += ", ";
                char b[96];
                std::snprintf(b, sizeof b, "\"%s\": %.4f", tasks[k].label.c_str(), sh);
                tj += b;
            }
            tj += "}";
            double foreign = s.busy - ours - s.softirq;
            if (foreign < 0) foreign = 0;
            if (i) j += ", ";
            std::string cj = cpu_share_json(s);
            cj.pop_back();  // drop '}'
            char b[64];
            std::snprintf(b, sizeof b, ", \"foreign_min\": %.4f, \"tasks\": ", foreign);
            j += cj + b + tj + "}";
        }
        j += "], \"softnet_backlog_drops\": {";
        for (size_t i = 0; i < cpus.size(); ++i) {
            const size_t c = size_t(cpus[i]);
            uint64_t d = 0;
            if (c < drops_end.size() && c < drops_start.size())
                d = drops_end[c] - drops_start[c];
            if (i) j += ", ";
            j += "\"cpu" + std::to_string(c) + "\": " + std::to_string(d);
        }
        j += "}";
        return j;
    }
};

inline std::vector<int> parse_cpu_list(const std::string& s) {
    std::vector<int> v;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) v.push_back(std::atoi(item.c_str()));
    return v;
}

// ---- latency histogram --------------------------------------------------------
// Log-linear: 64 linear sub-buckets per power of two (relative error < 1.6 %),
// values in nanoseconds up to 2^40 ns (~18 min). Fixed memory, O(1) record.
class Histogram {
public:
    static constexpr int kSubBits = 6;
    static constexpr int kSub = 1 << kSubBits;
    static constexpr int kMaxExp = 40;

    void record(uint64_t v) {
        ++count_;
        sum_ += v;
        if (v > max_) max_ = v;
        ++buckets_[index(v)];
    }
    uint64_t count() const { return count_; }
    double mean() const { return count_ ? double(sum_) / double(count_) : 0.0; }
    uint64_t max() const { return max_; }

    // Value at quantile q in [0,1] (the bucket's midpoint, clamped to max).
    uint64_t quantile(double q) const {
        if (count_ == 0) return 0;
        uint64_t rank = uint64_t(q * double(count_));
        if (rank >= count_) rank = count_ - 1;
        uint64_t seen = 0;
        for (size_t i = 0; i < kBuckets; ++i) {
            seen += buckets_[i];
            if (seen > rank) {
                const uint64_t lo = lower(i), hi = lower(i + 1);
                const uint64_t mid = lo + (hi - lo) / 2;
                return mid < max_ ? mid : max_;
            }
        }
        return max_;
    }

    // {"count":..,"mean_us":..,"p50_us":..,"p99_us":..,"p999_us":..,"max_us":..}
    std::string json() const {
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "{\"count\": %llu, \"mean_us\": %.1f, \"p50_us\": %.1f, "
                      "\"p99_us\": %.1f, \"p999_us\": %.1f, \"max_us\": %.1f}",
                      (unsigned long long)count_, mean() / 1e3,
                      double(quantile(0.50)) / 1e3, double(quantile(0.99)) / 1e3,
                      double(quantile(0.999)) / 1e3, double(max_) / 1e3);
        return buf;
    }

private:
    static constexpr size_t kBuckets = size_t(kMaxExp - kSubBits + 2) * kSub;
    static size_t index(uint64_t v) {
        if (v < uint64_t(kSub)) return size_t(v);
        int e = 63 - __builtin_clzll(v);  // >= kSubBits
        if (e > kMaxExp) return kBuckets - 1;
        const uint64_t sub = (v >> (e - kSubBits)) & (kSub - 1);
        return size_t(e - kSubBits + 1) * kSub + size_t(sub);
    }
    static uint64_t lower(size_t i) {
        if (i < size_t(kSub)) return i;
        const size_t blk = i / kSub;  // >= 1
        const uint64_t sub = i % kSub;
        const int e = int(blk) + kSubBits - 1;
        return (uint64_t(1) << e) + (sub << (e - kSubBits));
    }
    uint64_t buckets_[kBuckets] = {};
    uint64_t count_ = 0, sum_ = 0, max_ = 0;
};

// ---- addresses ------------------------------------------------------------------
// Everything these tools send to or from must be inside 198.18.0.0/15
// (RFC 2544 benchmarking range); anything else is refused.
inline bool in_bench_range(uint32_t host_order) {
    return (host_order & 0xfffe0000u) == 0xc6120000u;  // 198.18.0.0/15
}

inline uint32_t parse_ipv4(const std::string& s) {  // host order
    in_addr a{};
    if (inet_pton(AF_INET, s.c_str(), &a) != 1) usage_error("bad IPv4 address: " + s);
    return ntohl(a.s_addr);
}

inline uint32_t checked_bench_addr(const std::string& s) {
    const uint32_t a = parse_ipv4(s);
    if (!in_bench_range(a)) usage_error(s + " is outside 198.18.0.0/15; refused");
    return a;
}

inline std::string ipv4_str(uint32_t host_order) {
    in_addr a{};
    a.s_addr = htonl(host_order);
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, buf, sizeof buf);
    return buf;
}

// "A" or "A-B" (inclusive), every address checked against 198.18.0.0/15.
inline std::vector<uint32_t> parse_addr_range(const std::string& s) {
    std::vector<uint32_t> v;
    const auto dash = s.find('-');
    const uint32_t a = checked_bench_addr(s.substr(0, dash));
    const uint32_t b = dash == std::string::npos ? a : checked_bench_addr(s.substr(dash + 1));
    if (b < a || b - a > 65535) usage_error("bad address range: " + s);
    for (uint64_t x = a; x <= b; ++x) v.push_back(uint32_t(x));
    return v;
}

// ---- argv -------------------------------------------------------------------------
// --key value / --key=value / --flag. Unknown keys are an error (caller lists them).
struct Args {
    std::vector<std::pair<std::string, std::string>> kv;
    Args(int argc, char** argv, const std::vector<std::string>& known,
         const std::vector<std::string>& flags, const char* usage) {
        for (int i = 1; i < argc; ++i) {
            std::string a = argv[i];
            if (a == "-h" || a == "--help") {
                std::fputs(usage, stdout);
                std::exit(0);
            }
            if (a.rfind("--", 0) != 0) usage_error("unexpected argument " + a);
            a = a.substr(2);
            std::string val;
            const auto eq = a.find('=');
            bool has_val = false;
            if (eq != std::string::npos) {
                val = a.substr(eq + 1);
                a = a.substr(0, eq);
                has_val = true;
            }
            bool is_flag = false, is_known = false;
            for (auto& f : flags) is_flag |= (f == a);
            for (auto& k : known) is_known |= (k == a);
            if (!is_flag && !is_known) {
                std::fputs(usage, stderr);
                usage_error("unknown option --" + a);
            }
            if (is_flag) {
                kv.emplace_back(a, has_val ? val : "1");
                continue;
            }
            if (!has_val) {
                if (i + 1 >= argc) usage_error("--" + a + " needs a value");
                val = argv[++i];
            }
            kv.emplace_back(a, val);
        }
    }
    bool has(const std::string& k) const {
        for (auto& p : kv)
            if (p.first == k) return true;
        return false;
    }
    std::string str(const std::string& k, const std::string& def) const {
        std::string v = def;
        for (auto& p : kv)
            if (p.first == k) v = p.second;
        return v;
    }
    long num(const std::string& k, long def) const {
        if (!has(k)) return def;
        const std::string s = str(k, "");
        char* end = nullptr;
        errno = 0;
        const long v = std::strtol(s.c_str(), &end, 0);
        if (errno || end == s.c_str() || *end) usage_error("--" + k + " wants a number");
        return v;
    }
    double real(const std::string& k, double def) const {
        if (!has(k)) return def;
        const std::string s = str(k, "");
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (end == s.c_str() || *end) usage_error("--" + k + " wants a number");
        return v;
    }
};

inline std::string json_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '"' || c == '\\') {
            o += '\\';
            o += c;
        } else if (c == '\n') {
            o += "\\n";
        } else if (c == '\r') {
            o += "\\r";
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            o += b;
        } else {
            o += c;
        }
    }
    return o;
}

}  // namespace bl
