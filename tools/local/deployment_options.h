// What a local deployment (deployment.h) is made of: its agencies, where the
// daemons were built, and the settings written into the daemons' configs.
// A plain value; copy it freely.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace docbus::local {

struct DeploymentOptions {
  std::vector<std::string> agencies;  // QCVN 102 ids, e.g. 000.00.00.G22
  std::filesystem::path
      build_dir;  // where docbus, docbus-broker, docbus-agent were built
  std::filesystem::path
      dir;  // empty: a fresh temporary folder, removed at the end
  int checkpoint_interval_ms = 200;
  int retransmit_ms = 1000;
  int default_expiry_s = 7 * 24 * 3600;
  std::string log_level = "info";
  // The agents' broker.offline_after_ms; 0: not written (the default).
  int offline_after_ms = 0;
  // The broker's [store]: "sqlite" (the default, not written) or
  // "postgresql" with a libpq connection string in store_dsn.
  std::string store_backend = "sqlite";
  std::string store_dsn;
  // Broker processes sharing the store: 1, or more on PostgreSQL only (one
  // active, the others standbys). Each has its own data folder, config,
  // log, ZeroMQ port and HTTP port; every agent lists all their endpoints.
  int brokers = 1;
  // The brokers' [store] lease_ms; 0: not written (the broker's default).
  int lease_ms = 0;
  // limits.max_attachment_bytes of the broker and the agents (and a
  // max_document_bytes 1 MiB above it); 0: their defaults.
  int64_t max_attachment_bytes = 0;
  // Onboard every agency as a national deployment does (certs/README.md):
  // its CURVE pair and signing key are made in <dir>/agency/<id>/ (the
  // agency's machine, outside the PKI folder) and the CA issues from its
  // request (`docbus agent init` on the agency's side, `docbus agency add`
  // on the operator's). Otherwise
  // `docbus pki issue --agency` makes everything in the PKI folder.
  bool onboard_by_request = false;
  // With onboard_by_request: agencies whose signing key is on a PKCS#11
  // token, by its pkcs11: URI (the token is the caller's), and the module
  // their agents load ("" : p11-kit's proxy).
  std::map<std::string, std::string> pkcs11_keys;
  std::string pkcs11_module;
  // limits.min_free_bytes of the broker and the agents; -1: their default.
  int64_t min_free_bytes = -1;
  // The broker and the agents follow pki/registry.signed
  // (bus/registry/FORMAT.md) instead of reading registry.toml and crl.pem:
  // `docbus agency …` on pki/ then reaches every daemon by itself.
  bool signed_registry = false;
  // The agents' http.max_queue_ms (agents/api_admission.h); -1: their
  // default.
  int agent_max_queue_ms = -1;
};

}  // namespace docbus::local
