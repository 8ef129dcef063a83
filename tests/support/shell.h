// RunShell: runs a command through /bin/sh for a test and gives back its exit
// code (128 when it did not exit normally), with its stdout and stderr
// appended to *output.
#pragma once

#include <string>

namespace docbus::testing {

int RunShell(const std::string& command, std::string* output);

}  // namespace docbus::testing
