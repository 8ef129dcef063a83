#include "bus/core/crash_point.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <string>

namespace docbus {
namespace {

struct Armed {
  std::string name;
  long remaining = 0;  // 0: disarmed
};

Armed LoadArmed() {
  Armed armed;
  const char* env = std::getenv("DOCBUS_CRASH_AT");
  if (env == nullptr || *env == '\0') return armed;
  std::string spec(env);
  const size_t colon = spec.rfind(':');
  armed.remaining = 1;
  if (colon != std::string::npos) {
    armed.remaining = std::max(1L, std::strtol(spec.c_str() + colon + 1, nullptr, 10));
    spec.resize(colon);
  }
  armed.name = spec;
  return armed;
}

}  // namespace

void CrashPoint(std::string_view name) {
  static const Armed armed = LoadArmed();
  static std::atomic<long> hits{0};
  if (armed.remaining == 0 || name != armed.name) return;
  if (hits.fetch_add(1) + 1 >= armed.remaining) {
    std::raise(SIGKILL);
  }
}

}  // namespace docbus
