// tern-bl-synflood: spoofed-source SYN generator and SYN-ACK counter for the
// Linux syncookie baseline, on AF_PACKET sockets bound to one interface.
//
// Sender: Ethernet/IPv4/TCP SYN frames written with sendmmsg() in batches
// (PACKET_QDISC_BYPASS), source addresses drawn uniformly from --src-net
// (default 198.19.0.0/16; must lie inside 198.18.0.0/15, network and
// broadcast addresses skipped), random source ports 1024-65535, to
// --dst:--port. The SYN carries the options a Linux client sends (MSS 1460,
// SACK-permitted, timestamps, window scale 7) unless --opts mss|none.
// The ISN is a keyed hash of (source address, source port), so every SYN-ACK
// can be checked statelessly: ack - 1 must equal that hash.
//
// Receiver: a TPACKET_V3 ring on the same interface with a classic-BPF filter
// (IPv4, TCP, SYN+ACK, source port --port), drained between send batches.
//
// Paced at --rate SYNs/s, or as fast as one core can when --rate 0. After
// --warmup seconds it counts for --seconds and prints one JSON object:
// SYNs sent/s (accepted by the server's input backlog) and refused there,
// valid SYN-ACKs received/s, reply ratio (SYN-ACKs / SYNs offered), the
// interface's own counters, and the busy share of --measure-cpus from /proc/stat.
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <string>
#include <vector>

#include "common.h"

namespace {

const char* kUsage =
    "usage: tern-bl-synflood --ifname IF --dst-mac MAC [--dst 198.18.1.1] [--port 80]\n"
    "         [--src-net 198.19.0.0/16] [--rate 0] [--seconds 10] [--warmup 1]\n"
    "         [--cpu 0] [--measure-cpus 0,1] [--batch 64] [--opts linux|mss|none]\n"
    "         [--server-pid PID --server-cpu 1]\n"
    "  Sources and destination must be inside 198.18.0.0/15. --rate 0 = as fast\n"
    "  as possible. JSON result on stdout.\n";

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

uint64_t splitmix(uint64_t& s) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint32_t isn_for(uint64_t key, uint32_t saddr, uint16_t sport) {
    uint64_t s = key ^ (uint64_t(saddr) << 16) ^ sport;
    return uint32_t(splitmix(s));
}

uint32_t csum_add(uint32_t sum, const void* data, size_t len) {
    const auto* p = static_cast<const uint8_t*>(data);
    while (len > 1) {
        sum += uint32_t(p[0]) << 8 | p[1];
        p += 2;
        len -= 2;
    }
    if (len) sum += uint32_t(p[0]) << 8;
    return sum;
}
uint16_t csum_fold(uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
}

void put16(uint8_t* p, uint16_t v) {
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
}
void put32(uint8_t* p, uint32_t v) {
    p[0] = uint8_t(v >> 24);
    p[1] = uint8_t(v >> 16);
    p[2] = uint8_t(v >> 8);
    p[3] = uint8_t(v);
}
uint16_t get16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
uint32_t get32(const uint8_t* p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

bool parse_mac(const std::string& s, uint8_t mac[6]) {
    unsigned v[6];
    if (std::sscanf(s.c_str(), "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
        return false;
    for (int i = 0; i < 6; ++i) mac[i] = uint8_t(v[i]);
    return true;
}

uint64_t read_u64(const std::string& path) {
    std::ifstream f(path);
    uint64_t v = 0;
    f >> v;
    return v;
}

struct IfCounters {
    uint64_t tx_packets, tx_dropped, rx_packets, rx_dropped;
};
IfCounters if_counters(const std::string& ifname) {
    const std::string b = "/sys/class/net/" + ifname + "/statistics/";
    return {read_u64(b + "tx_packets"), read_u64(b + "tx_dropped"), read_u64(b + "rx_packets"),
            read_u64(b + "rx_dropped")};
}

// Frame layout: Ethernet 14 | IPv4 20 | TCP 20 + options.
constexpr size_t kEth = 14, kIp = 20, kTcp = 20;

struct Template {
    std::array<uint8_t, 128> b{};
    size_t len = 0, opt_len = 0, ts_off = 0;  // ts_off: offset of TSval in frame (0 = none)
};

Template make_template(const uint8_t dmac[6], const uint8_t smac[6], uint32_t daddr,
                       uint16_t dport, const std::string& opts) {
    Template t;
    uint8_t* f = t.b.data();
    std::memcpy(f, dmac, 6);
    std::memcpy(f + 6, smac, 6);
    put16(f + 12, ETH_P_IP);
    uint8_t o[40];
    size_t ol = 0;
    if (opts == "linux" || opts == "mss") {
        o[ol++] = 2;  // MSS 1460
        o[ol++] = 4;
        put16(o + ol, 1460);
        ol += 2;
    }
    if (opts == "linux") {
        o[ol++] = 4;  // SACK permitted
        o[ol++] = 2;
        o[ol++] = 8;  // timestamps
        o[ol++] = 10;
        t.ts_off = kEth + kIp + kTcp + ol;
        put32(o + ol, 0);
        put32(o + ol + 4, 0);
        ol += 8;
        o[ol++] = 1;  // NOP
        o[ol++] = 3;  // window scale 7
        o[ol++] = 3;
        o[ol++] = 7;
    }
    t.opt_len = ol;
    const size_t tcp_len = kTcp + ol;
    uint8_t* ip = f + kEth;
    ip[0] = 0x45;
    put16(ip + 2, uint16_t(kIp + tcp_len));
    put16(ip + 6, 0x4000);  // DF
    ip[8] = 64;
    ip[9] = IPPROTO_TCP;
    put32(ip + 16, daddr);
    uint8_t* tcp = ip + kIp;
    put16(tcp + 2, dport);
    tcp[12] = uint8_t((tcp_len / 4) << 4);
    tcp[13] = 0x02;  // SYN
    put16(tcp + 14, 64240);
    std::memcpy(tcp + kTcp, o, ol);
    t.len = kEth + kIp + tcp_len;
    return t;
}

void fill_syn(uint8_t* f, const Template& t, uint32_t saddr, uint16_t sport, uint32_t isn,
              uint16_t ip_id, uint32_t tsval) {
    std::memcpy(f, t.b.data(), t.len);
    uint8_t* ip = f + kEth;
    put16(ip + 4, ip_id);
    put32(ip + 12, saddr);
    put16(ip + 10, 0);
    put16(ip + 10, csum_fold(csum_add(0, ip, kIp)));
    uint8_t* tcp = ip + kIp;
    put16(tcp, sport);
    put32(tcp + 4, isn);
    if (t.ts_off) put32(f + t.ts_off, tsval);
    const size_t tcp_len = kTcp + t.opt_len;
    uint8_t pseudo[12];
    std::memcpy(pseudo, ip + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = IPPROTO_TCP;
    put16(pseudo + 10, uint16_t(tcp_len));
    put16(tcp + 16, 0);
    put16(tcp + 16, csum_fold(csum_add(csum_add(0, pseudo, 12), tcp, tcp_len)));
}

// IPv4 / TCP / (SYN|ACK) set / source port == port, non-fragment.
std::vector<sock_filter> synack_filter(uint16_t port) {
    return {
        BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 10),
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 8),
        BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 6, 0),
        BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),
        BPF_STMT(BPF_LD | BPF_H | BPF_IND, 14),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 3),
        BPF_STMT(BPF_LD | BPF_B | BPF_IND, 27),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x04, 1, 0),  // RST -> drop
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x12, 1, 0),   // exactly SYN+ACK (no ECE/CWR)
        BPF_STMT(BPF_RET | BPF_K, 0),
        BPF_STMT(BPF_RET | BPF_K, 128),
    };
}

struct RxRing {
    int fd = -1;
    uint8_t* map = nullptr;
    tpacket_req3 req{};
    unsigned next_block = 0;
};

RxRing open_rx(int ifindex, uint16_t port) {
    RxRing r;
    r.fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_IP));
    if (r.fd < 0) bl::die("socket(AF_PACKET rx)");
    // Attach the filter before binding, so nothing unfiltered is queued.
    auto prog = synack_filter(port);
    sock_fprog fp{uint16_t(prog.size()), prog.data()};
    if (setsockopt(r.fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) != 0)
        bl::die("SO_ATTACH_FILTER");
    const int v3 = TPACKET_V3;
    if (setsockopt(r.fd, SOL_PACKET, PACKET_VERSION, &v3, sizeof v3) != 0) bl::die("PACKET_VERSION");
    const int one = 1;
    setsockopt(r.fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
    r.req.tp_block_size = 1 << 20;
    r.req.tp_block_nr = 32;
    r.req.tp_frame_size = 256;
    r.req.tp_frame_nr = (r.req.tp_block_size / r.req.tp_frame_size) * r.req.tp_block_nr;
    r.req.tp_retire_blk_tov = 5;  // ms
    if (setsockopt(r.fd, SOL_PACKET, PACKET_RX_RING, &r.req, sizeof r.req) != 0)
        bl::die("PACKET_RX_RING");
    const size_t sz = size_t(r.req.tp_block_size) * r.req.tp_block_nr;
    void* m = mmap(nullptr, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, r.fd, 0);
    if (m == MAP_FAILED) m = mmap(nullptr, sz, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd, 0);
    if (m == MAP_FAILED) bl::die("mmap rx ring");
    r.map = static_cast<uint8_t*>(m);
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_IP);
    sll.sll_ifindex = ifindex;
    if (bind(r.fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) bl::die("bind rx");
    return r;
}

struct RxCount {
    uint64_t valid = 0, invalid = 0;
};

// Walk every block the kernel has handed to user space; count and release.
void drain(RxRing& r, uint64_t key, uint32_t src_net, uint32_t src_mask, RxCount& c,
           bool counting) {
    for (unsigned k = 0; k < r.req.tp_block_nr; ++k) {
        auto* bd = reinterpret_cast<tpacket_block_desc*>(
            r.map + size_t(r.next_block) * r.req.tp_block_size);
        if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
            return;
        const uint32_t n = bd->hdr.bh1.num_pkts;
        auto* h = reinterpret_cast<tpacket3_hdr*>(reinterpret_cast<uint8_t*>(bd) +
                                                  bd->hdr.bh1.offset_to_first_pkt);
        for (uint32_t i = 0; i < n; ++i) {
            if (counting) {
                const uint8_t* f = reinterpret_cast<const uint8_t*>(h) + h->tp_mac;
                bool ok = false;
                if (h->tp_snaplen >= kEth + kIp + kTcp) {
                    const uint8_t* ip = f + kEth;
                    const size_t ihl = size_t(ip[0] & 0x0f) * 4;
                    if (h->tp_snaplen >= kEth + ihl + kTcp) {
                        const uint8_t* tcp = ip + ihl;
                        const uint32_t daddr = get32(ip + 16);
                        const uint16_t dport = get16(tcp + 2);
                        const uint32_t ack = get32(tcp + 8);
                        ok = (daddr & src_mask) == src_net &&
                             ack - 1 == isn_for(key, daddr, dport);
                    }
                }
                ok ? ++c.valid : ++c.invalid;
            }
            h = reinterpret_cast<tpacket3_hdr*>(reinterpret_cast<uint8_t*>(h) + h->tp_next_offset);
        }
        __atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
        r.next_block = (r.next_block + 1) % r.req.tp_block_nr;
    }
}

}  // namespace

int main(int argc, char** argv) {
    bl::Args args(argc, argv,
                  {"ifname", "dst-mac", "dst", "port", "src-net", "rate", "seconds", "warmup",
                   "cpu", "measure-cpus", "server-pid", "server-cpu", "batch", "opts"},
                  {}, kUsage);
    const std::string ifname = args.str("ifname", "");
    if (ifname.empty()) bl::usage_error("--ifname is required");
    uint8_t dmac[6];
    if (!parse_mac(args.str("dst-mac", ""), dmac)) bl::usage_error("--dst-mac aa:bb:cc:dd:ee:ff required");
    const uint32_t daddr = bl::checked_bench_addr(args.str("dst", "198.18.1.1"));
    const long port = args.num("port", 80);
    const std::string src_net_s = args.str("src-net", "198.19.0.0/16");
    const double rate = args.real("rate", 0);
    const double seconds = args.real("seconds", 10);
    const double warmup = args.real("warmup", 1);
    const int cpu = int(args.num("cpu", 0));
    const std::vector<int> mcpus = bl::parse_cpu_list(args.str("measure-cpus", "0,1"));
    const long batch = args.num("batch", 64);
    const std::string opts = args.str("opts", "linux");
    if (port <= 0 || port > 65535) bl::usage_error("bad --port");
    if (!(rate >= 0 && rate <= 1e8)) bl::usage_error("--rate in [0, 1e8]");
    if (!(seconds > 0 && seconds <= 600)) bl::usage_error("--seconds in (0, 600]");
    if (!(warmup >= 0 && warmup <= 60)) bl::usage_error("--warmup in [0, 60]");
    if (batch < 1 || batch > 256) bl::usage_error("--batch in 1..256");
    if (opts != "linux" && opts != "mss" && opts != "none") bl::usage_error("--opts linux|mss|none");

    // Source network: must be a subnet of 198.18.0.0/15 (checked on both ends).
    const auto slash = src_net_s.find('/');
    if (slash == std::string::npos) bl::usage_error("--src-net wants A.B.C.D/len");
    const int plen = std::atoi(src_net_s.c_str() + slash + 1);
    if (plen < 15 || plen > 30) bl::usage_error("--src-net prefix length in 15..30");
    const uint32_t src_mask = plen == 0 ? 0 : ~uint32_t(0) << (32 - plen);
    const uint32_t src_net = bl::parse_ipv4(src_net_s.substr(0, slash)) & src_mask;
    if (!bl::in_bench_range(src_net) || !bl::in_bench_range(src_net | ~src_mask))
        bl::usage_error("--src-net is outside 198.18.0.0/15; refused");
    const uint32_t host_span = ~src_mask;  // host numbers 1..host_span-1 are used

    bl::pin_cpu(cpu);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);

    const int ifindex = int(if_nametoindex(ifname.c_str()));
    if (ifindex == 0) bl::die(("if_nametoindex " + ifname).c_str());

    const int tx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);  // protocol 0: send only
    if (tx < 0) bl::die("socket(AF_PACKET tx)");
    const int one = 1;
    setsockopt(tx, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
    int sndbuf = 8 << 20;
    setsockopt(tx, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_IP);
    sll.sll_ifindex = ifindex;
    if (bind(tx, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) bl::die("bind tx");
    ifreq ifr{};
    std::snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname.c_str());
    if (ioctl(tx, SIOCGIFHWADDR, &ifr) != 0) bl::die("SIOCGIFHWADDR");
    uint8_t smac[6];
    std::memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);

    RxRing rx = open_rx(ifindex, uint16_t(port));
    uint64_t seed = bl::now_ns() ^ (uint64_t(getpid()) << 32);
    const uint64_t key = splitmix(seed);

    const Template tpl = make_template(dmac, smac, daddr, uint16_t(port), opts);
    const size_t B = size_t(batch);
    std::vector<std::array<uint8_t, 128>> frames(B);
    std::vector<iovec> iov(B);
    std::vector<mmsghdr> msgs(B);
    for (size_t i = 0; i < B; ++i) {
        iov[i] = {frames[i].data(), tpl.len};
        msgs[i] = {};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }

    bl::CpuWindow win;
    win.cpus = mcpus;
    win.tasks.push_back({"generator", int(getpid()), cpu});
    if (args.has("server-pid"))
        win.tasks.push_back({"server", int(args.num("server-pid", 0)), int(args.num("server-cpu", 1))});
    const uint64_t t0 = bl::now_ns();
    const uint64_t t_measure = t0 + uint64_t(warmup * 1e9);
    const uint64_t t_end = t_measure + uint64_t(seconds * 1e9);
    bool measuring = false;
    uint64_t t_measure_real = 0, t_end_real = 0;
    uint64_t sent = 0, sent_total = 0, send_errors = 0, refused_calls = 0;
    RxCount rxc;
    IfCounters ifc0{};
    std::string cpu_json;
    uint64_t rng = seed ^ 0x5bd1e995;
    uint16_t ip_id = uint16_t(rng);
    const double ns_per_syn = rate > 0 ? 1e9 / rate : 0;
    uint64_t paced = 0;  // SYNs due so far (pacing)

    for (;;) {
        uint64_t now = bl::now_ns();
        if (!measuring && now >= t_measure && !t_end_real) {
            drain(rx, key, src_net, src_mask, rxc, false);
            measuring = true;
            t_measure_real = now;
            ifc0 = if_counters(ifname);
            win.begin();
        }
        if (now >= t_end || g_stop) {
            if (!measuring) {  // interrupted in warm-up: empty window
                t_measure_real = now;
                ifc0 = if_counters(ifname);
                win.begin();
            }
            t_end_real = now;
            break;
        }
        size_t n = B;
        if (ns_per_syn > 0) {
            const uint64_t due = uint64_t(double(now - t0) / ns_per_syn);
            if (due <= paced) {
                drain(rx, key, src_net, src_mask, rxc, measuring);
                continue;  // spin (bounded by the time checks above)
            }
            n = std::min<uint64_t>(B, due - paced);
        }
        const uint32_t tsval = uint32_t(now / 1000000);
        for (size_t i = 0; i < n; ++i) {
            const uint64_t r = splitmix(rng);
            uint32_t host = uint32_t(r) & host_span;
            if (host == 0 || host == host_span) host = 1 + uint32_t(r >> 40) % (host_span - 1);
            const uint32_t saddr = src_net | host;
            const uint16_t sport = uint16_t(1024 + (r >> 32) % 64512);
            fill_syn(frames[i].data(), tpl, saddr, sport, isn_for(key, saddr, sport), ip_id++,
                     tsval);
        }
        // A SYN the server's input backlog refuses (netdev_max_backlog full)
        // comes back as ENOBUFS for that message: sendmmsg() stops there and
        // reports the ones before it. Those drops are counted by the veth
        // (tx_dropped) and by the server CPU's softnet_stat; the refused SYN is
        // not retried (the next batch draws new ones).
        const int k = sendmmsg(tx, msgs.data(), unsigned(n), 0);
        if (k < 0) {
            if (errno == ENOBUFS)
                ++refused_calls;
            else if (errno != EINTR)
                ++send_errors;
            if (ns_per_syn > 0) paced += 1;  // the refused one counts as offered
        } else {
            sent_total += uint64_t(k);
            if (measuring) sent += uint64_t(k);
            if (size_t(k) < n) ++refused_calls;
            paced += uint64_t(k) + (size_t(k) < n ? 1 : 0);
        }
        drain(rx, key, src_net, src_mask, rxc, measuring);
    }
    const IfCounters ifc1 = if_counters(ifname);
    cpu_json = win.end_json();
    // SYN-ACKs still in flight at the end of the window: let the last block
    // retire (tp_retire_blk_tov) and count them, then stop.
    const uint64_t settle = bl::now_ns() + 20000000ull;
    while (bl::now_ns() < settle) {
        drain(rx, key, src_net, src_mask, rxc, true);
        usleep(1000);
    }
    tpacket_stats_v3 st{};
    socklen_t sl = sizeof st;
    getsockopt(rx.fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl);

    const double window = double(t_end_real - t_measure_real) / 1e9;
    const double sent_rate = window > 0 ? double(sent) / window : 0;
    const double synack_rate = window > 0 ? double(rxc.valid) / window : 0;
    // Offered = accepted by the server's backlog + refused there (the veth's
    // tx_dropped counts exactly those).
    const uint64_t refused = ifc1.tx_dropped - ifc0.tx_dropped;
    const uint64_t offered = sent + refused;
    std::printf(
        "{\"tool\": \"tern-bl-synflood\", \"ifname\": \"%s\", \"dst\": \"%s:%ld\", "
        "\"src_net\": \"%s/%d\", \"syn_options\": \"%s\", \"target_rate\": %.0f, "
        "\"frame_bytes\": %zu, \"warmup_s\": %.2f, \"window_s\": %.3f, \"window_mono_ns\": [%llu, %llu], "
        "\"syns_sent\": %llu, \"syns_per_s\": %.1f, \"syns_refused_by_server_backlog\": %llu, "
        "\"syns_offered_per_s\": %.1f, \"refused_calls\": %llu, \"send_errors\": %llu, "
        "\"synacks_received\": %llu, \"synacks_per_s\": %.1f, \"synacks_invalid\": %llu, "
        "\"reply_ratio\": %.4f, \"ring_drops\": %u, "
        "\"if_counters\": {\"tx_packets\": %llu, \"tx_dropped\": %llu, \"rx_packets\": %llu, "
        "\"rx_dropped\": %llu}, %s}\n",
        ifname.c_str(), bl::ipv4_str(daddr).c_str(), port, bl::ipv4_str(src_net).c_str(), plen,
        opts.c_str(), rate, tpl.len, warmup, window,
        (unsigned long long)t_measure_real, (unsigned long long)t_end_real, (unsigned long long)sent, sent_rate,
        (unsigned long long)refused, window > 0 ? double(offered) / window : 0.0,
        (unsigned long long)refused_calls, (unsigned long long)send_errors, (unsigned long long)rxc.valid, synack_rate,
        (unsigned long long)rxc.invalid, offered ? double(rxc.valid) / double(offered) : 0.0,
        st.tp_drops, (unsigned long long)(ifc1.tx_packets - ifc0.tx_packets),
        (unsigned long long)(ifc1.tx_dropped - ifc0.tx_dropped),
        (unsigned long long)(ifc1.rx_packets - ifc0.rx_packets),
        (unsigned long long)(ifc1.rx_dropped - ifc0.rx_dropped), cpu_json.c_str());
    (void)sent_total;
    return 0;
}
