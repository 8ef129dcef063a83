#include "bus/transport/connection_tracker.h"

namespace docbus::transport {
namespace {

ConnectionId Pack(int fd, uint32_t generation) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(fd)) << 32) | generation;
}

}  // namespace

void ConnectionTracker::OnAccepted(int fd) {
  Descriptor& d = descriptors_[fd];
  d.accepted = d.generation;
}

void ConnectionTracker::OnDisconnected(int fd) {
  Descriptor& d = descriptors_[fd];
  // Only an accepted connection ends a generation: a DISCONNECTED repeated
  // for one connection must not make its successor look closed in advance.
  if (d.accepted == static_cast<int64_t>(d.generation)) ++d.generation;
}

ConnectionId ConnectionTracker::Attribute(int fd) const {
  auto it = descriptors_.find(fd);
  if (fd < 0 || it == descriptors_.end()) return kNoConnection;
  const Descriptor& d = it->second;
  if (d.accepted != static_cast<int64_t>(d.generation)) return kNoConnection;
  return Pack(fd, d.generation);
}

bool ConnectionTracker::IsOpen(ConnectionId connection) const {
  if (connection == kNoConnection) return false;
  const int fd = static_cast<int>(connection >> 32);
  auto it = descriptors_.find(fd);
  if (it == descriptors_.end()) return false;
  const Descriptor& d = it->second;
  return Pack(fd, d.generation) == connection &&
         d.accepted == static_cast<int64_t>(d.generation);
}

}  // namespace docbus::transport
