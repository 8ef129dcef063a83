// `docbus pki ...`: the operator's commands for the PKI folder, parsed with
// CLI11 and carried out by docbus_pki (certs/). These files only parse and
// call. Exit codes, raised as CLI::RuntimeError from the callbacks (the
// `docbus` main returns app.exit(e)): 0 ok, 1 failure, 2 usage (an invalid
// agency id, name, or argument). Results go to `out`, errors to `err`; no
// key material is ever printed.
//
//   docbus pki init          --dir D [--days N]
//   docbus pki issue         --dir D --agency ID --name NAME [--parent ID]
//   [--days N] docbus pki broker        --dir D [--days N] docbus pki revoke
//   --dir D --agency ID docbus pki crl           --dir D [--days N] docbus pki
//   curve-keygen  --out DIR docbus pki enroll-request --key K --cert C
//   --curve-public FILE [--out FILE] docbus pki enroll        --dir D --request
//   FILE
//
// --backdate-days (init, issue, broker) sets how long before now a new
// certificate starts to be valid (default certs/authority.h
// kDefaultBackdateDays).
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>

namespace docbus {

// Adds the `pki` subcommand and its subcommands to `app`. The streams must
// outlive `app`.
void AddPkiCommands(CLI::App& app, std::ostream& out = std::cout,
                    std::ostream& err = std::cerr);

}  // namespace docbus
