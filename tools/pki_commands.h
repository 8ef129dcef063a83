// `docbus pki ...`: the operator's commands for the PKI folder, parsed with
// CLI11 and carried out by docbus_pki (certs/). These files only parse and
// call. Exit codes, raised as CLI::RuntimeError from the callbacks (the
// `docbus` main returns app.exit(e)): 0 ok, 1 failure, 2 usage (an invalid
// agency id, name, or argument). Results go to `out`, errors to `err`; no
// key material is ever printed.
//
//   docbus pki init           --dir D [--days N] [--backdate-days B]
//   docbus pki issue          --dir D --request REQ.pem --name NAME
//                             [--agency ID] [--parent ID] [--alias A]...
//                             [--days N] [--backdate-days B]
//   docbus pki issue          --dir D --agency ID --name NAME [--parent ID]
//                             [--days N] [--backdate-days B]   (test PKIs:
//                             the CA makes the agency's keys too)
//   docbus pki request        --agency ID (--key FILE|pkcs11:URI |
//                             --new-key FILE) [--pkcs11-module SO]
//                             --curve-public FILE --out REQ.pem
//   docbus pki broker         --dir D [--days N] [--backdate-days B]
//   docbus pki revoke         --dir D --agency ID
//   docbus pki crl            --dir D [--days N]
//   docbus pki curve-keygen   --out DIR
//   docbus pki enroll-request --key K --cert C --curve-public FILE [--out FILE]
//   docbus pki enroll         --dir D --request FILE
//
// A new certificate starts pki::kClockSkewSeconds (5 minutes) before now;
// --backdate-days B (init, issue, broker) starts it B days before now
// instead, for tests whose clocks stand earlier than the real date.
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>

namespace docbus {

// Adds the `pki` subcommand and its subcommands to `app`. The streams must
// outlive `app`.
void AddPkiCommands(CLI::App& app, std::ostream& out = std::cout,
                    std::ostream& err = std::cerr);

}  // namespace docbus
