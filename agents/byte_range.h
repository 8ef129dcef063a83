// The Range request header of a download (RFC 9110 §14.2), for the single
// byte ranges GET /v1/inbox/<id>/attachments/<n> serves: "bytes=a-b",
// "bytes=a-" (to the end) and "bytes=-n" (the last n bytes). Stateless and
// thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace docbus::agent {

struct ByteRangeRequest {
  enum class Kind {
    kWhole,          // no Range, or one we do not serve (several ranges,
                     // another unit, bad syntax): answer 200 with everything
    kPartial,        // answer 206 with [first, last]
    kUnsatisfiable,  // answer 416 with Content-Range: bytes */size
  };
  Kind kind = Kind::kWhole;
  uint64_t first = 0;  // inclusive, both within [0, size)
  uint64_t last = 0;
  uint64_t length() const { return last - first + 1; }
};

// `header`: the Range header's value ("" when absent); `size`: of the
// representation. A last position beyond the end is cut to the end; a
// suffix longer than the representation takes all of it.
ByteRangeRequest ParseByteRange(std::string_view header, uint64_t size);

}  // namespace docbus::agent
