// `docbus audit ...`: the auditor's commands on an exported tiles folder
// (no daemon running), parsed with CLI11 and carried out by docbus_audit
// (bus/audit/auditor.h). Exit codes, raised as CLI::RuntimeError from the
// callbacks: 0 pass / ok, 1 fail (verification failed, differences found,
// nothing found), 2 usage. Never prints key material.
//
//   docbus audit keygen --name <origin> --out <prefix>
//   docbus audit verify <dir> --vkey <file> [--previous <checkpoint>] [--json]
//   docbus audit replay <dir> [--json]
//   docbus audit prove  <dir> <message id> --vkey <file>
//   docbus audit trace  <dir> <message id | edXML DocumentId> [--json]
//   docbus audit diff   <broker dir> <agency dir> --agency <id> [--json]
#pragma once

#include <CLI/CLI.hpp>

namespace docbus {

// Adds the `audit` subcommand and its subcommands to `app`.
void AddAuditCommands(CLI::App& app);

}  // namespace docbus
