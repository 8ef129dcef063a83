// Runs a Go program against Debian's golang.org/x/mod (sumdb/note,
// sumdb/tlog), for the interop tests (go_interop_test.cc,
// cosignature_go_test.cc). Go and the x/mod sources are required
// (tools/install-deps.sh installs golang-go and golang-golang-x-mod-dev):
// without them the test fails, it is never skipped.
#pragma once

#include <string>

#include "tests/audit/test_util.h"

namespace docbus::audit {

// Writes `program` into `work` as prog.go and runs it with `args` (GOPATH
// the packaged sources, no module mode, caches inside `work`); returns its
// stdout with stderr appended. Fails the test unless Go and x/mod are
// installed and the program builds and exits 0.
std::string RunGoProgram(const testing::TempDir& work, const char* program,
                         const std::string& args);

}  // namespace docbus::audit
