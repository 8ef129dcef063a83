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

std::string BillionLaughs() {
  std::string doc =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE edXML [\n"
      "<!ENTITY lol \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    doc += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) {
      doc += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    }
    doc += "\">\n";
  }
  return doc + "]>\n<edXML>&lol9;</edXML>\n";
}

}  // namespace docbus::edxml::testing
