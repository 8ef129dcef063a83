#include "tools/agency_registry_commands.h"

#include <iostream>
#include <memory>
#include <string>

#include "bus/core/clock.h"
#include "bus/core/files.h"
#include "bus/crypto/certificate.h"
#include "bus/registry/agency_registry.h"
#include "certs/agency_state.h"
#include "certs/authority.h"
#include "certs/pki_paths.h"
#include "certs/registry_publication.h"
#include "tools/issue_request_cli.h"

namespace docbus {
namespace {

struct AgencyArgs {
  std::string dir;
  std::string id;
  std::string curve_public;
};

// Reports `status` and ends the command with its exit code (as `docbus
// pki`: 1 failed, 2 usage).
void Finish(const Status& status) {
  FinishPkiCommand(status, "agency", std::cerr);
}

std::string NotAfter(const registry::Agency& a) {
  auto cert = crypto::Certificate::FromPem(a.certificate_pem);
  return cert.ok() ? UtcDate((*cert)->not_after_unix_s()) : "?";
}

std::string Joined(const std::vector<std::string>& list) {
  std::string out;
  for (const std::string& s : list) out += (out.empty() ? "" : ",") + s;
  return out.empty() ? "-" : out;
}

std::shared_ptr<const registry::AgencyRegistry> LoadRegistry(
    const std::string& dir) {
  auto registry =
      registry::AgencyRegistry::Load(pki::PkiPaths(dir).registry());
  Finish(registry.status());
  return *registry;
}

CLI::App* Command(CLI::App& agency, AgencyArgs& args, const char* name,
                  const char* what, bool with_id) {
  CLI::App* cmd = agency.add_subcommand(name, what);
  cmd->add_option("--dir", args.dir, "PKI folder")->required();
  if (with_id) cmd->add_option("id", args.id, "agency id")->required();
  return cmd;
}

// After a change: the serial a running broker will pick up.
void SayPublished(const std::string& what, const std::string& dir) {
  std::cout << what << "; published " << dir
            << "/registry.signed: the broker applies it within a second and "
               "pushes it to every agent\n";
}

}  // namespace

void AddAgencyRegistryCommands(CLI::App& agency) {
  auto args = std::make_shared<AgencyArgs>();

  Command(agency, *args, "list", "list the registered agencies", false)
      ->callback([args] {
        auto registry = LoadRegistry(args->dir);
        std::cout << "id\tname\tparent\tstate\tcert_not_after\taliases\n";
        for (const registry::Agency& a : registry->agencies()) {
          std::cout << a.id << "\t" << a.name << "\t"
                    << (a.parent.empty() ? "-" : a.parent) << "\t" << a.state()
                    << "\t" << NotAfter(a) << "\t" << Joined(a.aliases)
                    << "\n";
        }
      });

  Command(agency, *args, "show", "show one agency's registry entry", true)
      ->callback([args] {
        auto registry = LoadRegistry(args->dir);
        const registry::Agency* a = registry->Find(args->id);
        if (a == nullptr) {
          Finish(Status(Code::kNotFound,
                        "agency " + args->id + " is not in the registry"));
        }
        auto cert = crypto::Certificate::FromPem(a->certificate_pem);
        std::cout << "id: " << a->id << "\nname: " << a->name
                  << "\nparent: " << (a->parent.empty() ? "-" : a->parent)
                  << "\nstate: " << a->state()
                  << "\ncurve_public_key: " << a->curve_public_key
                  << "\ncertificate: " << a->certificate_path.string()
                  << "\ncertificate_serial: "
                  << (cert.ok() ? (*cert)->serial_hex() : "?")
                  << "\ncertificate_not_after: " << NotAfter(*a)
                  << "\naliases: " << Joined(a->aliases) << "\n";
      });

  Command(agency, *args, "disable",
          "stop new documents to and from an agency (its queue is kept)", true)
      ->callback([args] {
        Finish(pki::SetAgencyDisabled(args->dir, args->id, true));
        SayPublished("disabled agency " + args->id, args->dir);
      });

  Command(agency, *args, "enable", "let a disabled agency exchange again",
          true)
      ->callback([args] {
        Finish(pki::SetAgencyDisabled(args->dir, args->id, false));
        SayPublished("enabled agency " + args->id, args->dir);
      });

  Command(agency, *args, "revoke",
          "revoke an agency: its certificate on the CRL, refused everywhere",
          true)
      ->callback([args] {
        Finish(pki::Revoke(args->dir, args->id));
        Finish(pki::PublishRegistry(args->dir).status());
        SayPublished("revoked agency " + args->id, args->dir);
      });

  CLI::App* rotate = Command(agency, *args, "rotate",
                             "bind a new CURVE key to an agency (its id and "
                             "queue stay)",
                             true);
  rotate
      ->add_option("--curve-public", args->curve_public,
                   "file with the new CURVE public key (Z85)")
      ->required();
  rotate->callback([args] {
    auto text = ReadFileLimited(args->curve_public, 1024);
    Finish(text.status());
    std::string key = *text;
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) {
      key.pop_back();
    }
    Finish(pki::RotateCurveKey(args->dir, args->id, key));
    SayPublished("bound a new CURVE key to agency " + args->id, args->dir);
  });
}

}  // namespace docbus
