#include "bus/broker/broker_options.h"

#include <spdlog/common.h>

#include "bus/audit/note_signer.h"
#include "bus/store/store_backend.h"

namespace docbus::broker {

BrokerOptions ReadBrokerOptions(Config& config) {
  BrokerOptions o;
  constexpr int64_t kMiB = int64_t{1} << 20;
  o.listen = config.String("broker.listen", o.listen);
  o.data_dir = config.RequiredPath("broker.data_dir");
  o.curve_secret_key = config.RequiredPath("broker.curve_secret_key");
  o.store_backend = config.String("store.backend", o.store_backend);
  o.store_dsn = config.String("store.dsn", o.store_dsn);
  o.lease_ms = config.Int("store.lease_ms", o.lease_ms, 1000, 600'000);
  o.root_certificate = config.RequiredPath("pki.root_certificate");
  // A signed registry carries the agencies and the CRL; the two files are
  // then not read.
  o.signed_registry = config.Path("pki.signed_registry", "");
  if (o.signed_registry.empty()) {
    o.crl = config.RequiredPath("pki.crl");
    o.registry = config.RequiredPath("pki.registry");
  }
  o.origin = config.RequiredString("audit.origin");
  o.log_key = config.RequiredPath("audit.log_key");
  o.checkpoint_interval_ms = config.Int(
      "audit.checkpoint_interval_ms", o.checkpoint_interval_ms, 10, 3'600'000);
  // A frame must hold a chunk (kChunkBytes) with its envelope.
  o.max_frame_bytes = config.Int("limits.max_frame_bytes", o.max_frame_bytes,
                                 2 * kMiB, 1024 * kMiB);
  o.max_document_bytes = config.Int("limits.max_document_bytes",
                                    o.max_document_bytes, 1,
                                    1024 * 1024 * kMiB);
  o.max_attachments =
      config.Int("limits.max_attachments", o.max_attachments, 0, 10'000);
  o.max_attachment_bytes = config.Int("limits.max_attachment_bytes",
                                      o.max_attachment_bytes, 1,
                                      1024 * 1024 * kMiB);
  o.max_subject_bytes =
      config.Int("limits.max_subject_bytes", o.max_subject_bytes, 1, 1 << 20);
  o.min_free_bytes = config.Int("limits.min_free_bytes", o.min_free_bytes, 0,
                                int64_t{1} << 50);
  o.default_expiry_s =
      config.Int("delivery.default_expiry_s", o.default_expiry_s, 1,
                 int64_t{10} * 365 * 24 * 3600);
  o.retransmit_ms =
      config.Int("delivery.retransmit_ms", o.retransmit_ms, 10, 3'600'000);
  o.credit_count_max =
      config.Int("delivery.credit_count_max", o.credit_count_max, 1, 1'000'000);
  o.http_listen = config.String("http.listen", o.http_listen);
  o.log_level = config.String("log.level", o.log_level);
  o.log_format = config.String("log.format", o.log_format);
  return o;
}

Status ValidateBrokerOptions(const BrokerOptions& o) {
  auto bad = [](std::string_view key, std::string why) {
    return Status(Code::kInvalidArgument,
                  "key '" + std::string(key) + "': " + why);
  };
  if (o.listen.empty()) return bad("broker.listen", "must not be empty");
  DOCBUS_RETURN_IF_ERROR(
      store::ValidateStoreSelection(StoreSelectionOf(o, nullptr)));
  if (!audit::IsValidNoteKeyName(o.origin)) {
    return bad("audit.origin",
               "must be a non-empty log origin without spaces or '+'");
  }
  const auto level = spdlog::level::from_str(o.log_level);
  if (level == spdlog::level::off && o.log_level != "off") {
    return bad("log.level",
               "unknown level '" + o.log_level +
                   "' (trace, debug, info, warn, error, critical, off)");
  }
  if (o.log_format != "text" && o.log_format != "json") {
    return bad("log.format",
               "unknown format '" + o.log_format + "' (text, json)");
  }
  if (!o.http_listen.empty() && o.http_listen.rfind(':') == std::string::npos) {
    return bad("http.listen", "must be host:port, e.g. 127.0.0.1:0");
  }
  if (o.max_attachment_bytes > o.max_document_bytes) {
    return bad("limits.max_attachment_bytes",
               "must not exceed limits.max_document_bytes");
  }
  return Status::Ok();
}

store::StoreSelection StoreSelectionOf(const BrokerOptions& o,
                                       const Clock* clock) {
  store::StoreSelection selection;
  selection.backend = o.store_backend;
  selection.data_dir = o.data_dir;
  selection.dsn = o.store_dsn;
  selection.clock = clock;
  selection.lease_ms = o.lease_ms;
  return selection;
}

}  // namespace docbus::broker
