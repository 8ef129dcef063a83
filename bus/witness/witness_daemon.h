// WitnessDaemon: docbus-witness put together from its options: the key file
// read, the store opened in data_dir/witness.db, the Witness and its HTTP
// server started. main.cc only parses flags and config.
//
// Thread-safety: Start and the destructor from one thread.
#pragma once

#include <memory>

#include "bus/core/clock.h"
#include "bus/core/metrics.h"
#include "bus/witness/witness.h"
#include "bus/witness/witness_http.h"
#include "bus/witness/witness_options.h"
#include "bus/witness/witness_store.h"

namespace docbus::witness {

class WitnessDaemon {
 public:
  // kInvalidArgument for a key file that is not a cosigner key or that
  // others may read (the message never holds the key); kIoError for a data
  // folder or store that cannot be opened; kUnavailable when the listen
  // address cannot be bound. Logs "serving on <url>" once ready.
  static Result<std::unique_ptr<WitnessDaemon>> Start(
      const WitnessOptions& options, const Clock& clock);

  const std::string& url() const { return http_->url(); }

 private:
  WitnessDaemon() = default;
  Metrics metrics_;
  std::unique_ptr<WitnessStore> store_;
  std::unique_ptr<Witness> witness_;
  std::unique_ptr<WitnessHttp> http_;  // last: stopped first
};

}  // namespace docbus::witness
