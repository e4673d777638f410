// rte_log output while it lives, for tests of what the worker logs.
#pragma once

#include <rte_log.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace tern::test {

struct LogCapture {
    char* buf = nullptr;
    size_t len = 0;
    FILE* f = open_memstream(&buf, &len);
    LogCapture() { rte_openlog_stream(f); }
    ~LogCapture() {
        rte_openlog_stream(nullptr);
        std::fclose(f);
        std::free(buf);
    }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;
    std::string text() {
        std::fflush(f);
        return std::string(buf, len);
    }
};

}  // namespace tern::test
