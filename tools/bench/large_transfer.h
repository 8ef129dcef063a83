// docbus-bench --attachment-size: one large document end to end through a
// real broker and real agents, the way agency systems move one: a file is
// uploaded to the sending agent (POST /v1/attachments, streamed), sent, and
// downloaded at the recipient (GET /v1/inbox/<id>/attachments/0, streamed to
// a file, its SHA-256 checked). Prints the time and MiB/s of each leg and of
// the whole, and the peak RSS and CPU time of every process.
#pragma once

#include <cstdint>
#include <string>

namespace docbus::bench {

struct LargeTransferOptions {
  uint64_t bytes = uint64_t{1} << 30;
  std::string build_dir = "build";
  std::string dir;    // keep the deployment here; "" = a temporary folder
  std::string store;  // the broker's store backend ("sqlite" or "postgresql")
  std::string dsn;    // postgresql: the database
};

// 0 when the file arrived intact; 1 otherwise (the reason on stderr).
int RunLargeTransfer(const LargeTransferOptions& options);

}  // namespace docbus::bench
