#include "engine/counters.h"

namespace tern::engine {

CounterList sum_counters(const std::vector<const WorkerCounters*>& ws) {
    CounterList l;
    auto add = [&](const char* name, auto field) {
        uint64_t s = 0;
        for (auto* w : ws) s += (w->*field).get();
        l.emplace_back(name, s);
    };
    add("live_conns", &WorkerCounters::live_conns);
    add("time_wait_conns", &WorkerCounters::time_wait_conns);
    add("half_open_conns", &WorkerCounters::half_open_conns);
    add("chunks_in_use", &WorkerCounters::chunks_in_use);
    add("rx_packets", &WorkerCounters::rx_packets);
    add("rx_bytes", &WorkerCounters::rx_bytes);
    add("rx_bursts", &WorkerCounters::rx_bursts);
    add("rx_held_back", &WorkerCounters::rx_held_back);
    add("tx_packets", &WorkerCounters::tx_packets);
    add("tx_bytes", &WorkerCounters::tx_bytes);
    add("tx_full_drops", &WorkerCounters::tx_full_drops);
    add("tx_deferred", &WorkerCounters::tx_deferred);
    add("tx_refused", &WorkerCounters::tx_refused);
    add("tx_stall_drops", &WorkerCounters::tx_stall_drops);
    add("tx_frame_too_big", &WorkerCounters::tx_frame_too_big);
    add("arp_replies", &WorkerCounters::arp_replies);
    add("icmp_echo_replies", &WorkerCounters::icmp_echo_replies);
    add("icmp_other", &WorkerCounters::icmp_other);
    add("rx_multiseg", &WorkerCounters::rx_multiseg);
    add("tcp_segments", &WorkerCounters::tcp_segments);
    add("tx_no_mbuf", &WorkerCounters::tx_no_mbuf);
    add("tx_no_neighbor", &WorkerCounters::tx_no_neighbor);
    add("tx_neighbor_fallback", &WorkerCounters::tx_neighbor_fallback);
    for (size_t r = 0; r < size_t(net::DropReason::count); ++r) {
        uint64_t s = 0;
        for (auto* w : ws) s += w->drops[r].get();
        l.emplace_back(std::string("drop_") + net::drop_reason_name(net::DropReason(r)), s);
    }
    return l;
}

std::string format_counters(const CounterList& l) {
    std::string s;
    for (auto& [k, v] : l) {
        if (!s.empty()) s += ' ';
        s += k + "=" + std::to_string(v);
    }
    return s;
}

}  // namespace tern::engine
