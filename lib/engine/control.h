// The control plane's only way into a worker: a pair of single-producer /
// single-consumer lock-free queues per worker (Boost.Lockfree spsc_queue).
// The control side (telemetry callbacks, the signal-driven shutdown) posts a
// request; the worker polls its queue once per loop, does the work on its
// own core and answers. A worker's state is never read from another thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

#include <boost/lockfree/spsc_queue.hpp>

#include "tcp/tunables.h"
#include "tcp/state.h"
#include "tcp/tuple.h"
#include "util/syncookie.h"

namespace tern::engine {

enum class ControlOp : uint8_t {
    snapshot,  // fill the worker's Snapshot (states, a bounded conn listing)
    drain,     // stop accepting, close established conns after their response
    set_cookie_secrets,  // install a rotated SYN-cookie secret pair
    set_tunables,        // new TCP tunables (Stack::update_tunables)
};

struct ControlRequest {
    ControlOp op;
    uint32_t seq = 0;
    util::syncookie::CookieSecrets secrets{};  // for set_cookie_secrets
    bool secrets_shared = false;               // ... from a master other nodes hold
    tcp::Tunables tunables{};                    // for set_tunables
};

struct ConnInfo {
    tcp::Tuple tuple;
    tcp::State state;
    uint8_t timer;          // tcp::TimerKind, 0 = none
    uint32_t timer_ms = 0;  // until the timer fires
};

// Written by the worker between a request and its answer, read by the
// control side after the answer arrives (the queue orders the two).
struct Snapshot {
    static constexpr size_t kMaxConns = 1024;
    std::array<uint64_t, tcp::kStateCount> per_state{};
    uint64_t live_tcbs = 0, time_wait = 0, half_open = 0;
    uint32_t listed = 0;  // entries in conns (at most kMaxConns)
    std::array<ConnInfo, kMaxConns> conns{};
};

class ControlChannel {
public:
    // --- control side: serialized by a mutex (several telemetry clients may
    // ask at once); never on a worker's path.
    // Posts op, waits for the answer and hands the snapshot to `read` while
    // still holding the control lock; false on timeout (worker stuck or gone).
    template <class Read>
    bool call(ControlRequest req, std::chrono::milliseconds timeout, Read&& read) {
        std::lock_guard<std::mutex> g(control_mutex_);
        if (!post_and_wait(req, timeout)) return false;
        read(static_cast<const Snapshot&>(snap_));
        return true;
    }

    // --- worker side.
    template <class Handler>
    void poll(Handler&& h) {
        ControlRequest r;
        while (requests_.pop(r)) {
            h(r, snap_);
            answers_.push(r.seq);
        }
    }

private:
    bool post_and_wait(ControlRequest req, std::chrono::milliseconds timeout);

    std::mutex control_mutex_;
    uint32_t next_seq_ = 0;
    boost::lockfree::spsc_queue<ControlRequest, boost::lockfree::capacity<16>> requests_;
    boost::lockfree::spsc_queue<uint32_t, boost::lockfree::capacity<16>> answers_;
    Snapshot snap_;
};

}  // namespace tern::engine
