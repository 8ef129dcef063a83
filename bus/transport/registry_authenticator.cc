#include "bus/transport/registry_authenticator.h"

namespace docbus::transport {

Authenticator RegistryAuthenticator(
    std::shared_ptr<const registry::AgencyRegistry> registry) {
  return
      [registry = std::move(registry)](std::string_view key, std::string_view) {
        const registry::Agency* agency = registry->FindByCurveKey(key);
        if (agency == nullptr)
          return ZapDecision{false, "", "unknown CURVE key"};
        if (agency->revoked) return ZapDecision{false, "", "agency revoked"};
        if (agency->disabled) return ZapDecision{false, "", "agency disabled"};
        return ZapDecision{true, agency->id, ""};
      };
}

}  // namespace docbus::transport
