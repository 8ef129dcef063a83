#include "bus/audit/log_storage.h"

namespace docbus::audit {

LogStorage::~LogStorage() = default;

Result<std::vector<std::string>> LogStorage::ReadEntries(int64_t begin,
                                                         int64_t end) {
  std::vector<std::string> entries;
  if (begin < 0 || end < begin) {
    return Status(Code::kInvalidArgument, "bad entry range");
  }
  entries.reserve(static_cast<size_t>(end - begin));
  for (int64_t i = begin; i < end; ++i) {
    DOCBUS_ASSIGN_OR_RETURN(std::string entry, ReadEntry(i));
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace docbus::audit
