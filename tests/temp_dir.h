// TempDir: the one scratch folder every test uses. A folder with a random
// name under the system temp dir, created by the constructor and removed with
// all its contents by the destructor (errors on removal are ignored: a test's
// outcome never depends on its clean-up). Not copyable; not thread-safe, but
// independent instances may be used from different threads.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "bus/core/ids.h"

namespace docbus::testing {

class TempDir {
 public:
  TempDir() : TempDir("docbus-test") {}
  // The folder is named `<prefix>-<32 random hex digits>`.
  explicit TempDir(std::string_view prefix)
      : path_(std::filesystem::temp_directory_path() /
              (std::string(prefix) + "-" + Hex(RandomBytes16()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace docbus::testing
