// docbus: the one command-line tool for agencies, operators and auditors.
// Each family of subcommands lives in its own *_commands.cc; this file only
// assembles them.
#include <CLI/CLI.hpp>

#include "bus/core/log.h"
#include "tools/agency_commands.h"
#include "tools/agency_registry_commands.h"
#include "tools/agent_commands.h"
#include "tools/agent_init.h"
#include "tools/audit_commands.h"
#include "tools/operator_commands.h"
#include "tools/pki_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"docbus — the inter-agency document exchange bus"};
  app.require_subcommand(1);
  docbus::RouteProtobufLogs();
  docbus::AddPkiCommands(app);
  CLI::App& agency = docbus::AddAgencyCommandGroup(app);
  docbus::AddAgencyAddCommand(agency);
  docbus::AddAgencyRegistryCommands(agency);
  docbus::AddAgentCommands(app);
  CLI::App* agent = app.add_subcommand("agent", "set up this agency's agent");
  agent->require_subcommand(1);
  docbus::AddAgentInitCommand(*agent);
  docbus::AddOperatorCommands(app);
  docbus::AddAuditCommands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a command's own outcome: 0 ok, 1 failed, 2 usage
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help is 0; any usage error is 2
  }
  return 0;
}
