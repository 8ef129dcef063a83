#include "bus/transport/routing_id.h"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

namespace docbus::transport {

std::string NewRoutingId() {
  std::string id(kRoutingIdBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(id.data()),
                 static_cast<int>(id.size())) != 1) {
    std::fprintf(stderr,
                 "docbus: the CSPRNG failed; cannot choose a routing id\n");
    std::abort();
  }
  if (id[0] == '\0') id[0] = '\x01';
  return id;
}

bool IsAgentRoutingId(std::string_view routing_id) {
  return routing_id.size() == kRoutingIdBytes && routing_id[0] != '\0';
}

}  // namespace docbus::transport
