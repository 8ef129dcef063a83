// `docbus agent init`: the agency's side of onboarding, on the agency's own
// machine. Makes, in one folder, everything the agency's agent needs except
// what only the national CA can give:
//
//   DIR/curve.public, curve.secret (0600)  its CURVE pair (the transport)
//   DIR/key.pem (0600)                     its signing key, with --new-key
//                                          (none when the key is on a token)
//   DIR/request.pem                        the certificate request to send
//                                          to the CA's operator
//   DIR/root.pem, broker.public            copied from the given files
//   DIR/agent.toml                         the agent's complete config
//   DIR/data/                              the agent's data folder
//
// What comes back from the operator: DIR/cert.pem (`docbus agency add`),
// the signed registry (kAgentRegistryFile: the CA's registry.signed, which
// carries the CRL; the agent then follows the broker's newer ones by
// itself), and the broker's log verifier key unless given with
// --broker-log-vkey. Refuses to run
// over an existing DIR/agent.toml or CURVE or signing key. No key material
// is printed. Thread-safety: none needed.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <ostream>
#include <string>

#include "bus/core/status.h"

namespace docbus {

// The first signed registry the generated agent.toml names, relative to DIR.
inline constexpr char kAgentRegistryFile[] = "registry.signed";

struct AgentInitOptions {
  std::string agency;
  std::filesystem::path dir;
  bool new_key = false;
  std::string key;            // a pkcs11: URI when !new_key
  std::string pkcs11_module;  // "" : p11-kit's proxy
  std::string broker_endpoint;
  std::filesystem::path broker_public_key;  // the broker's curve.public
  std::filesystem::path root;               // the national root.pem
  std::filesystem::path broker_log_vkey;    // optional
  std::string http_listen = "127.0.0.1:0";
};

// Does the above; kAlreadyExists for DIR/agent.toml (or a key) present,
// kInvalidArgument / kInvalidField for a bad id, key reference or file,
// SigningKey::Open's errors for a token key. On success `out` says what to
// send to the operator and what to put back.
Status AgentInit(const AgentInitOptions& options, std::ostream& out);

// Adds `init` to the `agent` command group.
void AddAgentInitCommand(CLI::App& agent, std::ostream& out = std::cout,
                         std::ostream& err = std::cerr);

}  // namespace docbus
