#include "tools/pki_commands.h"

#include <memory>
#include <string>

#include "bus/core/files.h"
#include "certs/authority.h"
#include "certs/curve_keys.h"
#include "certs/enrolment.h"
#include "certs/registry_publication.h"

namespace docbus {
namespace {

// The arguments of every pki subcommand; one per `pki` command tree.
struct PkiArgs {
  std::string dir;
  std::string agency;
  std::string name;
  std::string parent;
  std::string out;
  std::string key;
  std::string cert;
  std::string curve_public;
  std::string request;
  int64_t days = 0;
  // Days before now a new certificate starts; -1 (not given): it starts
  // pki::kClockSkewSeconds before now.
  int64_t backdate_days = -1;
};

// Reports `status` and ends the command with its exit code.
void Finish(const Status& status, std::ostream& err) {
  if (status.ok()) return;
  err << "docbus pki: " << status.ToString() << "\n";
  const bool usage = status.code() == Code::kInvalidArgument ||
                     status.code() == Code::kInvalidField;
  throw CLI::RuntimeError(usage ? 2 : 1);
}

// Publishes registry.signed after a change to the registry or the CRL; the
// broker picks it up within a second and pushes it to every agent.
void Publish(const std::string& dir, std::ostream& out, std::ostream& err) {
  auto serial = pki::PublishRegistry(dir);
  Finish(serial.status(), err);
  out << "published " << dir << "/registry.signed serial " << *serial
      << "\n";
}

pki::Validity ValidityFor(const PkiArgs& args, int64_t default_days) {
  const int64_t days = args.days > 0 ? args.days : default_days;
  if (args.backdate_days >= 0) {
    return pki::Validity::BackdatedDays(days, args.backdate_days);
  }
  return pki::Validity::Days(days);
}

void AddDays(CLI::App* cmd, PkiArgs& args, const std::string& what) {
  cmd->add_option("--days", args.days, what)->check(CLI::Range(1, 36500));
}

void AddBackdate(CLI::App* cmd, PkiArgs& args) {
  cmd->add_option("--backdate-days", args.backdate_days,
                  "start of validity, in days before now (default: 5 "
                  "minutes before now; for tests on a fake clock)")
      ->check(CLI::Range(0, 3650));
}

}  // namespace

void AddPkiCommands(CLI::App& app, std::ostream& out, std::ostream& err) {
  auto args = std::make_shared<PkiArgs>();
  CLI::App* pki_cmd =
      app.add_subcommand("pki", "national CA, certificates, CRLs, CURVE keys");
  pki_cmd->require_subcommand(1);

  CLI::App* init =
      pki_cmd->add_subcommand("init", "create a PKI folder with a root CA");
  init->add_option("--dir", args->dir, "PKI folder")->required();
  AddDays(init, *args, "root CA validity in days (default 3650)");
  AddBackdate(init, *args);
  init->callback([args, &out, &err] {
    pki::AuthorityOptions options;
    options.validity = ValidityFor(*args, pki::kRootValidityDays);
    Finish(pki::InitAuthority(args->dir, options), err);
    out << "created PKI in " << args->dir << "\n";
    Publish(args->dir, out, err);
  });

  CLI::App* issue =
      pki_cmd->add_subcommand("issue", "issue an agency certificate and keys");
  issue->add_option("--dir", args->dir, "PKI folder")->required();
  issue->add_option("--agency", args->agency, "agency id, NNN.NN.NN.Xnn")
      ->required();
  issue->add_option("--name", args->name, "agency display name")->required();
  issue->add_option("--parent", args->parent, "parent organ id (default none)");
  AddDays(issue, *args, "certificate validity in days (default 825)");
  AddBackdate(issue, *args);
  issue->callback([args, &out, &err] {
    Finish(pki::IssueAgency(args->dir, args->agency, args->name, args->parent,
                            ValidityFor(*args, pki::kAgencyValidityDays)),
           err);
    out << "issued agency " << args->agency << " in " << args->dir
        << "/agencies/" << args->agency << "\n";
    Publish(args->dir, out, err);
  });

  CLI::App* broker = pki_cmd->add_subcommand(
      "broker", "issue the broker's certificate and keys");
  broker->add_option("--dir", args->dir, "PKI folder")->required();
  AddDays(broker, *args, "certificate validity in days (default 825)");
  AddBackdate(broker, *args);
  broker->callback([args, &out, &err] {
    Finish(pki::IssueBroker(args->dir,
                            ValidityFor(*args, pki::kAgencyValidityDays)),
           err);
    out << "issued broker in " << args->dir << "/broker\n";
  });

  CLI::App* revoke =
      pki_cmd->add_subcommand("revoke", "revoke an agency's certificate");
  revoke->add_option("--dir", args->dir, "PKI folder")->required();
  revoke->add_option("--agency", args->agency, "agency id")->required();
  revoke->callback([args, &out, &err] {
    Finish(pki::Revoke(args->dir, args->agency), err);
    out << "revoked agency " << args->agency << "\n";
    Publish(args->dir, out, err);
  });

  CLI::App* crl = pki_cmd->add_subcommand("crl", "re-sign the CRL");
  crl->add_option("--dir", args->dir, "PKI folder")->required();
  AddDays(crl, *args, "days until the CRL's next update (default 30)");
  crl->callback([args, &out, &err] {
    Finish(pki::WriteCrl(args->dir,
                         args->days > 0 ? args->days : pki::kCrlValidityDays),
           err);
    out << "wrote " << args->dir << "/crl.pem\n";
    Publish(args->dir, out, err);
  });

  CLI::App* keygen =
      pki_cmd->add_subcommand("curve-keygen", "make a CURVE key pair");
  keygen
      ->add_option("--out", args->out,
                   "folder for curve.public and curve.secret")
      ->required();
  keygen->callback([args, &out, &err] {
    auto key = pki::CurveKeygen(args->out);
    Finish(key.status(), err);
    out << *key << "\n";
  });

  CLI::App* enroll_request = pki_cmd->add_subcommand(
      "enroll-request",
      "sign a request to bind a new CURVE key to this agency");
  enroll_request->add_option("--key", args->key, "agency private key (PEM)")
      ->required();
  enroll_request->add_option("--cert", args->cert, "agency certificate (PEM)")
      ->required();
  enroll_request
      ->add_option("--curve-public", args->curve_public,
                   "file with the new CURVE public key")
      ->required();
  enroll_request->add_option("--out", args->out,
                             "request file (default: stdout)");
  enroll_request->callback([args, &out, &err] {
    auto curve = ReadFileLimited(args->curve_public, 1024);
    Finish(curve.status(), err);
    std::string key = *curve;
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r'))
      key.pop_back();
    auto request = pki::MakeEnrolmentRequest(args->key, args->cert, key);
    Finish(request.status(), err);
    if (args->out.empty()) {
      out << *request;
    } else {
      Finish(WriteFileAtomically(args->out, *request, 0644), err);
      out << "wrote " << args->out << "\n";
    }
  });

  CLI::App* enroll = pki_cmd->add_subcommand(
      "enroll", "bind an enrolment request's CURVE key");
  enroll->add_option("--dir", args->dir, "PKI folder")->required();
  enroll->add_option("--request", args->request, "request file")->required();
  enroll->callback([args, &out, &err] {
    auto text = ReadFileLimited(args->request, 16 * 1024);
    Finish(text.status(), err);
    auto agency = pki::AcceptEnrolment(args->dir, *text);
    Finish(agency.status(), err);
    out << "bound the new CURVE key of agency " << *agency << "\n";
    Publish(args->dir, out, err);
  });
}

}  // namespace docbus
