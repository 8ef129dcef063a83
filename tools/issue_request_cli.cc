#include "tools/issue_request_cli.h"

#include "bus/core/files.h"
#include "certs/agency_request.h"
#include "certs/pki_paths.h"
#include "certs/request_issuance.h"

namespace docbus {

void FinishPkiCommand(const Status& status, std::string_view command,
                      std::ostream& err) {
  if (status.ok()) return;
  err << "docbus " << command << ": " << status.ToString() << "\n";
  const bool usage = status.code() == Code::kInvalidArgument ||
                     status.code() == Code::kInvalidField;
  throw CLI::RuntimeError(usage ? 2 : 1);
}

void AddRequestIssueOptions(CLI::App* cmd, RequestIssueArgs& args,
                            bool name_required) {
  cmd->add_option("--request", args.request,
                  "the agency's certificate request (PEM CSR from "
                  "`docbus pki request` or `docbus agent init`)");
  CLI::Option* name =
      cmd->add_option("--name", args.name, "agency display name");
  if (name_required) name->required();
  cmd->add_option("--parent", args.parent, "parent organ id (default none)");
  cmd->add_option("--alias", args.aliases,
                  "another id the agency's systems use (repeatable)");
  cmd->add_option("--days", args.days,
                  "certificate validity in days (default 825)")
      ->check(CLI::Range(1, 36500));
}

void RunRequestIssue(const RequestIssueArgs& args, std::string_view command,
                     std::ostream& out, std::ostream& err) {
  auto pem = ReadFileLimited(args.request, pki::kMaxRequestPemBytes);
  FinishPkiCommand(pem.status(), command, err);
  pki::RequestIssuance issuance;
  issuance.request_pem = std::move(pem).value();
  issuance.name = args.name;
  issuance.parent = args.parent;
  issuance.aliases = args.aliases;
  issuance.expected_agency = args.agency;
  const int64_t days = args.days > 0 ? args.days : pki::kAgencyValidityDays;
  issuance.validity = args.backdate_days >= 0 ? pki::Validity::BackdatedDays(
                                                    days, args.backdate_days)
                                              : pki::Validity::Days(days);
  auto id = pki::IssueAgencyFromRequest(args.dir, issuance);
  FinishPkiCommand(id.status(), command, err);
  const pki::PkiPaths paths(args.dir);
  std::string cert_file = paths.agency_certificate(*id).string();
  if (!args.cert_out.empty()) {
    auto cert = ReadFileLimited(cert_file, 64 * 1024);
    FinishPkiCommand(cert.status(), command, err);
    FinishPkiCommand(WriteFileAtomically(args.cert_out, *cert, 0644), command,
                     err);
    cert_file = args.cert_out;
  }
  out << "issued agency " << *id << " from its request; send " << cert_file
      << " back to the agency (its cert.pem); on a running bus, publish "
      << args.dir
      << "/registry.toml to the broker and the agents, then send each "
         "SIGHUP\n";
}

}  // namespace docbus
