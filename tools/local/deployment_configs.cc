#include "tools/local/deployment_configs.h"

#include <sstream>

namespace docbus::local {
namespace {

// A TOML basic string's content: backslashes and quotes escaped (a DSN may
// hold a quoted password or a path).
std::string TomlEscaped(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '\\' || ch == '"') out += '\\';
    out += ch;
  }
  return out;
}

// The [limits] section both daemons get, or "" for their defaults.
std::string LimitsSection(const DeploymentOptions& options) {
  std::string out;
  if (options.max_attachment_bytes > 0) {
    out += "max_attachment_bytes = " +
           std::to_string(options.max_attachment_bytes) +
           "\nmax_document_bytes = " +
           std::to_string(options.max_attachment_bytes + (1 << 20)) + "\n";
  }
  if (options.min_free_bytes >= 0) {
    out += "min_free_bytes = " + std::to_string(options.min_free_bytes) + "\n";
  }
  return out.empty() ? "" : "[limits]\n" + out;
}

std::string PkiSection(const DeploymentOptions& options) {
  if (options.signed_registry) {
    return "[pki]\nroot_certificate = \"pki/root.pem\"\n"
           "signed_registry = \"pki/registry.signed\"\n";
  }
  return "[pki]\nroot_certificate = \"pki/root.pem\"\ncrl = "
         "\"pki/crl.pem\"\nregistry = \"pki/registry.toml\"\n";
}

}  // namespace

std::string BrokerConfigToml(const DeploymentOptions& options,
                             const BrokerPlace& place) {
  std::ostringstream c;
  c << "[broker]\nlisten = \"" << place.zmq_listen << "\"\ndata_dir = \""
    << place.data_dir << "\"\n"
    << "curve_secret_key = \"pki/broker/curve.secret\"\n"
    << PkiSection(options)
    << "[audit]\norigin = \"" << kLocalLogOrigin
    << "\"\nlog_key = \"pki/broker/log.key\"\n"
    << "checkpoint_interval_ms = " << options.checkpoint_interval_ms << "\n"
    << "[delivery]\ndefault_expiry_s = " << options.default_expiry_s
    << "\nretransmit_ms = " << options.retransmit_ms << "\n"
    << "[http]\nlisten = \"" << place.http_listen << "\"\n[log]\nlevel = \""
    << options.log_level << "\"\n";
  c << LimitsSection(options);
  if (options.store_backend != "sqlite" || !options.store_dsn.empty()) {
    c << "[store]\nbackend = \"" << TomlEscaped(options.store_backend)
      << "\"\ndsn = \"" << TomlEscaped(options.store_dsn) << "\"\n";
    if (options.lease_ms > 0) c << "lease_ms = " << options.lease_ms << "\n";
  }
  return c.str();
}

std::string AgentConfigToml(const DeploymentOptions& options,
                            const std::string& agency,
                            const std::string& broker_endpoints) {
  const std::string keys = "pki/agencies/" + agency + "/";
  std::ostringstream c;
  c << "[agent]\nagency_id = \"" << agency << "\"\ndata_dir = \"var/" << agency
    << "\"\n[broker]\nendpoint = \"" << broker_endpoints << "\"\n"
    << "public_key = \"pki/broker/curve.public\"\n";
  if (options.offline_after_ms > 0) {
    c << "offline_after_ms = " << options.offline_after_ms << "\n";
  }
  // Onboarded by request, the agency's keys are its own (agency/<id>/),
  // its signing key possibly on a token; the certificate is the CA's.
  const std::string own =
      options.onboard_by_request ? "agency/" + agency + "/" : keys;
  const auto token = options.pkcs11_keys.find(agency);
  c << "[keys]\ncurve_public_key = \"" << own << "curve.public\"\n"
    << "curve_secret_key = \"" << own << "curve.secret\"\n";
  if (options.onboard_by_request && token != options.pkcs11_keys.end()) {
    c << "signing_key = \"" << TomlEscaped(token->second) << "\"\n";
    if (!options.pkcs11_module.empty()) {
      c << "pkcs11_module = \"" << TomlEscaped(options.pkcs11_module)
        << "\"\n";
    }
  } else {
    c << "signing_key = \"" << own << "key.pem\"\n";
  }
  c << "certificate = \"" << keys << "cert.pem\"\n"
    << PkiSection(options)
    << "[audit]\nbroker_log_vkey = \"pki/broker/log.vkey\"\n"
    << "[http]\nlisten = \"127.0.0.1:0\"\n";
  if (options.agent_max_queue_ms >= 0)
    c << "max_queue_ms = " << options.agent_max_queue_ms << "\n";
  c << "[log]\nlevel = \"" << options.log_level << "\"\n"
    << LimitsSection(options);
  return c.str();
}

}  // namespace docbus::local
