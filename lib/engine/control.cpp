#include "engine/control.h"

#include <thread>

namespace tern::engine {

bool ControlChannel::post_and_wait(ControlRequest req, std::chrono::milliseconds timeout) {
    // Answers to earlier calls that timed out are stale: discard them.
    uint32_t stale;
    while (answers_.pop(stale)) {
    }
    uint32_t seq = req.seq = ++next_seq_;
    if (!requests_.push(req)) return false;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        uint32_t got;
        while (answers_.pop(got))
            if (got == seq) return true;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return false;
}

}  // namespace tern::engine
