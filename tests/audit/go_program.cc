#include "tests/audit/go_program.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace docbus::audit {
namespace {

constexpr const char* kGoPath = "/usr/share/gocode";
constexpr const char* kMissingGo =
    "the Go interop test needs go on PATH and golang.org/x/mod in "
    "/usr/share/gocode: run tools/install-deps.sh (Debian packages golang-go "
    "and golang-golang-x-mod-dev)";

void RequireGo() {
  INFO(kMissingGo);
  REQUIRE(std::system("command -v go >/dev/null 2>&1") == 0);
  for (const char* package : {"sumdb/note", "sumdb/tlog"}) {
    REQUIRE(std::filesystem::is_directory(std::filesystem::path(kGoPath) /
                                          "src/golang.org/x/mod" / package));
  }
}

}  // namespace

std::string RunGoProgram(const testing::TempDir& work, const char* program,
                         const std::string& args) {
  RequireGo();
  testing::WriteFile(work.path() / "prog.go", program);
  std::string cmd = "cd '" + work.path().string() + "' && GOPATH=" + kGoPath +
                    " GO111MODULE=off GOFLAGS= "
                    "GOCACHE='" +
                    (work.path() / "gocache").string() + "' HOME='" +
                    work.path().string() + "' go run prog.go " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  const int status = pclose(pipe);
  INFO("go run prog.go " << args << ":\n" << out);
  REQUIRE(status == 0);
  return out;
}

}  // namespace docbus::audit
