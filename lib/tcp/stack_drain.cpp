// Graceful shutdown support (the engine's drain on SIGTERM).
#include "tcp/stack.h"

namespace tern::tcp {

void Stack::stop_listening() {
    for (uint32_t i = 0; i < listener_n_; ++i) port_to_listener_[listeners_[i].port] = kNoListener;
}

}  // namespace tern::tcp
