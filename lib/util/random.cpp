#include "util/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace tern::util {

void random_bytes(void* buf, size_t len) {
    auto* p = static_cast<uint8_t*>(buf);
    while (len > 0) {
        // Large requests may be satisfied partially; a signal may interrupt.
        const ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "getrandom");
        }
        p += n;
        len -= size_t(n);
    }
}

SipKey random_key() {
    SipKey k;
    random_bytes(&k.k0, sizeof k.k0);
    random_bytes(&k.k1, sizeof k.k1);
    return k;
}

}  // namespace tern::util
