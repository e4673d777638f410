// The head of an HTTP/1.1 response, as much as a cps client needs: the
// status must be 200 and Content-Length says where the response ends (the
// connection stays open: keep-alive). tern's response head always fits the
// first segment (it is ~100 bytes and the MSS 1460), so a head that does
// not end in the first segment is treated as a bad response rather than
// reassembled across segments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace tern::gen {

// Length of the whole response (head + body) from its first segment;
// nullopt if the status is not 200, the head does not end in this segment
// or it has no valid Content-Length.
std::optional<uint64_t> response_length(const uint8_t* p, size_t n);

}  // namespace tern::gen
