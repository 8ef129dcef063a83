// `docbus agency list | show | disable | enable | revoke | rotate`: the
// operator's view and changes of the agency registry in a PKI folder. Each
// change publishes a new registry.signed (certs/registry_publication.h),
// which a running broker applies and pushes to every agent by itself.
#pragma once

#include <CLI/CLI.hpp>

namespace docbus {

// Adds the subcommands to the `agency` command group.
void AddAgencyRegistryCommands(CLI::App& agency);

}  // namespace docbus
