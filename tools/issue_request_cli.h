// The command-line side of issuing an agency's certificate from its request,
// shared by `docbus pki issue --request` and `docbus agency add` (the same
// flags, the same outcome): the option set, the run, and how a PKI command
// reports a failure. Exit codes as pki_commands.h (CLI::RuntimeError from
// the callback: 1 failure, 2 usage).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "bus/core/status.h"

namespace docbus {

// Reports a failed `status` on `err` as "docbus <command>: <code>: <why>" and
// ends the command (exit 2 for a usage error, 1 otherwise); returns if ok.
void FinishPkiCommand(const Status& status, std::string_view command,
                      std::ostream& err);

struct RequestIssueArgs {
  std::string dir;
  std::string request;
  std::string name;
  std::string parent;
  std::string agency;  // optional: the id the request must be for
  std::vector<std::string> aliases;
  std::string cert_out;  // a copy of the certificate to send back; optional
  int64_t days = 0;
  int64_t backdate_days = -1;
};

// --request, --name (required unless `name_required` is false: `pki issue`
// also takes the old form), --parent, --alias (repeatable), --days.
// --dir and --backdate-days are the caller's.
void AddRequestIssueOptions(CLI::App* cmd, RequestIssueArgs& args,
                            bool name_required);

// Issues from args.request in args.dir; prints what was issued and what to
// send back (args.cert_out when set, else the certificate in the CA folder).
void RunRequestIssue(const RequestIssueArgs& args, std::string_view command,
                     std::ostream& out, std::ostream& err);

}  // namespace docbus
