// Agent: a running agency agent, the implementation of AgentService. It
// loads the agency's keys and the national PKI (the registry and the CRL
// again on ReloadPki), opens the store, and runs the protocol loop
// (AgentLoop) on its own thread. Submit and ReportStatus validate and sign
// on the caller's thread, then hand the signed entry to the loop and return
// once the loop's group commit made it durable. Views are read on a
// separate read-only connection.
//
// Thread-safety: every AgentService call and ReloadPki from any thread; Stop
// from the owning thread.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "agents/agent_limits.h"
#include "agents/agent_loop.h"
#include "agents/agent_service.h"
#include "agents/agent_store_reader.h"
#include "agents/answer_watch.h"
#include "agents/document_builder.h"
#include "agents/submission_queue.h"
#include "bus/audit/witness_policy.h"
#include "bus/core/clock.h"
#include "bus/core/disk_space.h"
#include "bus/core/folder_lock.h"
#include "bus/crypto/national_pki.h"
#include "bus/crypto/signer.h"

namespace docbus::agent {

// Everything an agent needs, already read from its config (agent_config.h).
struct AgentOptions {
  std::string agency_id;
  std::filesystem::path data_dir;
  std::string broker_endpoint;
  std::string broker_public_key;                   // Z85
  std::string curve_public_key;                    // Z85, this agency's
  std::string curve_secret_key;                    // Z85
  // signing_key: a PEM file or a pkcs11: URI (keys.pkcs11_module's module,
  // p11-kit's proxy when empty); certificate: a PEM file.
  std::filesystem::path signing_key, certificate;
  std::string pkcs11_module;
  std::filesystem::path root_certificate, crl, registry;
  // pki.signed_registry: when set, crl and registry are not read; the
  // agent follows the signed registry the broker publishes.
  std::filesystem::path signed_registry;
  std::string broker_log_vkey;  // note verifier key text
  // audit.witness_policy: when set, a broker checkpoint is accepted only
  // with k of n witness cosignatures; unset, no cosignature is required.
  std::optional<audit::WitnessPolicy> witness_policy;
  // agency.time_zone: the tz database zone of the agency's calendar.
  std::string time_zone = document::kDefaultTimeZone;
  AgentLimits limits;
  LoopOptions loop;
};

class Agent final : public AgentService {
 public:
  // Loads and checks everything (the certificate must name agency_id), opens
  // the store, starts the loop (it connects in the background). Errors name
  // what failed: kInvalidArgument for a key or certificate problem, kIoError
  // for the data folder.
  static Result<std::unique_ptr<Agent>> Start(const AgentOptions& options,
                                              const Clock& clock);
  // Stops (see Stop).
  ~Agent() override;

  // Refuses new submissions (kUnavailable), lets the loop finish its turn,
  // publishes the own log's checkpoint and closes the connection.
  // Idempotent.
  void Stop();
  // Reads the registry and the CRL again (NationalPki::Reload), logs and counts
  // the result; on failure the ones in force stay.
  Status ReloadPki();
  // Wakes the loop, e.g. after a FakeClock moved.
  void Wake() { queue_->Wake(); }
  const std::filesystem::path& data_dir() const { return options_.data_dir; }
  // Whether the loop has a session with the broker; valid until Stop.
  const BrokerConnectivity& connectivity() const {
    return loop_->connectivity();
  }
  // The broker's checkpoints as the agent judged them; valid until Stop.
  const BrokerAuditStatus& broker_audit() const {
    return loop_->broker_audit();
  }

  Result<std::string> Submit(DocumentRequest request) override;
  Result<std::unique_ptr<OutboxFiles::Writer>> BeginAttachment() override;
  Result<std::string> ReportStatus(std::string_view message_id,
                                   v1::StatusCode code, std::string description,
                                   std::string to = "") override;
  Result<OutgoingView> Outgoing(std::string_view message_id) override;
  Result<OutgoingView> AwaitAnswer(std::string_view message_id,
                                   std::chrono::milliseconds wait) override;
  Result<std::vector<OutgoingView>> ListOutgoing(int64_t limit) override;
  Result<std::vector<IncomingSummary>> ListIncoming(int64_t after_seq,
                                                    int64_t limit) override;
  Result<std::vector<IncomingSummary>> ListInbox(
      const InboxQuery& query) override;
  Result<IncomingDocument> Incoming(std::string_view message_id) override;
  Result<std::vector<StatusView>> ListStatusesReceived(int64_t after_seq,
                                                       int64_t limit) override;
  const std::string& agency_id() const override { return options_.agency_id; }
  Metrics& metrics() override { return metrics_; }
  // The edXML bridge's lookups (agent_lookups.cc).
  Result<AgencyName> ResolveAgency(std::string_view id_or_alias) override;
  Result<std::string> SubmittedWithKey(std::string_view key) override;
  Result<std::string> FindIncoming(std::string_view sender,
                                   std::string_view document_id) override;
  Result<std::string> FindSent(std::string_view document_id) override;
  Result<v1::StatusBody> StatusReceived(std::string_view status_id) override;
  const document::TimeZone& time_zone() const override { return *zone_; }

 private:
  explicit Agent(AgentOptions options);
  Result<std::string> Enqueue(OutboxEntry entry,
                              std::optional<StatusEntry> status);
  Status Refused(const Status& why, std::string_view what);
  // The expiry dates of the PKI in force, as gauges (at start and reload).
  void PublishPkiValidity();
  // Removes outbox files no pending document needs, older than an upload's
  // lifetime; at most once an hour (from BeginAttachment and at start).
  void SweepOutboxFiles();

  // Declared first: destroyed last, after every socket.
  zmq::context_t zmq_context_{1};
  AgentOptions options_;
  Metrics metrics_;
  std::shared_ptr<spdlog::logger> logger_;
  std::optional<FolderLock> data_lock_;  // held while the agent runs
  std::unique_ptr<crypto::NationalPki> pki_;
  std::unique_ptr<RegistryFollower> registry_follower_;
  std::unique_ptr<crypto::Signer> signer_;
  std::unique_ptr<OutboxFiles> outbox_files_;
  std::unique_ptr<DocumentBuilder> builder_;
  std::unique_ptr<SubmissionQueue> queue_;
  AnswerWatch answers_;  // callers waiting for the broker's answer
  std::unique_ptr<DiskSpace> disk_;  // the data folder's room for new work
  std::unique_ptr<AgentLoop> loop_;
  std::unique_ptr<AgentStoreReader> reader_;
  std::thread thread_;
  std::once_flag stopped_;
  std::optional<document::TimeZone> zone_;  // set by Start
  // Held by a Submit with an idempotency key from its lookup to its commit,
  // so two retries of one submission store it once.
  std::mutex keyed_submit_mu_;
  std::mutex sweep_mu_;
  int64_t next_sweep_ms_ = 0;  // guarded by sweep_mu_
  const Clock* clock_ = nullptr;  // set by Start
};

}  // namespace docbus::agent
