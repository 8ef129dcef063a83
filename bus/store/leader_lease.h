// LeaderLease: the right to be the one active broker of a shared store.
// Several brokers may run on one database; exactly one holds the lease and
// writes, the others wait as standbys. Holding it gives an epoch, a number
// that grows with every change of holder; the store opened with that epoch
// refuses every transaction once the epoch has moved on (kFenced), so a
// broker that was paused or cut off and lost the lease can never commit
// again, whatever its own clocks say. (A store of one machine, SQLite, has
// no lease: its data folder's lock keeps a second broker out.)
//
// Thread-safety: TryAcquire, Release and the destructor from one thread;
// held() and holder() from any.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bus/core/status.h"

namespace docbus::store {

class LeaderLease {
 public:
  virtual ~LeaderLease() = default;

  // Tries once to become the holder. The new epoch when this broker now
  // holds the lease; nullopt while another broker holds it; kUnavailable
  // when the database cannot be reached. Call only while not held.
  virtual Result<std::optional<int64_t>> TryAcquire() = 0;
  // True while the lease is held and was confirmed recently enough that no
  // other broker can have taken it yet. False from the moment that cannot be
  // known (the database unreachable, this process paused): the broker stops
  // sending and steps down.
  virtual bool held() const = 0;
  // Gives the lease up (stepping down, stopping); a standby may take it at
  // once. Idempotent.
  virtual void Release() = 0;
  // Who held the lease when it was last looked at ("" before that), as
  // brokers name themselves to it.
  virtual std::string holder() const = 0;
};

}  // namespace docbus::store
