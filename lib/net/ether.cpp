#include "net/ether.h"

#include <fmt/format.h>

namespace tern::net {

std::string MacAddr::str() const {
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2], b[3], b[4],
                       b[5]);
}

}  // namespace tern::net
