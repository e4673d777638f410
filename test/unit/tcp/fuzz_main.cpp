// libFuzzer entry point for the TCP Stack (built with -Dfuzz=true and
// CXX=clang++): each input is a script for tcpfuzz::run(), which checks the
// Stack's invariants after every step and that nothing leaks at the end.
#include <cstdint>
#include <cstdio>

#include "fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string err = tcpfuzz::run(data, size);
    if (!err.empty()) {
        std::fprintf(stderr, "tcp invariant violated: %s\n", err.c_str());
        __builtin_trap();
    }
    return 0;
}
