#include "agents/agent.h"

#include <pthread.h>

#include <algorithm>

#include "agents/agent_metrics.h"
#include "bus/audit/note_verifier.h"
#include "bus/core/chunks.h"
#include "bus/core/crash_point.h"
#include "bus/core/ids.h"
#include "bus/core/log.h"

namespace docbus::agent {
namespace {

// How often, at most, the outbox files are swept.
constexpr int64_t kSweepIntervalMs = int64_t{3600} * 1000;

}  // namespace

Agent::Agent(AgentOptions options)
    : options_(std::move(options)), logger_(ComponentLogger("agent")) {
  metric::DescribeAgentMetrics(metrics_);
}

Agent::~Agent() { Stop(); }

Result<std::unique_ptr<Agent>> Agent::Start(const AgentOptions& options,
                                            const Clock& clock) {
  DOCBUS_RETURN_IF_ERROR(
      ValidateAgencyId(options.agency_id).Prefixed("agent.agency_id"));
  std::unique_ptr<Agent> agent(new Agent(options));
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return Status(Code::kIoError, "agent.data_dir: cannot create " +
                                      options.data_dir.string() + ": " +
                                      ec.message());
  }
  // One agent per data folder: a second one would send the same outbox and
  // take the same deliveries; it is refused, naming the first one's pid.
  Result<FolderLock> lock = FolderLock::TryAcquire(options.data_dir / "lock");
  if (!lock.ok()) return lock.status().Prefixed("agent.data_dir");
  agent->data_lock_.emplace(std::move(lock).value());

  if (options.signed_registry.empty()) {
    DOCBUS_ASSIGN_OR_RETURN(
        agent->pki_,
        crypto::NationalPki::Load(
            {options.root_certificate, options.crl, options.registry}, clock));
  } else {
    DOCBUS_ASSIGN_OR_RETURN(
        RegistryFollower::Started started,
        RegistryFollower::Start(options.signed_registry,
                                options.root_certificate, options.data_dir,
                                options.agency_id, clock, agent->metrics_));
    agent->pki_ = std::move(started.pki);
    agent->registry_follower_ = std::move(started.follower);
  }
  agent->PublishPkiValidity();
  Result<std::unique_ptr<crypto::Signer>> signer = crypto::Signer::Open(
      options.signing_key.string(), options.certificate, options.pkcs11_module);
  if (!signer.ok())
    return signer.status().Prefixed("keys.signing_key/keys.certificate");
  agent->signer_ = std::move(signer).value();
  if (agent->signer_->agency_id() != options.agency_id) {
    return Status(Code::kInvalidArgument,
                  "keys.certificate: the certificate is for '" +
                      agent->signer_->agency_id() + "', not agent.agency_id '" +
                      options.agency_id + "'");
  }
  const std::shared_ptr<const registry::AgencyRegistry> registry =
      agent->pki_->registry();
  const registry::Agency* self = registry->Find(options.agency_id);
  if (self == nullptr) {
    return Status(
        Code::kInvalidArgument,
        "agent.agency_id: " + options.agency_id +
            " is not in the registry (pki.registry / pki.signed_registry)");
  }
  if (self->curve_public_key != options.curve_public_key) {
    agent->logger_->warn(
        "keys.curve_public_key differs from the registry's key for agency={}: "
        "the broker "
        "will refuse the connection until it is enrolled",
        options.agency_id);
  }
  Result<audit::NoteVerifier> vkey =
      audit::NoteVerifier::FromVerifierKey(options.broker_log_vkey);
  if (!vkey.ok()) return vkey.status().Prefixed("audit.broker_log_vkey");

  Result<document::TimeZone> zone = document::TimeZone::Load(options.time_zone);
  if (!zone.ok()) return zone.status().Prefixed("agency.time_zone");
  agent->zone_.emplace(*zone);
  agent->clock_ = &clock;
  agent->outbox_files_ = std::make_unique<OutboxFiles>(options.data_dir);
  agent->builder_ = std::make_unique<DocumentBuilder>(
      options.agency_id, *agent->signer_, *agent->pki_, clock, options.limits,
      std::move(zone).value(), agent->outbox_files_.get());
  DOCBUS_ASSIGN_OR_RETURN(agent->queue_, SubmissionQueue::Create());
  agent->disk_ = std::make_unique<DiskSpace>(
      options.data_dir, options.limits.min_free_bytes, clock, agent->logger_);

  transport::AgentSocketOptions socket_options;
  socket_options.endpoint = options.broker_endpoint;
  socket_options.broker_public_z85 = options.broker_public_key;
  socket_options.public_z85 = options.curve_public_key;
  socket_options.secret_z85 = options.curve_secret_key;
  socket_options.max_message_bytes = kMaxInboundFrameBytes;
  LoopDeps deps{options.agency_id,
                options.data_dir,
                *agent->pki_,
                *agent->signer_,
                clock,
                agent->metrics_,
                options.limits,
                options.loop,
                *agent->queue_,
                std::move(vkey).value(),
                agent->disk_.get(),
                agent->registry_follower_.get(),
                &agent->answers_,
                options.witness_policy};
  DOCBUS_ASSIGN_OR_RETURN(
      agent->loop_,
      AgentLoop::Create(std::move(deps), agent->zmq_context_, socket_options));
  DOCBUS_ASSIGN_OR_RETURN(agent->reader_,
                          AgentStoreReader::Open(options.data_dir));
  AgentLoop* loop = agent->loop_.get();
  agent->thread_ = std::thread([loop, logger = agent->logger_] {
    pthread_setname_np(pthread_self(), "agent-loop");
    Status s = loop->Run();
    if (!s.ok()) logger->critical("agent loop ended: {}", s.ToString());
  });
  agent->SweepOutboxFiles();
  agent->logger_->info("agent started agency={} data_dir={} broker={}",
                       options.agency_id, options.data_dir.string(),
                       options.broker_endpoint);
  return agent;
}

void Agent::Stop() {
  std::call_once(stopped_, [this] {
    if (queue_)
      queue_->Close(Status(Code::kUnavailable, "the agent is stopping"));
    if (loop_) loop_->RequestStop();
    if (thread_.joinable()) thread_.join();
    loop_.reset();  // closes the socket on this thread, after the loop ended
    data_lock_.reset();  // the store is closed: the folder is free again
  });
}

Status Agent::ReloadPki() {
  if (registry_follower_) {
    logger_->info(
        "SIGHUP ignored agency={}: the agent follows the signed registry "
        "(serial {}) the broker publishes",
        options_.agency_id, registry_follower_->serial());
    return Status::Ok();
  }
  Status s = pki_->Reload();
  metrics_.Add(metric::kPkiReloads, Label("result", s.ok() ? "ok" : "failed"));
  if (!s.ok()) {
    logger_->error(
        "reloading the registry and the CRL failed, keeping the current "
        "ones: {}",
        s.ToString());
    return s;
  }
  PublishPkiValidity();
  const std::shared_ptr<const registry::AgencyRegistry> registry =
      pki_->registry();
  const registry::Agency* self = registry->Find(options_.agency_id);
  logger_->info("registry and CRL reloaded agencies={}",
                registry->agencies().size());
  if (self == nullptr || !self->may_exchange()) {
    logger_->warn(
        "agency={} is {} in the new registry: the broker will refuse it",
        options_.agency_id, self == nullptr ? "not listed" : self->state());
  }
  return s;
}

void Agent::PublishPkiValidity() {
  const crypto::PkiValidity v = pki_->validity();
  metrics_.Set(metric::kCertificateNotAfter, Label("subject", "national root"),
               static_cast<double>(v.root_not_after));
  metrics_.Set(metric::kCrlNextUpdate, "",
               static_cast<double>(v.crl_next_update));
  for (const auto& [agency, not_after] : v.agencies) {
    if (agency != options_.agency_id) continue;
    metrics_.Set(metric::kCertificateNotAfter, Label("subject", agency),
                 static_cast<double>(not_after));
  }
}

Status Agent::Refused(const Status& why, std::string_view what) {
  metrics_.Add(metric::kSubmitRefused, Label("reason", CodeName(why.code())));
  logger_->info("{} refused agency={}: {}", what, options_.agency_id,
                why.ToString());
  return why;
}

Result<std::string> Agent::Enqueue(OutboxEntry entry,
                                   std::optional<StatusEntry> status) {
  std::string id = entry.message_id;
  Status stored = queue_->Push(std::move(entry), std::move(status)).get();
  if (!stored.ok()) return stored;
  return id;
}

Result<std::unique_ptr<OutboxFiles::Writer>> Agent::BeginAttachment() {
  SweepOutboxFiles();
  if (Status room = disk_->CheckRoom(); !room.ok()) {
    metrics_.Add(metric::kDiskRefusals);
    metrics_.Set(metric::kDiskExhausted, "", 1);
    return room;
  }
  return outbox_files_->Begin(
      static_cast<uint64_t>(options_.limits.max_attachment_bytes),
      "limits.max_attachment_bytes");
}

void Agent::SweepOutboxFiles() {
  std::lock_guard lock(sweep_mu_);
  const Clock& clock = *clock_;
  const int64_t now = clock.MonotonicMillis();
  if (now < next_sweep_ms_) return;
  next_sweep_ms_ = now + kSweepIntervalMs;
  Result<std::set<std::string>> needed = reader_->PendingAttachmentFiles();
  if (!needed.ok()) {
    logger_->warn("outbox files not swept: {}", needed.status().ToString());
    return;
  }
  const int removed = outbox_files_->Sweep(
      *needed, (clock.NowUnixMillis() - kUploadLifetimeMs) / 1000);
  if (removed > 0) {
    logger_->info("outbox files swept: {} no longer needed", removed);
  }
}

Result<std::string> Agent::Submit(DocumentRequest request) {
  std::unique_lock<std::mutex> keyed;
  if (!request.idempotency_key.empty()) {
    keyed = std::unique_lock(keyed_submit_mu_);
    Result<std::string> first =
        reader_->MessageIdForKey(request.idempotency_key);
    if (first.ok()) {
      logger_->info("document retried agency={} message_id={}: answered",
                    options_.agency_id, *first);
      return first;
    }
    if (first.status().code() != Code::kNotFound) return first.status();
  }
  // New work only: a retry answered above, statuses, receipts and
  // deliveries go on while the disk is nearly full (they free space).
  if (Status room = disk_->CheckRoom(); !room.ok()) {
    metrics_.Add(metric::kDiskRefusals);
    metrics_.Set(metric::kDiskExhausted, "", 1);
    return room;  // DiskSpace logged entering the state, once
  }
  Result<OutboxEntry> entry = builder_->BuildDocument(std::move(request));
  if (!entry.ok()) return Refused(entry.status(), "document");
  Result<std::string> id = Enqueue(std::move(entry).value(), std::nullopt);
  // Durable in the outbox, its caller not answered yet: the crash tests'
  // "killed between commit and answer" (an idempotent retry must find it).
  if (id.ok()) CrashPoint("agent.submit_committed");
  return id;
}

namespace {

// The state machine's early refusal (the broker is the authority): Ok, or
// kInvalidTransition; a store failure is the store's.
Status CheckLifecycle(const Result<document::DocumentLifecycle>& known,
                      v1::StatusCode code) {
  if (!known.ok()) return known.status();
  return document::CheckTransition(*known, code);
}

}  // namespace

Result<std::string> Agent::ReportStatus(std::string_view message_id,
                                        v1::StatusCode code,
                                        std::string description,
                                        std::string to) {
  StatusRequest request;
  request.message_id = std::string(message_id);
  request.code = code;
  request.description = std::move(description);
  if (code == v1::STATUS_REVOKE_REQUESTED) {
    // From the sender of a document to one of its recipients.
    Result<OutboxEntry> sent = reader_->OutboxEntryOf(message_id);
    if (!sent.ok() || sent->kind != OutboxKind::kDocument) {
      if (reader_->IncomingHeader(message_id).ok()) {
        return Refused(
            Status(Code::kNotPermitted, "code: only the sender of document " +
                                            std::string(message_id) +
                                            " may ask to revoke it (13)"),
            "status");
      }
      return Refused(Status(Code::kNotFound, "message_id: no sent document " +
                                                 std::string(message_id)),
                     "status");
    }
    if (std::find(sent->recipients.begin(), sent->recipients.end(), to) ==
        sent->recipients.end()) {
      return Refused(
          Status(
              Code::kInvalidField,
              "to: a revoke request goes to one of the document's recipients"),
          "status");
    }
    Status early = CheckLifecycle(reader_->SentLifecycle(message_id, to), code);
    if (!early.ok()) return Refused(early, "status");
    request.to = std::move(to);
    request.response_for.set_organ_id(options_.agency_id);
    request.response_for.set_document_id(sent->document_id);
  } else {
    // About a document we received: to its sender.
    Result<v1::DocumentHeader> header = reader_->IncomingHeader(message_id);
    if (!header.ok()) {
      return Refused(Status(header.status().code(),
                            "message_id: " + header.status().message()),
                     "status");
    }
    const std::string& sender = header->from().organ_id();
    if (!to.empty() && to != sender) {
      return Refused(
          Status(Code::kInvalidField,
                 "to: a status about a received document goes to its sender " +
                     sender),
          "status");
    }
    Status early = CheckLifecycle(reader_->ReceivedLifecycle(message_id), code);
    if (!early.ok()) return Refused(early, "status");
    request.to = sender;
    request.response_for.set_organ_id(sender);
    if (!header->code().code_number().empty()) {
      request.response_for.set_code(header->code().code_number() + "/" +
                                    header->code().code_notation());
    }
    request.response_for.set_promulgation_date(
        header->promulgation_info().promulgation_date());
    request.response_for.set_document_id(header->document_id());
  }
  StatusEntry sent;
  Result<OutboxEntry> entry = builder_->BuildStatus(request, &sent);
  if (!entry.ok()) return Refused(entry.status(), "status");
  return Enqueue(std::move(entry).value(), std::move(sent));
}

Result<OutgoingView> Agent::Outgoing(std::string_view message_id) {
  return reader_->Outgoing(message_id);
}

Result<OutgoingView> Agent::AwaitAnswer(std::string_view message_id,
                                        std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  AnswerWatch::Ticket ticket = answers_.Watch(message_id);
  Result<OutgoingView> answer = reader_->Answer(message_id);
  if (!answer.ok() || answer->state != "pending") return answer;
  if (!ticket.WaitUntil(deadline)) return answer;
  return reader_->Answer(message_id);
}

Result<std::vector<OutgoingView>> Agent::ListOutgoing(int64_t limit) {
  return reader_->ListOutgoing(limit);
}

Result<std::vector<IncomingSummary>> Agent::ListIncoming(int64_t after_seq,
                                                         int64_t limit) {
  return reader_->ListIncoming(after_seq, limit);
}

Result<std::vector<IncomingSummary>> Agent::ListInbox(
    const InboxQuery& query) {
  return reader_->ListInbox(query);
}

Result<IncomingDocument> Agent::Incoming(std::string_view message_id) {
  DOCBUS_ASSIGN_OR_RETURN(IncomingDocument document,
                          reader_->Incoming(message_id));
  DOCBUS_RETURN_IF_ERROR(reader_->FillBrokerHop(document));
  return document;
}

Result<std::vector<StatusView>> Agent::ListStatusesReceived(int64_t after_seq,
                                                            int64_t limit) {
  return reader_->ListStatusesReceived(after_seq, limit);
}

}  // namespace docbus::agent
