// Running `docbus` commands in-process for the certs tests, as an operator
// types them: the exit code (0, 1 failure, 2 usage) and what went to stdout
// and stderr. `add` registers the commands under test on the app, writing
// to the two streams it is given.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace docbus::test {

struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};

template <typename AddCommands>
CommandResult RunCli(AddCommands add, std::vector<std::string> args) {
  CLI::App app{"docbus"};
  std::ostringstream out, err;
  add(app, out, err);
  args.insert(args.begin(), "docbus");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  int code = 0;
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    code = app.exit(e, out, err);
  }
  return {code, out.str(), err.str()};
}

}  // namespace docbus::test
