#include "tools/audit_commands.h"

#include <iostream>
#include <memory>
#include <string>

#include "bus/audit/auditor.h"

namespace docbus {
namespace {

struct AuditArgs {
  std::string name;
  std::string out;
  std::string dir;
  std::string other_dir;
  std::string vkey;
  std::string previous;
  std::string witnesses;
  std::string id;
  std::string agency;
  bool json = false;
};

// Ends the command with `code` unless it is 0.
void Finish(int code) {
  std::cout.flush();
  if (code != 0) throw CLI::RuntimeError(code);
}

}  // namespace

void AddAuditCommands(CLI::App& app) {
  auto args = std::make_shared<AuditArgs>();
  CLI::App* audit = app.add_subcommand(
      "audit", "verify, replay and prove an exported audit log (offline)");
  audit->require_subcommand(1);

  CLI::App* keygen =
      audit->add_subcommand("keygen", "create an Ed25519 log (note) key pair");
  keygen
      ->add_option("--name", args->name,
                   "log origin, e.g. docbus.gov.vn/axis/2026")
      ->required();
  keygen
      ->add_option("--out", args->out, "writes <prefix>.key and <prefix>.vkey")
      ->required();
  keygen->callback([args] {
    Finish(audit::RunKeygen(args->name, args->out, std::cout, std::cerr));
  });

  CLI::App* verify = audit->add_subcommand(
      "verify",
      "rebuild the tree, check checkpoint, tiles and lifecycle rules");
  verify->add_option("dir", args->dir, "exported tiles folder")->required();
  verify->add_option("--vkey", args->vkey, "the log's verifier key file")
      ->required();
  verify->add_option("--previous", args->previous,
                     "an earlier signed checkpoint this log must extend");
  verify->add_option("--witnesses", args->witnesses,
                     "a witness policy file: require k-of-n cosignatures");
  verify->add_flag("--json", args->json, "JSON report");
  verify->callback([args] {
    audit::VerifyCommand command;
    command.dir = args->dir;
    command.vkey_file = args->vkey;
    if (!args->previous.empty())
      command.previous_checkpoint_file = args->previous;
    if (!args->witnesses.empty())
      command.witness_policy_file = args->witnesses;
    command.json = args->json;
    Finish(audit::RunVerify(command, std::cout, std::cerr));
  });

  CLI::App* replay =
      audit->add_subcommand("replay", "each document's history, in order");
  replay->add_option("dir", args->dir, "exported tiles folder")->required();
  replay->add_flag("--json", args->json, "JSON output");
  replay->callback([args] {
    Finish(audit::RunReplay(args->dir, args->json, std::cout, std::cerr));
  });

  CLI::App* prove = audit->add_subcommand(
      "prove", "a c2sp.org/tlog-proof@v1 for a document's ACCEPTED entry");
  prove->add_option("dir", args->dir, "exported tiles folder")->required();
  prove->add_option("message_id", args->id, "the document's bus message id")
      ->required();
  prove->add_option("--vkey", args->vkey, "the log's verifier key file")
      ->required();
  prove->callback([args] {
    Finish(
        audit::RunProve(args->dir, args->id, args->vkey, std::cout, std::cerr));
  });

  CLI::App* trace =
      audit->add_subcommand("trace", "every entry about one document");
  trace->add_option("dir", args->dir, "exported tiles folder")->required();
  trace->add_option("id", args->id, "bus message id or edXML DocumentId")
      ->required();
  trace->add_flag("--json", args->json, "JSON output");
  trace->callback([args] {
    Finish(
        audit::RunTrace(args->dir, args->id, args->json, std::cout, std::cerr));
  });

  CLI::App* diff = audit->add_subcommand(
      "diff", "what the broker's log and an agency's log disagree on");
  diff->add_option("broker_dir", args->dir, "the broker's exported log")
      ->required();
  diff->add_option("agency_dir", args->other_dir, "the agency's exported log")
      ->required();
  diff->add_option("--agency", args->agency, "the agency id")->required();
  diff->add_flag("--json", args->json, "JSON output");
  diff->callback([args] {
    Finish(audit::RunDiff(args->dir, args->other_dir, args->agency, args->json,
                          std::cout, std::cerr));
  });
}

}  // namespace docbus
