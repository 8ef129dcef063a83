// BrokerOptions: everything the broker daemon is configured with, read from
// its TOML file (keys in bus/broker/README.md and common.md). Plain value
// type; ReadBrokerOptions is not thread-safe (Config is not).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "bus/core/clock.h"
#include "bus/core/config.h"
#include "bus/core/status.h"
#include "bus/store/store_backend.h"

namespace docbus::broker {

struct BrokerOptions {
  // [broker]
  std::string listen = "tcp://127.0.0.1:*";
  std::filesystem::path data_dir;
  std::filesystem::path curve_secret_key;  // file holding the Z85 secret
  // [store]: where the broker's state lives (bus/store/README.md).
  std::string store_backend = "sqlite";  // or "postgresql"
  std::string store_dsn;                 // libpq connection string
  // postgresql: how long an active broker that is not heard from keeps
  // the lease before a standby may take over (bus/store/leader_lease.h).
  int64_t lease_ms = 5000;
  // Not from the config file: a test's seam around the opened store (e.g. a
  // store::FaultyBrokerStore that fails a commit). Empty: the store as is.
  std::function<std::unique_ptr<store::BrokerStore>(
      std::unique_ptr<store::BrokerStore>)>
      wrap_store;
  // [pki]
  std::filesystem::path root_certificate;
  std::filesystem::path crl;
  std::filesystem::path registry;
  // registry.signed (bus/registry/FORMAT.md); when set, crl and registry
  // are unused and the broker follows this file by itself (no SIGHUP).
  std::filesystem::path signed_registry;
  // [audit]
  std::string origin;             // checkpoint origin of the broker log
  std::filesystem::path log_key;  // file holding the note signer key
  int64_t checkpoint_interval_ms = 1000;
  // [limits]
  // One wire frame: an unchunked document (attachments up to 1 MiB, larger
  // ones travel in chunks), a chunk, a notice. Bounds the memory a peer can
  // make the broker hold per frame.
  int64_t max_frame_bytes = int64_t{4} << 20;
  // A whole document's attachments, chunked or not.
  int64_t max_document_bytes = int64_t{4} << 30;
  int64_t max_attachments = 64;
  int64_t max_attachment_bytes = int64_t{2} << 30;
  int64_t max_subject_bytes = 2000;
  // Below this many free bytes on the data folder's file system, Submit and
  // UploadChunk are refused resource_exhausted (bus/core/disk_space.h);
  // 0 = no check.
  int64_t min_free_bytes = int64_t{256} << 20;
  // [delivery]
  int64_t default_expiry_s = 7 * 24 * 3600;
  int64_t retransmit_ms = 5000;
  int64_t credit_count_max = 1000;  // cap on an agency's outstanding credit
  // [http]
  std::string http_listen = "127.0.0.1:0";  // "" = no HTTP listener
  // [log]
  std::string log_level = "info";
  std::string log_format = "text";  // log.format: "text" or "json" lines

  // Tuning, not in the config file.
  size_t max_frames_per_turn = 512;
  // Received frames' bytes per turn (at least one frame is taken).
  int64_t max_bytes_per_turn = int64_t{64} << 20;
  int64_t expiry_interval_ms = 1000;
  int64_t snapshot_interval_ms = 1000;
  int verify_threads = 1;  // extra threads verifying signatures of a turn
};

// Reads every broker key from `config`, applying defaults and bounds. The
// caller then calls config.Finish(), which reports the first problem naming
// its key (missing, wrong type, out of range, unknown).
BrokerOptions ReadBrokerOptions(Config& config);

// Checks what types and bounds cannot (e.g. a usable log level, a valid
// audit origin); kInvalidArgument naming the key.
Status ValidateBrokerOptions(const BrokerOptions& options);

// The store (and lease) the options select; `clock` for the store's
// reconnect backoff (nullptr: the real one).
store::StoreSelection StoreSelectionOf(const BrokerOptions& options,
                                       const Clock* clock);

}  // namespace docbus::broker
