// tern-bl-http-server: the Linux side of the benchmark. A single-threaded,
// non-blocking, edge-triggered epoll HTTP/1.1 server pinned to one CPU that
// answers every GET with the same fixed response tern's http app sends:
//
//   HTTP/1.1 200 OK\r\n
//   Content-Type: text/plain\r\n
//   Content-Length: <n>\r\n
//   [Connection: close\r\n]          (only when it is about to close)
//   \r\n
//   <body, default "hello from tern\n">
//
// Keep-alive by default for HTTP/1.1; closes after the response when the
// request says "Connection: close" (or HTTP/1.0 without keep-alive), so with
// such requests the server closes first and TIME_WAIT sits on the server side.
// Runs until SIGINT/SIGTERM or --max-seconds; prints a JSON summary on stderr.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "common.h"

namespace {

const char* kUsage =
    "usage: tern-bl-http-server [--addr 198.18.1.1] [--port 80] [--cpu 1]\n"
    "         [--body TEXT] [--backlog 65535] [--max-seconds 3600]\n"
    "  --addr must be inside 198.18.0.0/15. Runs until SIGTERM/SIGINT or\n"
    "  --max-seconds; prints {\"accepted\":..,\"requests\":..} on stderr at exit.\n";

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

constexpr size_t kMaxRequest = 8192;  // larger header blocks -> 400 + close

struct Conn {
    bool open = false;
    bool close_after_write = false;
    std::string in;
    std::string out;
    size_t out_off = 0;
};

bool ieq_prefix(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) !=
            std::tolower(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

bool icontains(std::string_view s, std::string_view needle) {
    if (needle.size() > s.size()) return false;
    for (size_t i = 0; i + needle.size() <= s.size(); ++i)
        if (ieq_prefix(s.substr(i), needle)) return true;
    return false;
}

struct Stats {
    uint64_t accepted = 0, requests = 0, bad_requests = 0, closed_by_server = 0,
             closed_by_peer = 0, resets = 0, accept_errors = 0;
};

class Server {
public:
    Server(int lfd, int ep, std::string body) : lfd_(lfd), ep_(ep) {
        const std::string head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n";
        resp_keep_ = head + "\r\n" + body;
        resp_close_ = head + "Connection: close\r\n\r\n" + body;
        resp_bad_ =
            "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }

    void on_listen() {
        for (int i = 0; i < 4096; ++i) {  // bounded per wakeup
            const int fd = accept4(lfd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) return;
                if (errno == EINTR || errno == ECONNABORTED) continue;
                ++st_.accept_errors;  // EMFILE etc.: leave it in the queue
                return;
            }
            ++st_.accepted;
            if (size_t(fd) >= conns_.size()) conns_.resize(size_t(fd) * 2 + 64);
            Conn& c = conns_[size_t(fd)];
            c.open = true;
            c.close_after_write = false;
            c.in.clear();
            c.out.clear();
            c.out_off = 0;
            epoll_event ev{};
            ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
            ev.data.fd = fd;
            if (epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) != 0) bl::die("epoll_ctl add");
            // The request usually arrived with (or right after) the final ACK.
            on_readable(fd);
        }
    }

    void on_event(int fd, uint32_t events) {
        if (size_t(fd) >= conns_.size() || !conns_[size_t(fd)].open) return;
        if (events & EPOLLERR) {
            ++st_.resets;
            close_conn(fd);
            return;
        }
        if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) {
            if (!on_readable(fd)) return;
        }
        if (events & EPOLLOUT) flush(fd);
    }

    const Stats& stats() const { return st_; }

private:
    // Returns false once the connection has been closed.
    bool on_readable(int fd) {
        Conn& c = conns_[size_t(fd)];
        char buf[4096];
        for (int i = 0; i < 64; ++i) {
            const ssize_t n = read(fd, buf, sizeof buf);
            if (n > 0) {
                c.in.append(buf, size_t(n));
                if (c.in.size() > kMaxRequest + sizeof buf) break;
                continue;
            }
            if (n == 0) {  // peer closed (after its request, or idle keep-alive)
                handle_requests(fd);
                if (conns_[size_t(fd)].open) {
                    ++st_.closed_by_peer;
                    close_conn(fd);
                }
                return false;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == EINTR) continue;
            ++st_.resets;
            close_conn(fd);
            return false;
        }
        return handle_requests(fd);
    }

    // Parse every complete request in c.in, queue responses, write them.
    bool handle_requests(int fd) {
        Conn& c = conns_[size_t(fd)];
        size_t pos = 0;
        while (!c.close_after_write) {
            const size_t end = c.in.find("\r\n\r\n", pos);
            if (end == std::string::npos) {
                if (c.in.size() - pos > kMaxRequest) {
                    ++st_.bad_requests;
                    c.out += resp_bad_;
                    c.close_after_write = true;
                }
                break;
            }
            const std::string_view req(c.in.data() + pos, end + 4 - pos);
            pos = end + 4;
            ++st_.requests;
            const size_t eol = req.find("\r\n");
            const std::string_view line = req.substr(0, eol);
            if (!ieq_prefix(line, "GET ") && !ieq_prefix(line, "HEAD ")) {
                ++st_.bad_requests;
                c.out += resp_bad_;
                c.close_after_write = true;
                break;
            }
            const bool http10 = line.size() >= 8 && line.substr(line.size() - 8) == "HTTP/1.0";
            bool close = http10;
            size_t content_length = 0;
            size_t p = eol + 2;
            while (p < req.size()) {
                size_t e = req.find("\r\n", p);
                if (e == std::string_view::npos || e == p) break;
                const std::string_view h = req.substr(p, e - p);
                if (ieq_prefix(h, "connection:")) {
                    if (icontains(h, "close")) close = true;
                    if (icontains(h, "keep-alive")) close = false;
                } else if (ieq_prefix(h, "content-length:")) {
                    content_length = std::strtoul(std::string(h.substr(15)).c_str(), nullptr, 10);
                }
                p = e + 2;
            }
            if (content_length) {  // skip a request body (GET rarely has one)
                if (c.in.size() - pos < content_length) {
                    pos -= req.size();  // wait for the rest; re-parse later
                    --st_.requests;
                    break;
                }
                pos += content_length;
            }
            c.out += close ? resp_close_ : resp_keep_;
            c.close_after_write = close;
        }
        c.in.erase(0, pos);
        if (!c.out.empty()) return flush(fd);
        return true;
    }

    bool flush(int fd) {
        Conn& c = conns_[size_t(fd)];
        while (c.out_off < c.out.size()) {
            const ssize_t n = send(fd, c.out.data() + c.out_off, c.out.size() - c.out_off,
                                   MSG_NOSIGNAL);
            if (n > 0) {
                c.out_off += size_t(n);
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
            if (n < 0 && errno == EINTR) continue;
            ++st_.resets;
            close_conn(fd);
            return false;
        }
        c.out.clear();
        c.out_off = 0;
        if (c.close_after_write) {
            ++st_.closed_by_server;
            close_conn(fd);  // FIN goes out; this side enters FIN_WAIT -> TIME_WAIT
            return false;
        }
        return true;
    }

    void close_conn(int fd) {
        Conn& c = conns_[size_t(fd)];
        c.open = false;
        c.in.clear();
        c.out.clear();
        c.out_off = 0;
        close(fd);
    }

    int lfd_, ep_;
    std::string resp_keep_, resp_close_, resp_bad_;
    std::vector<Conn> conns_;
    Stats st_;
};

}  // namespace

int main(int argc, char** argv) {
    bl::Args args(argc, argv, {"addr", "port", "cpu", "body", "backlog", "max-seconds"}, {},
                  kUsage);
    const uint32_t addr = bl::checked_bench_addr(args.str("addr", "198.18.1.1"));
    const int port = int(args.num("port", 80));
    const int cpu = int(args.num("cpu", 1));
    const std::string body = args.str("body", "hello from tern\n");
    const int backlog = int(args.num("backlog", 65535));
    const long max_seconds = args.num("max-seconds", 3600);
    if (port <= 0 || port > 65535) bl::usage_error("bad --port");
    if (max_seconds <= 0 || max_seconds > 86400) bl::usage_error("--max-seconds in 1..86400");

    bl::pin_cpu(cpu);
    rlimit rl{1 << 20, 1 << 20};
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);

    const int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0) bl::die("socket");
    const int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(uint16_t(port));
    sin.sin_addr.s_addr = htonl(addr);
    if (bind(lfd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) bl::die("bind");
    if (listen(lfd, backlog) != 0) bl::die("listen");

    const int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) bl::die("epoll_create1");
    epoll_event lev{};
    lev.events = EPOLLIN;  // level-triggered listener; accept loop is bounded
    lev.data.fd = lfd;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) != 0) bl::die("epoll_ctl listen");

    std::fprintf(stderr, "tern-bl-http-server: listening on %s:%d, cpu %d, body %zu bytes\n",
                 bl::ipv4_str(addr).c_str(), port, cpu, body.size());

    Server srv(lfd, ep, body);
    const uint64_t deadline = bl::now_ns() + uint64_t(max_seconds) * 1000000000ull;
    std::vector<epoll_event> evs(1024);
    while (!g_stop && bl::now_ns() < deadline) {
        const int n = epoll_wait(ep, evs.data(), int(evs.size()), 200);
        if (n < 0) {
            if (errno == EINTR) continue;
            bl::die("epoll_wait");
        }
        for (int i = 0; i < n; ++i) {
            if (evs[size_t(i)].data.fd == lfd)
                srv.on_listen();
            else
                srv.on_event(evs[size_t(i)].data.fd, evs[size_t(i)].events);
        }
    }
    const Stats& s = srv.stats();
    std::fprintf(stderr,
                 "{\"server\": \"tern-bl-http-server\", \"accepted\": %llu, \"requests\": %llu, "
                 "\"bad_requests\": %llu, \"closed_by_server\": %llu, \"closed_by_peer\": %llu, "
                 "\"resets\": %llu, \"accept_errors\": %llu}\n",
                 (unsigned long long)s.accepted, (unsigned long long)s.requests,
                 (unsigned long long)s.bad_requests, (unsigned long long)s.closed_by_server,
                 (unsigned long long)s.closed_by_peer, (unsigned long long)s.resets,
                 (unsigned long long)s.accept_errors);
    return 0;
}
