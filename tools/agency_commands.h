// `docbus agency …`: the operator's commands on the agencies of a PKI
// folder. The group is made once by AddAgencyCommandGroup; each file adds
// its subcommands to it (this one `add`; the registry commands live in
// their own file). Exit codes as pki_commands.h.
//
//   docbus agency add --dir D --request REQ --name NAME [--agency ID]
//                     [--parent ID] [--alias A]... [--days N]
//                     [--cert-out FILE]
//
// `add` is `docbus pki issue --request` under the name an operator looks
// for: it verifies the agency's request, issues its certificate, registers
// its CURVE key, and says which file to send back (--cert-out, default
// D/agencies/<id>/cert.pem).
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>

namespace docbus {

// Adds the `agency` group to `app` and returns it.
CLI::App& AddAgencyCommandGroup(CLI::App& app);

// Adds `add` to the `agency` group. The streams must outlive `agency`.
void AddAgencyAddCommand(CLI::App& agency, std::ostream& out = std::cout,
                         std::ostream& err = std::cerr);

}  // namespace docbus
