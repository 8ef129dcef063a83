#include "bus/broker/registry_publisher.h"

#include <sys/stat.h>

#include "bus/broker/broker_metrics.h"
#include "bus/core/files.h"
#include "bus/core/log.h"

namespace docbus::broker {
namespace {

constexpr int64_t kCheckIntervalMs = 1000;

}  // namespace

RegistryPublisher::RegistryPublisher(
    std::filesystem::path file, std::filesystem::path copy,
    std::shared_ptr<const crypto::Certificate> root, Metrics& metrics)
    : file_(std::move(file)),
      copy_(std::move(copy)),
      root_(std::move(root)),
      metrics_(metrics),
      log_(ComponentLogger("broker")) {}

Result<std::unique_ptr<RegistryPublisher>> RegistryPublisher::Open(
    const std::filesystem::path& file,
    const std::filesystem::path& root_certificate,
    const std::filesystem::path& data_dir, Metrics& metrics) {
  auto root = crypto::Certificate::FromFile(root_certificate);
  if (!root.ok()) return root.status().Prefixed("pki.root_certificate");
  std::unique_ptr<RegistryPublisher> p(new RegistryPublisher(
      file, data_dir / "registry.signed", std::move(root).value(), metrics));
  p->seen_stamp_ = p->Stamp();
  auto start =
      registry::ChooseStartingRegistry(file, p->copy_, *p->root_);
  if (!start.ok()) return start.status().Prefixed("pki.signed_registry");
  for (const std::string& problem : start->problems) p->log_->error("{}", problem);
  if (start->configured_refused_as_stale) {
    p->metrics_.Add(metric::kRegistryRefused, Label("reason", "stale"));
  }
  p->initial_ = std::move(start->registry);
  p->previous_ = std::move(start->kept);
  return p;
}

std::string RegistryPublisher::Stamp() const {
  struct stat st {};
  if (::stat(file_.c_str(), &st) != 0) return "missing";
  return std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) +
         "." + std::to_string(st.st_mtim.tv_nsec) + ":" +
         std::to_string(st.st_ino);
}

std::optional<registry::VerifiedRegistry> RegistryPublisher::Poll(
    int64_t now_ms) {
  if (now_ms < next_check_ms_) return std::nullopt;
  next_check_ms_ = now_ms + kCheckIntervalMs;
  std::string stamp = Stamp();
  if (stamp == seen_stamp_) return std::nullopt;
  seen_stamp_ = std::move(stamp);
  auto bytes = ReadFileLimited(file_, registry::kMaxSignedRegistryBytes);
  if (!bytes.ok()) {
    Refuse(bytes.status().code() == Code::kTooLarge ? "malformed" : "io",
           bytes.status());
    return std::nullopt;
  }
  if (bytes_ && *bytes == *bytes_) return std::nullopt;  // touched, same
  auto verified = registry::VerifySignedRegistry(*bytes, *root_, serial_);
  if (!verified.ok()) {
    Refuse(registry::RefusalReason(verified.status()), verified.status());
    return std::nullopt;
  }
  return std::move(verified).value();
}

void RegistryPublisher::Accepted(const registry::VerifiedRegistry& registry) {
  serial_ = registry.serial;
  bytes_ = std::make_shared<const std::string>(registry.signed_bytes);
  metrics_.Set(metric::kRegistrySerial, "", static_cast<double>(serial_));
  if (Status s = WriteFileAtomically(copy_, registry.signed_bytes, 0644);
      !s.ok()) {
    log_->error("cannot keep the signed registry in the data folder: {}",
                s.ToString());
  }
}

void RegistryPublisher::Refused(const registry::VerifiedRegistry& registry,
                                const Status& why) {
  Refuse("not_applicable",
         why.Prefixed("serial " + std::to_string(registry.serial)));
}

void RegistryPublisher::Refuse(std::string_view reason, const Status& why) {
  metrics_.Add(metric::kRegistryRefused, Label("reason", reason));
  log_->error(
      "signed registry refused reason={} file={}: {}; serial {} stays in "
      "force",
      reason, file_.string(), why.ToString(), serial_);
}

}  // namespace docbus::broker
