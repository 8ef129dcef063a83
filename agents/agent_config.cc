#include "agents/agent_config.h"

#include "agents/vdxp/sdk_secret.h"
#include "bus/core/files.h"
#include "bus/crypto/pkcs11_uri.h"
#include "bus/document/time_zone.h"
#include "bus/transport/curve_keys.h"

namespace docbus::agent {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;
// A note verifier key is one short line.
constexpr uint64_t kMaxKeyFile = 1 << 20;

Status BadKey(std::string_view key, const Status& why) {
  return Status(Code::kInvalidArgument,
                "key '" + std::string(key) + "': " + why.message());
}

Result<std::string> CurveKey(std::string_view key,
                             const std::filesystem::path& file) {
  Result<std::string> text = transport::ReadKeyFile(file);
  if (!text.ok()) return BadKey(key, text.status());
  return text;
}

}  // namespace

Result<DaemonOptions> ReadAgentConfig(Config& config) {
  DaemonOptions o;
  AgentOptions& a = o.agent;
  a.agency_id = config.RequiredString("agent.agency_id");
  a.data_dir = config.RequiredPath("agent.data_dir");
  a.broker_endpoint = config.RequiredString("broker.endpoint");
  // From 1 s (a blip is not worth a page) to a day.
  a.loop.offline_after_ms = config.Int(
      "broker.offline_after_ms", a.loop.offline_after_ms, 1000, 86'400'000);
  const auto broker_key = config.RequiredPath("broker.public_key");
  const auto curve_public = config.RequiredPath("keys.curve_public_key");
  const auto curve_secret = config.RequiredPath("keys.curve_secret_key");
  // A PEM key file (relative to this file), or a key on a PKCS#11 token.
  const std::string signing_key = config.RequiredString("keys.signing_key");
  a.signing_key = crypto::IsPkcs11Uri(signing_key)
                      ? std::filesystem::path(signing_key)
                      : config.RequiredPath("keys.signing_key");
  a.pkcs11_module = config.Path("keys.pkcs11_module", "").string();
  a.certificate = config.RequiredPath("keys.certificate");
  a.root_certificate = config.RequiredPath("pki.root_certificate");
  // A signed registry carries the agencies and the CRL; the two files are
  // then not read (only the first registry: the broker sends newer ones).
  a.signed_registry = config.Path("pki.signed_registry", "");
  if (a.signed_registry.empty()) {
    a.crl = config.RequiredPath("pki.crl");
    a.registry = config.RequiredPath("pki.registry");
  }
  const auto vkey_file = config.RequiredPath("audit.broker_log_vkey");
  const auto witness_policy = config.Path("audit.witness_policy", "");
  o.drop_folder = config.Path("drop.folder", "");
  o.http_listen = config.String("http.listen", "127.0.0.1:0");
  o.http_max_queue_ms =
      config.Int("http.max_queue_ms", o.http_max_queue_ms, 0, 3'600'000);
  o.log_level = config.String("log.level", "info");
  o.log_format = config.String("log.format", "text");
  a.time_zone = config.String("agency.time_zone", a.time_zone);
  // limits.max_frame_bytes is the key's earlier name, still read.
  a.limits.max_document_bytes =
      config.Int("limits.max_document_bytes",
                 config.Int("limits.max_frame_bytes",
                            a.limits.max_document_bytes, 1, 1024 * 1024 * kMiB),
                 1, 1024 * 1024 * kMiB);
  a.limits.max_attachments =
      config.Int("limits.max_attachments", a.limits.max_attachments, 0, 10000);
  a.limits.max_attachment_bytes =
      config.Int("limits.max_attachment_bytes", a.limits.max_attachment_bytes,
                 1, 1024 * 1024 * kMiB);
  a.limits.max_inline_bytes =
      config.Int("limits.max_inline_bytes", a.limits.max_inline_bytes, 1,
                 1024 * kMiB);
  a.limits.max_subject_bytes = config.Int(
      "limits.max_subject_bytes", a.limits.max_subject_bytes, 1, 1 << 20);
  a.limits.min_free_bytes = config.Int(
      "limits.min_free_bytes", a.limits.min_free_bytes, 0, int64_t{1} << 50);
  std::filesystem::path vdxp_secret_file;
  if (config.Has("vdxp")) {
    o.vdxp.enabled = true;
    o.vdxp.listen = config.String("vdxp.listen", o.vdxp.listen);
    o.vdxp.system_id = config.RequiredString("vdxp.system_id");
    vdxp_secret_file = config.RequiredPath("vdxp.secret_file");
  }
  DOCBUS_RETURN_IF_ERROR(config.Finish());
  if (o.vdxp.enabled) {
    if (o.vdxp.system_id.empty()) {
      return Status(Code::kInvalidArgument,
                    "key 'vdxp.system_id': must not be empty");
    }
    Result<std::string> secret = vdxp::ReadSdkSecret(vdxp_secret_file);
    if (!secret.ok()) return BadKey("vdxp.secret_file", secret.status());
    o.vdxp.secret = std::move(secret).value();
  }

  if (crypto::IsPkcs11Uri(signing_key)) {
    if (auto uri = crypto::Pkcs11Uri::Parse(signing_key); !uri.ok()) {
      return BadKey("keys.signing_key", uri.status());
    }
  }
  DOCBUS_ASSIGN_OR_RETURN(a.broker_public_key,
                          CurveKey("broker.public_key", broker_key));
  DOCBUS_ASSIGN_OR_RETURN(a.curve_public_key,
                          CurveKey("keys.curve_public_key", curve_public));
  DOCBUS_ASSIGN_OR_RETURN(a.curve_secret_key,
                          CurveKey("keys.curve_secret_key", curve_secret));
  Result<std::string> derived = transport::CurvePublicKey(a.curve_secret_key);
  if (!derived.ok() || *derived != a.curve_public_key) {
    return Status(
        Code::kInvalidArgument,
        "key 'keys.curve_secret_key': does not match keys.curve_public_key");
  }
  if (o.log_format != "text" && o.log_format != "json") {
    return Status(Code::kInvalidArgument,
                  "key 'log.format': unknown format '" + o.log_format +
                      "' (text, json)");
  }
  if (auto zone = document::TimeZone::Load(a.time_zone); !zone.ok()) {
    return BadKey("agency.time_zone", zone.status());
  }
  Result<std::string> vkey = ReadFileLimited(vkey_file, kMaxKeyFile);
  if (!vkey.ok()) return BadKey("audit.broker_log_vkey", vkey.status());
  a.broker_log_vkey = *vkey;
  while (!a.broker_log_vkey.empty() && (a.broker_log_vkey.back() == '\n' ||
                                        a.broker_log_vkey.back() == '\r')) {
    a.broker_log_vkey.pop_back();
  }
  if (!witness_policy.empty()) {
    Result<audit::WitnessPolicy> policy =
        audit::WitnessPolicy::Load(witness_policy);
    if (!policy.ok()) return BadKey("audit.witness_policy", policy.status());
    a.witness_policy = std::move(policy).value();
  }
  return o;
}

Result<DaemonOptions> LoadAgentConfig(const std::filesystem::path& file) {
  Result<Config> config = Config::Load(file);
  if (!config.ok())
    return Status(Code::kInvalidArgument, config.status().message());
  return ReadAgentConfig(*config);
}

}  // namespace docbus::agent
