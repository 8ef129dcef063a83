#include "agents/registry_follower.h"

#include <algorithm>

#include "agents/agent_metrics.h"
#include "bus/core/files.h"
#include "bus/core/log.h"
#include "bus/crypto/sha256.h"

namespace docbus::agent {
namespace {

constexpr size_t kRememberedRefusals = 16;

}  // namespace

RegistryFollower::RegistryFollower(crypto::NationalPki& pki,
                                   std::filesystem::path copy,
                                   std::string agency_id, Metrics& metrics)
    : pki_(pki),
      copy_(std::move(copy)),
      agency_id_(std::move(agency_id)),
      metrics_(metrics),
      log_(ComponentLogger("agent")) {}

Result<RegistryFollower::Started> RegistryFollower::Start(
    const std::filesystem::path& configured,
    const std::filesystem::path& root_certificate,
    const std::filesystem::path& data_dir, std::string agency_id,
    const Clock& clock, Metrics& metrics) {
  auto root = crypto::Certificate::FromFile(root_certificate);
  if (!root.ok()) return root.status().Prefixed("pki.root_certificate");
  const std::filesystem::path copy = data_dir / "registry.signed";
  auto start = registry::ChooseStartingRegistry(configured, copy, **root);
  if (!start.ok()) return start.status().Prefixed("pki.signed_registry");
  Started out;
  DOCBUS_ASSIGN_OR_RETURN(
      out.pki, crypto::NationalPki::FromRegistry(
                   root_certificate, start->registry.agencies,
                   start->registry.crl_pem, clock));
  out.follower.reset(
      new RegistryFollower(*out.pki, copy, std::move(agency_id), metrics));
  for (const std::string& problem : start->problems) {
    out.follower->log_->error("{} agency={}", problem, out.follower->agency_id_);
  }
  if (start->configured_refused_as_stale) {
    metrics.Add(metric::kRegistryRefused, Label("reason", "stale"));
  }
  out.follower->Accept(start->registry);
  return out;
}

Status RegistryFollower::Offer(std::string_view signed_bytes) {
  const std::string digest = crypto::Sha256(signed_bytes);
  if (digest == in_force_sha256_) return Status::Ok();
  if (std::find(refused_.begin(), refused_.end(), digest) != refused_.end()) {
    return Status(Code::kFailedPrecondition,
                  "this signed registry was refused before");
  }
  auto verified =
      registry::VerifySignedRegistry(signed_bytes, pki_.root(), serial());
  if (!verified.ok()) {
    return Refuse(registry::RefusalReason(verified.status()), digest,
                  verified.status());
  }
  if (Status s = pki_.Install(verified->agencies, verified->crl_pem);
      !s.ok()) {
    return Refuse("not_applicable", digest, s);
  }
  const uint64_t before = serial();
  Accept(*verified);
  const registry::Agency* self = verified->agencies->Find(agency_id_);
  log_->info("signed registry in force agency={} serial={} (was {}) "
             "agencies={}",
             agency_id_, verified->serial, before,
             verified->agencies->agencies().size());
  if (self == nullptr || !self->may_exchange()) {
    log_->warn("agency={} is {} in the new registry: the broker refuses it",
               agency_id_, self == nullptr ? "not listed" : self->state());
  }
  return Status::Ok();
}

void RegistryFollower::Accept(const registry::VerifiedRegistry& registry) {
  serial_ = registry.serial;
  in_force_sha256_ = registry.sha256;
  metrics_.Set(metric::kRegistrySerial, "",
               static_cast<double>(registry.serial));
  if (Status s = WriteFileAtomically(copy_, registry.signed_bytes, 0644);
      !s.ok()) {
    // In force now; a restart starts from the older copy and gets this one
    // from the broker again.
    log_->error("cannot keep the signed registry agency={}: {}", agency_id_,
                s.ToString());
  }
}

Status RegistryFollower::Refuse(std::string_view reason,
                                const std::string& digest, const Status& why) {
  refused_.push_back(digest);
  if (refused_.size() > kRememberedRefusals) refused_.pop_front();
  metrics_.Add(metric::kRegistryRefused, Label("reason", reason));
  log_->error(
      "signed registry refused agency={} reason={}: {}; serial {} stays in "
      "force",
      agency_id_, reason, why.ToString(), serial());
  return why;
}

}  // namespace docbus::agent
