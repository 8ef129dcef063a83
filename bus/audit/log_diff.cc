#include "bus/audit/log_diff.h"

#include <map>
#include <optional>

namespace docbus::audit {
namespace {

struct Pairing {
  std::string kind;
  v1::AuditEvent agent_event;
  v1::AuditEvent broker_event;
};

const Pairing kPairings[] = {
    {"SENT/ACCEPTED", v1::AUDIT_SENT, v1::AUDIT_ACCEPTED},
    {"RECEIVED/DELIVERED", v1::AUDIT_RECEIVED, v1::AUDIT_DELIVERED},
    {"RECEIPT_RECEIVED/DELIVERED", v1::AUDIT_RECEIPT_RECEIVED,
     v1::AUDIT_DELIVERED},
    {"STATUS_SENT/STATUS", v1::AUDIT_STATUS_SENT, v1::AUDIT_STATUS},
    {"STATUS_RECEIVED/STATUS", v1::AUDIT_STATUS_RECEIVED, v1::AUDIT_STATUS},
    {"DEAD_LETTER_RECEIVED/EXPIRED", v1::AUDIT_DEAD_LETTER_RECEIVED,
     v1::AUDIT_EXPIRED},
};

std::string FirstRecipient(const v1::AuditRecord& r) {
  return r.recipients_size() > 0 ? r.recipients(0) : "";
}

// The key under which a broker record matches pairing `p` for this agency,
// or nullopt when it is not about the agency in that role.
std::optional<std::string> BrokerKey(const Pairing& p, const v1::AuditRecord& r,
                                     std::string_view agency) {
  if (r.event() != p.broker_event) return std::nullopt;
  switch (p.agent_event) {
    case v1::AUDIT_SENT:
      if (r.sender() == agency) return r.message_id();
      break;
    case v1::AUDIT_RECEIVED:
      if (FirstRecipient(r) == agency) return r.message_id();
      break;
    case v1::AUDIT_RECEIPT_RECEIVED:
    case v1::AUDIT_DEAD_LETTER_RECEIVED:
      if (r.sender() == agency) {
        return r.message_id() + " → " + FirstRecipient(r);
      }
      break;
    case v1::AUDIT_STATUS_SENT:
      if (r.sender() == agency) return r.status_id();
      break;
    case v1::AUDIT_STATUS_RECEIVED:
      if (FirstRecipient(r) == agency) return r.status_id();
      break;
    default:
      break;
  }
  return std::nullopt;
}

std::optional<std::string> AgentKey(const Pairing& p,
                                    const v1::AuditRecord& r) {
  if (r.event() != p.agent_event) return std::nullopt;
  switch (p.agent_event) {
    case v1::AUDIT_SENT:
    case v1::AUDIT_RECEIVED:
      return r.message_id();
    case v1::AUDIT_RECEIPT_RECEIVED:
    case v1::AUDIT_DEAD_LETTER_RECEIVED:
      return r.message_id() + " → " + FirstRecipient(r);
    default:
      return r.status_id();
  }
}

}  // namespace

std::vector<LogDifference> DiffLogs(const LoadedLog& broker,
                                    const LoadedLog& agency,
                                    std::string_view agency_id) {
  std::vector<LogDifference> broker_only, agency_only;
  for (const Pairing& p : kPairings) {
    std::map<std::string, int64_t> in_broker, in_agency;
    for (const LoadedRecord& r : broker.records) {
      if (auto k = BrokerKey(p, r.record, agency_id)) {
        in_broker.emplace(*k, r.index);
      }
    }
    for (const LoadedRecord& r : agency.records) {
      if (auto k = AgentKey(p, r.record)) in_agency.emplace(*k, r.index);
    }
    for (const auto& [key, index] : in_broker) {
      if (!in_agency.count(key)) {
        broker_only.push_back(
            {LogDifference::Side::kBrokerOnly, p.kind, key, index});
      }
    }
    for (const auto& [key, index] : in_agency) {
      if (!in_broker.count(key)) {
        agency_only.push_back(
            {LogDifference::Side::kAgencyOnly, p.kind, key, index});
      }
    }
  }
  auto by_index = [](const LogDifference& a, const LogDifference& b) {
    return a.index < b.index;
  };
  std::stable_sort(broker_only.begin(), broker_only.end(), by_index);
  std::stable_sort(agency_only.begin(), agency_only.end(), by_index);
  broker_only.insert(broker_only.end(), agency_only.begin(), agency_only.end());
  return broker_only;
}

nlohmann::json DiffJson(const std::vector<LogDifference>& diff) {
  nlohmann::json out = nlohmann::json::array();
  for (const LogDifference& d : diff) {
    out.push_back(
        {{"only_in",
          d.side == LogDifference::Side::kBrokerOnly ? "broker" : "agency"},
         {"kind", d.kind},
         {"key", d.key},
         {"index", d.index}});
  }
  return out;
}

std::string DiffText(const std::vector<LogDifference>& diff) {
  std::string out;
  for (const LogDifference& d : diff) {
    out += d.side == LogDifference::Side::kBrokerOnly ? "only in broker log"
                                                      : "only in agency log";
    out += " #" + std::to_string(d.index) + " " + d.kind + " " + d.key + "\n";
  }
  return out;
}

}  // namespace docbus::audit
