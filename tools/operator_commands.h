// `docbus status`: what an operator sees at a glance — the broker's view of
// connected agencies, queues, late and failed deliveries.
#pragma once

#include <CLI/CLI.hpp>

namespace docbus {

void AddOperatorCommands(CLI::App& app);

}  // namespace docbus
