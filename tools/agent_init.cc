#include "tools/agent_init.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "bus/core/files.h"
#include "bus/core/ids.h"
#include "bus/crypto/pkcs11_uri.h"
#include "bus/crypto/signing_key.h"
#include "certs/agency_request.h"
#include "certs/curve_keys.h"
#include "tools/issue_request_cli.h"

namespace docbus {
namespace {

constexpr uint64_t kMaxCopiedFile = 16u << 20;

// A TOML basic string: JSON's string escapes are all valid TOML ones.
std::string Quoted(const std::string& text) {
  return nlohmann::json(text).dump();
}

Status CopyInto(const std::filesystem::path& from,
                const std::filesystem::path& to, std::string_view flag) {
  Result<std::string> bytes = ReadFileLimited(from, kMaxCopiedFile);
  if (!bytes.ok()) return bytes.status().Prefixed(flag);
  return WriteFileAtomically(to, *bytes, 0644);
}

std::string AgentToml(const AgentInitOptions& o) {
  std::ostringstream c;
  c << "# docbus-agent config written by `docbus agent init`; every key is\n"
       "# described in agents/agent.toml.example. Paths are relative to this "
       "file.\n"
    << "[agent]\nagency_id = " << Quoted(o.agency) << "\ndata_dir = \"data\"\n"
    << "[broker]\nendpoint = " << Quoted(o.broker_endpoint)
    << "\npublic_key = \"broker.public\"\n"
    << "[keys]\ncurve_public_key = \"curve.public\"\n"
    << "curve_secret_key = \"curve.secret\"\n"
    << "signing_key = " << Quoted(o.new_key ? "key.pem" : o.key) << "\n";
  if (!o.new_key && !o.pkcs11_module.empty()) {
    c << "pkcs11_module = " << Quoted(o.pkcs11_module) << "\n";
  }
  c << "certificate = \"cert.pem\"\n"
    << "[pki]\nroot_certificate = \"root.pem\"\n"
    << "signed_registry = " << Quoted(kAgentRegistryFile) << "\n"
    << "[audit]\nbroker_log_vkey = \"broker-log.vkey\"\n"
    << "[http]\nlisten = " << Quoted(o.http_listen) << "\n";
  return c.str();
}

}  // namespace

Status AgentInit(const AgentInitOptions& o, std::ostream& out) {
  DOCBUS_RETURN_IF_ERROR(ValidateAgencyId(o.agency));
  if (o.new_key == !o.key.empty()) {
    return Status(Code::kInvalidArgument, "give --new-key or --key pkcs11:URI");
  }
  if (!o.new_key && !crypto::IsPkcs11Uri(o.key)) {
    return Status(Code::kInvalidArgument,
                  "--key must be a pkcs11: URI (use --new-key for a key "
                  "file made here)");
  }
  if (o.broker_endpoint.empty()) {
    return Status(Code::kInvalidArgument, "--broker needs an endpoint");
  }
  const std::filesystem::path toml = o.dir / "agent.toml";
  std::error_code ec;
  for (const auto& file : {toml, o.dir / "key.pem", o.dir / "curve.secret"}) {
    if (std::filesystem::exists(file, ec)) {
      return Status(Code::kAlreadyExists,
                    file.string() + " exists; refusing to replace it");
    }
  }
  DOCBUS_RETURN_IF_ERROR(MakeDirectory(o.dir, 0700));
  DOCBUS_RETURN_IF_ERROR(MakeDirectory(o.dir / "data", 0700));
  DOCBUS_RETURN_IF_ERROR(CopyInto(o.broker_public_key, o.dir / "broker.public",
                                  "--broker-public-key"));
  DOCBUS_RETURN_IF_ERROR(CopyInto(o.root, o.dir / "root.pem", "--root"));
  if (!o.broker_log_vkey.empty()) {
    DOCBUS_RETURN_IF_ERROR(CopyInto(
        o.broker_log_vkey, o.dir / "broker-log.vkey", "--broker-log-vkey"));
  }

  DOCBUS_ASSIGN_OR_RETURN(std::string curve_public, pki::CurveKeygen(o.dir));
  if (o.new_key) {
    DOCBUS_RETURN_IF_ERROR(pki::WriteNewAgencyKey(o.dir / "key.pem"));
  }
  const std::string key_ref = o.new_key ? (o.dir / "key.pem").string() : o.key;
  DOCBUS_ASSIGN_OR_RETURN(auto key,
                          crypto::SigningKey::Open(key_ref, o.pkcs11_module));
  DOCBUS_ASSIGN_OR_RETURN(
      std::string request,
      pki::MakeAgencyRequest(key->pkey(), o.agency, curve_public));
  DOCBUS_RETURN_IF_ERROR(
      WriteFileAtomically(o.dir / "request.pem", request, 0644));
  DOCBUS_RETURN_IF_ERROR(WriteFileAtomically(toml, AgentToml(o), 0644));

  out << "agency " << o.agency << " set up in " << o.dir.string() << " (key "
      << key->description() << ")\n"
      << "send to the national CA's operator: "
      << (o.dir / "request.pem").string() << "\n"
      << "put back what the operator returns: " << (o.dir / "cert.pem").string()
      << " and " << (o.dir / kAgentRegistryFile).string();
  if (o.broker_log_vkey.empty()) {
    out << ", " << (o.dir / "broker-log.vkey").string();
  }
  out << "\nthen run: docbus-agent --config " << toml.string() << "\n";
  return Status::Ok();
}

void AddAgentInitCommand(CLI::App& agent, std::ostream& out,
                         std::ostream& err) {
  auto o = std::make_shared<AgentInitOptions>();
  CLI::App* init = agent.add_subcommand(
      "init",
      "set up this agency's agent: keys, certificate request, agent.toml");
  init->add_option("--agency", o->agency, "this agency's id")->required();
  init->add_option("--dir", o->dir, "folder for the agent's files")->required();
  CLI::Option* new_key = init->add_flag(
      "--new-key", o->new_key, "make a P-256 signing key in DIR/key.pem");
  CLI::Option* key = init->add_option(
      "--key", o->key, "the signing key on a token: a pkcs11: URI (RFC 7512)");
  new_key->excludes(key);
  init->add_option("--pkcs11-module", o->pkcs11_module,
                   "PKCS#11 module (default p11-kit's proxy)")
      ->needs(key);
  init->add_option("--broker", o->broker_endpoint,
                   "the broker's ZeroMQ endpoint(s)")
      ->required();
  init->add_option("--broker-public-key", o->broker_public_key,
                   "the broker's curve.public")
      ->required();
  init->add_option("--root", o->root, "the national root.pem")->required();
  init->add_option("--broker-log-vkey", o->broker_log_vkey,
                   "the broker's log.vkey (else put it back later)");
  init->add_option("--http-listen", o->http_listen,
                   "the agent's loopback HTTP API (default 127.0.0.1:0)");
  init->callback([o, &out, &err] {
    FinishPkiCommand(AgentInit(*o, out), "agent init", err);
  });
}

}  // namespace docbus
