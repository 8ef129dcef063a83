// Helpers shared by the audit tests: temp folders, file I/O, records.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "docbus/v1/audit.pb.h"
#include "tests/temp_dir.h"

namespace docbus::audit::testing {

using ::docbus::testing::TempDir;

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::filesystem::path& path,
                      const std::string& data) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

}  // namespace docbus::audit::testing
