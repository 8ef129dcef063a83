#include "tools/agency_commands.h"

#include <memory>

#include "tools/issue_request_cli.h"

namespace docbus {

CLI::App& AddAgencyCommandGroup(CLI::App& app) {
  CLI::App* agency = app.add_subcommand(
      "agency", "the national CA operator's commands on agencies");
  agency->require_subcommand(1);
  return *agency;
}

void AddAgencyAddCommand(CLI::App& agency, std::ostream& out,
                         std::ostream& err) {
  auto args = std::make_shared<RequestIssueArgs>();
  CLI::App* add = agency.add_subcommand(
      "add", "issue an agency's certificate from its request and register it");
  add->add_option("--dir", args->dir, "PKI folder")->required();
  AddRequestIssueOptions(add, *args, /*name_required=*/true);
  add->get_option("--request")->required();
  add->add_option("--agency", args->agency,
                  "the agency id the request must be for (optional)");
  add->add_option("--cert-out", args->cert_out,
                  "also write the certificate here, to send back");
  add->callback(
      [args, &out, &err] { RunRequestIssue(*args, "agency add", out, err); });
}

}  // namespace docbus
