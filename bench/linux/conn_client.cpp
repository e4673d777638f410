// tern-bl-conn-client: closed-loop short-HTTP connection load for the Linux
// baseline. Keeps C connections in flight; each one is
//   socket -> bind(src addr, port chosen at connect) -> connect ->
//   [connect completes: SYN-ACK received, ACK sent] -> send GET ->
//   read the full response (Content-Length) -> close -> a new one at once.
//
// Close order (--close):
//   server (default): the request says "Connection: close"; the server closes
//           first after its response (as a real HTTP/1.1 client asking for
//           close sees it); the client reads EOF, then closes. TIME_WAIT lands
//           in the SERVER's namespace.
//   client: keep-alive request; the client closes as soon as it has the whole
//           response; TIME_WAIT lands in the CLIENT's namespace (what tern-gen
//           does: it keeps TIME_WAIT in its own table).
//
// Source addresses rotate over --src (default 198.18.1.10-198.18.1.50) with
// IP_BIND_ADDRESS_NO_PORT, so the ephemeral port is chosen per 4-tuple at
// connect time and the port space is (addresses x ports), not 28 k.
//
// After --warmup seconds it measures for --seconds: connections completed,
// failures by kind, latency histograms (connect() -> connect completion, i.e.
// SYN-ACK received; connect() -> full response) and the busy share of
// --measure-cpus from /proc/stat over exactly that window (with this process's
// and, given --server-pid, the server's share of their CPUs, so that other
// people's load on the machine shows up as "foreign_min"). One JSON object on
// stdout. Every loop is bounded in time.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <vector>

#include "common.h"

namespace {

const char* kUsage =
    "usage: tern-bl-conn-client [--server 198.18.1.1] [--port 80]\n"
    "         [--src 198.18.1.10-198.18.1.50] [--concurrency 64] [--seconds 10]\n"
    "         [--warmup 1] [--cpu 0] [--measure-cpus 0,1] [--close server|client]\n"
    "         [--timeout-ms 3000] [--server-pid PID --server-cpu 1]\n"
    "  All addresses must be inside 198.18.0.0/15. JSON result on stdout.\n";

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

enum class St : uint8_t { Free, Connecting, Reading, WaitEof };

struct Conn {
    St st = St::Free;
    uint64_t t_start = 0, t_conn = 0;
    size_t header_end = 0;   // offset past "\r\n\r\n" once seen
    long content_length = -1;
    size_t got = 0;
    std::string buf;         // response header bytes (body only counted)
};

struct Counters {
    uint64_t started = 0, completed = 0;
    uint64_t f_connect = 0;      // connect failed (refused, timed out, unreachable)
    uint64_t f_addrnotavail = 0; // no free 4-tuple (port exhaustion)
    uint64_t f_reset = 0;        // reset / error after connect
    uint64_t f_early_eof = 0;    // closed before a full response
    uint64_t f_timeout = 0;      // no full response within --timeout-ms
    uint64_t f_bad_response = 0; // not a 200 / unparsable
    uint64_t failures() const {
        return f_connect + f_addrnotavail + f_reset + f_early_eof + f_timeout + f_bad_response;
    }
};

class Client {
public:
    Client(int ep, uint32_t server, int port, std::vector<uint32_t> srcs, bool server_closes,
           uint64_t timeout_ns)
        : ep_(ep), srcs_(std::move(srcs)), server_closes_(server_closes),
          timeout_ns_(timeout_ns) {
        dst_.sin_family = AF_INET;
        dst_.sin_port = htons(uint16_t(port));
        dst_.sin_addr.s_addr = htonl(server);
        req_ = server_closes_ ? "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                              : "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    // Open one connection; returns false only on a local resource problem.
    bool open_one(uint64_t now) {
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            ++local_errors_;
            return false;
        }
        const int one = 1;
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sockaddr_in src{};
        src.sin_family = AF_INET;
        src.sin_addr.s_addr = htonl(srcs_[next_src_++ % srcs_.size()]);
        if (bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
            ++local_errors_;
            close(fd);
            return false;
        }
        if (size_t(fd) >= conns_.size()) conns_.resize(size_t(fd) * 2 + 64);
        Conn& c = conns_[size_t(fd)];
        c = Conn{};
        c.t_start = now;
        c.st = St::Connecting;
        ++in_flight_;
        if (counting_) ++cnt_.started;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
        ev.data.fd = fd;
        if (epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) != 0) bl::die("epoll_ctl add");
        const int r = connect(fd, reinterpret_cast<sockaddr*>(&dst_), sizeof dst_);
        if (r != 0 && errno != EINPROGRESS) {
            if (errno == EADDRNOTAVAIL) {
                if (counting_) ++cnt_.f_addrnotavail;
            } else if (counting_) {
                ++cnt_.f_connect;
            }
            finish(fd);
        }
        return true;
    }

    void on_event(int fd, uint32_t events, uint64_t now) {
        if (size_t(fd) >= conns_.size()) return;
        Conn& c = conns_[size_t(fd)];
        if (c.st == St::Free) return;
        if (c.st == St::Connecting) {
            if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0) {
                if (counting_) {
                    if (err == EADDRNOTAVAIL)
                        ++cnt_.f_addrnotavail;
                    else
                        ++cnt_.f_connect;
                }
                finish(fd);
                return;
            }
            c.t_conn = now;
            if (counting_) h_connect_.record(now - c.t_start);
            const ssize_t n = send(fd, req_.data(), req_.size(), MSG_NOSIGNAL);
            if (n != ssize_t(req_.size())) {  // a 40-byte write into an empty buffer
                if (counting_) ++cnt_.f_reset;
                finish(fd);
                return;
            }
            c.st = St::Reading;
            // With ET, fall through and try a read (the response may be there).
        }
        read_some(fd, now);
    }

    // Fail connections that have waited longer than the timeout.
    void sweep(uint64_t now) {
        for (size_t fd = 0; fd < conns_.size(); ++fd) {
            Conn& c = conns_[fd];
            if (c.st == St::Free || now - c.t_start < timeout_ns_) continue;
            if (counting_ && c.st != St::WaitEof) ++cnt_.f_timeout;
            finish(int(fd));
        }
    }

    void set_counting(bool on) { counting_ = on; }
    uint64_t in_flight() const { return in_flight_; }
    uint64_t local_errors() const { return local_errors_; }
    const Counters& counters() const { return cnt_; }
    const bl::Histogram& h_connect() const { return h_connect_; }
    const bl::Histogram& h_response() const { return h_response_; }

private:
    void read_some(int fd, uint64_t now) {
        Conn& c = conns_[size_t(fd)];
        char buf[4096];
        for (int i = 0; i < 64; ++i) {
            const ssize_t n = read(fd, buf, sizeof buf);
            if (n > 0) {
                if (c.st == St::WaitEof) continue;  // nothing more expected; ignore
                if (!consume(fd, buf, size_t(n), now)) return;
                continue;
            }
            if (n == 0) {  // EOF
                if (c.st == St::Reading && counting_) ++cnt_.f_early_eof;
                finish(fd);  // normal end in WaitEof: the server closed first
                return;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == EINTR) continue;
            if (c.st == St::Reading && counting_) ++cnt_.f_reset;
            finish(fd);
            return;
        }
    }

    // Returns false when the connection was finished.
    bool consume(int fd, const char* p, size_t n, uint64_t now) {
        Conn& c = conns_[size_t(fd)];
        if (c.header_end == 0) {
            const size_t old = c.buf.size();
            c.buf.append(p, n);
            const size_t e = c.buf.find("\r\n\r\n", old >= 3 ? old - 3 : 0);
            if (e == std::string::npos) {
                if (c.buf.size() > 16384) {
                    if (counting_) ++cnt_.f_bad_response;
                    finish(fd);
                    return false;
                }
                return true;
            }
            c.header_end = e + 4;
            const std::string_view hdr(c.buf.data(), c.header_end);
            if (hdr.substr(0, 12) != "HTTP/1.1 200" && hdr.substr(0, 12) != "HTTP/1.0 200") {
                if (counting_) ++cnt_.f_bad_response;
                finish(fd);
                return false;
            }
            const size_t cl = find_ci(hdr, "\r\ncontent-length:");
            if (cl == std::string::npos) {
                if (counting_) ++cnt_.f_bad_response;
                finish(fd);
                return false;
            }
            c.content_length = std::strtol(c.buf.c_str() + cl + 17, nullptr, 10);
            c.got = c.buf.size() - c.header_end;
        } else {
            c.got += n;
        }
        if (c.content_length >= 0 && c.got >= size_t(c.content_length)) {
            if (counting_) {
                h_response_.record(now - c.t_start);
                ++cnt_.completed;
            }
            if (server_closes_) {
                c.st = St::WaitEof;  // the server's FIN follows its response
                return true;
            }
            finish(fd);  // client closes first
            return false;
        }
        return true;
    }

    static size_t find_ci(std::string_view s, std::string_view needle) {
        for (size_t i = 0; i + needle.size() <= s.size(); ++i) {
            size_t k = 0;
            while (k < needle.size() &&
                   std::tolower(static_cast<unsigned char>(s[i + k])) == needle[k])
                ++k;
            if (k == needle.size()) return i;
        }
        return std::string::npos;
    }

    void finish(int fd) {
        Conn& c = conns_[size_t(fd)];
        c.st = St::Free;
        c.buf.clear();
        c.buf.shrink_to_fit();
        --in_flight_;
        close(fd);  // also removes it from the epoll set
    }

    int ep_;
    sockaddr_in dst_{};
    std::vector<uint32_t> srcs_;
    size_t next_src_ = 0;
    bool server_closes_;
    uint64_t timeout_ns_;
    std::string req_;
    std::vector<Conn> conns_;
    uint64_t in_flight_ = 0, local_errors_ = 0;
    bool counting_ = false;
    Counters cnt_;
    bl::Histogram h_connect_, h_response_;
};

}  // namespace

int main(int argc, char** argv) {
    bl::Args args(argc, argv,
                  {"server", "port", "src", "concurrency", "seconds", "warmup", "cpu",
                   "measure-cpus", "server-pid", "server-cpu", "close", "timeout-ms"},
                  {}, kUsage);
    const uint32_t server = bl::checked_bench_addr(args.str("server", "198.18.1.1"));
    const int port = int(args.num("port", 80));
    const std::string src_s = args.str("src", "198.18.1.10-198.18.1.50");
    std::vector<uint32_t> srcs;
    {
        std::string rest = src_s;
        while (!rest.empty()) {  // comma-separated list of A or A-B
            const auto comma = rest.find(',');
            for (uint32_t a : bl::parse_addr_range(rest.substr(0, comma))) srcs.push_back(a);
            rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
        }
    }
    const long conc = args.num("concurrency", 64);
    const double seconds = args.real("seconds", 10);
    const double warmup = args.real("warmup", 1);
    const int cpu = int(args.num("cpu", 0));
    const std::vector<int> mcpus = bl::parse_cpu_list(args.str("measure-cpus", "0,1"));
    const std::string close_mode = args.str("close", "server");
    const long timeout_ms = args.num("timeout-ms", 3000);
    if (port <= 0 || port > 65535) bl::usage_error("bad --port");
    if (conc < 1 || conc > 100000) bl::usage_error("--concurrency in 1..100000");
    if (!(seconds > 0 && seconds <= 3600)) bl::usage_error("--seconds in (0, 3600]");
    if (!(warmup >= 0 && warmup <= 60)) bl::usage_error("--warmup in [0, 60]");
    if (close_mode != "server" && close_mode != "client") bl::usage_error("--close server|client");
    if (timeout_ms < 10 || timeout_ms > 60000) bl::usage_error("--timeout-ms in 10..60000");
    if (srcs.empty()) bl::usage_error("no --src address");

    bl::pin_cpu(cpu);
    rlimit rl{1 << 20, 1 << 20};
    setrlimit(RLIMIT_NOFILE, &rl);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);

    const int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) bl::die("epoll_create1");
    const bool server_closes = close_mode == "server";
    Client cl(ep, server, port, srcs, server_closes, uint64_t(timeout_ms) * 1000000ull);

    bl::CpuWindow win;
    win.cpus = mcpus;
    win.tasks.push_back({"client", int(getpid()), cpu});
    if (args.has("server-pid"))
        win.tasks.push_back({"server", int(args.num("server-pid", 0)), int(args.num("server-cpu", 1))});
    const uint64_t t0 = bl::now_ns();
    const uint64_t t_measure = t0 + uint64_t(warmup * 1e9);
    const uint64_t t_end = t_measure + uint64_t(seconds * 1e9);
    const uint64_t t_drain_end = t_end + 2000000000ull + uint64_t(timeout_ms) * 1000000ull;
    bool measuring = false, ended = false;
    uint64_t t_measure_real = 0, t_end_real = 0;
    uint64_t last_sweep = t0;
    std::string cpu_json;
    std::vector<epoll_event> evs(1024);

    while (bl::now_ns() < t_drain_end) {
        uint64_t now = bl::now_ns();
        if (!measuring && !ended && now >= t_measure) {
            measuring = true;
            cl.set_counting(true);
            win.begin();
            t_measure_real = now;
        }
        if (measuring && (now >= t_end || g_stop)) {
            measuring = false;
            ended = true;
            t_end_real = now;
            cpu_json = win.end_json();
            cl.set_counting(false);
        }
        if (g_stop && !ended) {  // interrupted during warm-up
            ended = true;
            t_measure_real = t_end_real = now;
            win.begin();
            cpu_json = win.end_json();
        }
        if (ended && cl.in_flight() == 0) break;
        // Refill to C in flight (not after the window: then we only drain).
        if (!ended) {
            for (long i = long(cl.in_flight()); i < conc; ++i)
                if (!cl.open_one(now)) break;
        }
        const int n = epoll_wait(ep, evs.data(), int(evs.size()), 10);
        if (n < 0 && errno != EINTR) bl::die("epoll_wait");
        now = bl::now_ns();
        for (int i = 0; i < n; ++i) cl.on_event(evs[size_t(i)].data.fd, evs[size_t(i)].events, now);
        if (now - last_sweep > 100000000ull) {
            cl.sweep(now);
            last_sweep = now;
        }
    }

    const double window = double(t_end_real - t_measure_real) / 1e9;
    const Counters& c = cl.counters();
    const double rate = window > 0 ? double(c.completed) / window : 0.0;
    std::printf(
        "{\"tool\": \"tern-bl-conn-client\", \"server\": \"%s:%d\", \"sources\": %zu, "
        "\"concurrency\": %ld, \"close\": \"%s\", \"time_wait_side\": \"%s\", "
        "\"warmup_s\": %.2f, \"window_s\": %.3f, \"window_mono_ns\": [%llu, %llu], \"started\": %llu, \"completed\": %llu, "
        "\"conn_per_s\": %.1f, \"failures\": %llu, "
        "\"failure_kinds\": {\"connect\": %llu, \"addr_not_avail\": %llu, \"reset\": %llu, "
        "\"early_eof\": %llu, \"timeout\": %llu, \"bad_response\": %llu}, "
        "\"local_errors\": %llu, \"latency\": {\"connect\": %s, \"response\": %s}, %s}\n",
        bl::ipv4_str(server).c_str(), port, srcs.size(), conc, close_mode.c_str(),
        server_closes ? "server" : "client", warmup, window,
        (unsigned long long)t_measure_real, (unsigned long long)t_end_real, (unsigned long long)c.started,
        (unsigned long long)c.completed, rate, (unsigned long long)c.failures(),
        (unsigned long long)c.f_connect, (unsigned long long)c.f_addrnotavail,
        (unsigned long long)c.f_reset, (unsigned long long)c.f_early_eof,
        (unsigned long long)c.f_timeout, (unsigned long long)c.f_bad_response,
        (unsigned long long)cl.local_errors(), cl.h_connect().json().c_str(),
        cl.h_response().json().c_str(), cpu_json.c_str());
    return 0;
}
