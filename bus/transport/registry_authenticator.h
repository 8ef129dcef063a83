// The broker's ZAP decision: a CURVE key the agency registry knows, for an
// agency it has not revoked, is let in as that agency; any other is refused.
#pragma once

#include <memory>

#include "bus/registry/agency_registry.h"
#include "bus/transport/zap_handler.h"

namespace docbus::transport {

Authenticator RegistryAuthenticator(
    std::shared_ptr<const registry::AgencyRegistry> registry);

}  // namespace docbus::transport
