// What the broker's log and one agency's own log disagree on
// (`docbus audit diff`). Each agent event has a broker counterpart:
//   SENT                 ↔ ACCEPTED  with sender = agency       (message_id)
//   RECEIVED             ↔ DELIVERED with recipient = agency    (message_id)
//   RECEIPT_RECEIVED     ↔ DELIVERED with sender = agency       (message_id,
//                                                                recipient)
//   STATUS_SENT          ↔ STATUS    with sender = agency       (status_id)
//   STATUS_RECEIVED      ↔ STATUS    with recipient = agency    (status_id)
//   DEAD_LETTER_RECEIVED ↔ EXPIRED   with sender = agency       (message_id,
//                                                                recipient)
// Pure function; safe from any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "bus/audit/audit_history.h"

namespace docbus::audit {

struct LogDifference {
  enum class Side { kBrokerOnly, kAgencyOnly };
  Side side;
  std::string kind;  // "SENT/ACCEPTED", "RECEIVED/DELIVERED", ...
  std::string key;   // message id, "message id → recipient", or status id
  int64_t index;     // in the log that has it
};

// Differences in the order of the log holding them (broker first).
std::vector<LogDifference> DiffLogs(const LoadedLog& broker,
                                    const LoadedLog& agency,
                                    std::string_view agency_id);

nlohmann::json DiffJson(const std::vector<LogDifference>& diff);
std::string DiffText(const std::vector<LogDifference>& diff);

}  // namespace docbus::audit
