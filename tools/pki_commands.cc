#include "tools/pki_commands.h"

#include <memory>
#include <string>

#include "bus/core/files.h"
#include "bus/crypto/signing_key.h"
#include "certs/agency_request.h"
#include "certs/authority.h"
#include "certs/curve_keys.h"
#include "certs/enrolment.h"
#include "certs/registry_publication.h"
#include "tools/issue_request_cli.h"

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
  std::string pkcs11_module;
  std::string new_key;
  RequestIssueArgs from_request;
  int64_t days = 0;
  // Days before now a new certificate starts; -1 (not given): it starts
  // pki::kClockSkewSeconds before now.
  int64_t backdate_days = -1;
};

void Finish(const Status& status, std::ostream& err) {
  FinishPkiCommand(status, "pki", err);
}

std::string TrimLineEnd(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  return text;
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

  CLI::App* issue = pki_cmd->add_subcommand(
      "issue",
      "issue an agency certificate from its request (--request), or make its "
      "keys here too (--agency, test PKIs only)");
  issue->add_option("--dir", args->dir, "PKI folder")->required();
  issue->add_option("--agency", args->agency,
                    "agency id, NNN.NN.NN.Xnn (with --request: the id the "
                    "request must be for)");
  AddRequestIssueOptions(issue, args->from_request, /*name_required=*/true);
  AddBackdate(issue, *args);
  issue->callback([args, &out, &err] {
    if (!args->from_request.request.empty()) {
      RequestIssueArgs from_request = args->from_request;
      from_request.dir = args->dir;
      from_request.agency = args->agency;
      from_request.backdate_days = args->backdate_days;
      RunRequestIssue(from_request, "pki", out, err);
      return;
    }
    if (args->agency.empty()) {
      Finish(Status(Code::kInvalidArgument,
                    "give --request REQ.pem (or --agency ID for a test PKI)"),
             err);
    }
    if (!args->from_request.aliases.empty()) {
      Finish(Status(Code::kInvalidArgument, "--alias needs --request"), err);
    }
    args->days = args->from_request.days;
    Finish(pki::IssueAgency(args->dir, args->agency, args->from_request.name,
                            args->from_request.parent,
                            ValidityFor(*args, pki::kAgencyValidityDays)),
           err);
    out << "issued agency " << args->agency << " in " << args->dir
        << "/agencies/" << args->agency << "\n";
    Publish(args->dir, out, err);
  });

  CLI::App* request = pki_cmd->add_subcommand(
      "request",
      "make this agency's certificate request, signed with its own key");
  request->add_option("--agency", args->agency, "this agency's id")
      ->required();
  CLI::Option* key = request->add_option(
      "--key", args->key,
      "signing key: a PEM file, or a pkcs11: URI (RFC 7512) of a key on a "
      "token");
  CLI::Option* new_key = request->add_option(
      "--new-key", args->new_key,
      "make a fresh P-256 key in this file (0600) and sign with it");
  key->excludes(new_key);
  request->add_option("--pkcs11-module", args->pkcs11_module,
                      "PKCS#11 module for a pkcs11: key (default p11-kit's "
                      "proxy)");
  request
      ->add_option("--curve-public", args->curve_public,
                   "file with this agency's CURVE public key "
                   "(`docbus pki curve-keygen`)")
      ->required();
  request->add_option("--out", args->out, "request file (PEM)")->required();
  request->callback([args, &out, &err] {
    if (args->key.empty() == args->new_key.empty()) {
      Finish(Status(Code::kInvalidArgument, "give --key or --new-key"), err);
    }
    std::error_code ec;
    if (std::filesystem::exists(args->out, ec)) {
      Finish(Status(Code::kAlreadyExists, args->out + " exists"), err);
    }
    auto curve = ReadFileLimited(args->curve_public, 1024);
    Finish(curve.status(), err);
    if (!args->new_key.empty()) {
      Finish(pki::WriteNewAgencyKey(args->new_key), err);
      out << "wrote a new signing key to " << args->new_key
          << " (0600; it never leaves this machine)\n";
    }
    const std::string key_ref =
        args->new_key.empty() ? args->key : args->new_key;
    auto signing_key = crypto::SigningKey::Open(key_ref, args->pkcs11_module);
    Finish(signing_key.status(), err);
    auto pem = pki::MakeAgencyRequest((*signing_key)->pkey(), args->agency,
                                      TrimLineEnd(*curve));
    Finish(pem.status(), err);
    Finish(WriteFileAtomically(args->out, *pem, 0644), err);
    out << "wrote " << args->out << "; send it to the national CA's operator "
        << "(`docbus agency add --request`), who sends back cert.pem\n";
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
    auto request =
        pki::MakeEnrolmentRequest(args->key, args->cert, TrimLineEnd(*curve));
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
