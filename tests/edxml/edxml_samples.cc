#include "tests/edxml/edxml_samples.h"

#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

namespace docbus::edxml::testing {
namespace {

size_t PeakRss() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<size_t>(usage.ru_maxrss) * 1024;  // KiB on Linux
}

}  // namespace

std::string Sample(const std::string& name) {
  const std::string path =
      std::string(DOCBUS_SOURCE_DIR) + "/tests/edxml/testdata/" + name;
  std::ifstream in(path, std::ios::binary);
  INFO(path);
  REQUIRE(in.good());
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

size_t PeakRssGrowth(const std::function<void()>& run) {
  {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
  }
  const size_t before = PeakRss();
  run();
  const size_t after = PeakRss();
  return after > before ? after - before : 0;
}

std::string Replaced(std::string text, const std::string& from,
                     const std::string& to) {
  const size_t at = text.find(from);
  INFO(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

}  // namespace docbus::edxml::testing
