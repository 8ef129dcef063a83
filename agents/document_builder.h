// DocumentBuilder: turns what a caller submits into the exact signed frames
// the agent keeps in its outbox: it fills the fields the agent owns (message
// id, sender, creation time, attachment manifest, DocumentId), checks the
// complete header with the one header validator (bus/document/header_rules.h,
// the same the broker applies) and the recipients against the registry,
// serializes the header once, signs those bytes and builds the Submit frame;
// likewise a signed StatusBody (bus/document/status_rules.h) in a
// SubmitStatus frame. Both frames carry their message / status id as the
// correlation id the broker echoes in a Rejected answer.
//
// A document whose attachments total more than kChunkedAbove keeps its
// attachment bytes in the outbox files (agents/outbox_files.h) and its
// frame is Submit{chunked} (OutboxEntry::attachments_in_files): attachments
// given inline are written there first; smaller documents carry theirs in
// the frame, uploaded ones read back. Without outbox files (a test's
// builder) every frame carries its bytes.
//
// Dates the agent writes (the DocumentId's yyyy/MM/dd when the caller gave no
// promulgation date) are those of the agency's time zone, never the host's.
//
// Thread-safety: const calls, safe from many threads at once (the Signer is
// thread-safe; each call checks recipients against one registry snapshot).
// Signing happens on the caller's thread, never on the agent's loop.
#pragma once

#include <memory>
#include <string>

#include "agents/agent_limits.h"
#include "agents/agent_service.h"
#include "agents/agent_store.h"
#include "agents/outbox_files.h"
#include "bus/core/clock.h"
#include "bus/crypto/national_pki.h"
#include "bus/crypto/signer.h"
#include "bus/document/header_rules.h"
#include "bus/document/time_zone.h"
#include "docbus/v1/notice.pb.h"

namespace docbus::agent {

// What a status message says; the builder adds its id, sender and time.
struct StatusRequest {
  std::string message_id;  // the document it is about
  v1::StatusCode code = v1::STATUS_UNSPECIFIED;
  std::string description;
  std::string to;  // addressee (already resolved by the caller)
  v1::ResponseFor response_for;
};

class DocumentBuilder {
 public:
  // `time_zone`: the agency's (agency.time_zone), for the dates it writes.
  DocumentBuilder(std::string agency_id, const crypto::Signer& signer,
                  const crypto::NationalPki& pki, const Clock& clock,
                  AgentLimits limits, document::TimeZone time_zone,
                  const OutboxFiles* files = nullptr);

  // The outbox entry (with its frame) of a new document. kInvalidField /
  // kTooLarge (from the header validator, or attachment bytes over the
  // limits) / kUnknownRecipient / kAgencyRevoked with a message naming the
  // field; kInternal if signing fails.
  Result<OutboxEntry> BuildDocument(DocumentRequest request) const;

  // The outbox entry of a status message; `sent` receives what is recorded
  // in statuses_sent. kInvalidField naming the field.
  Result<OutboxEntry> BuildStatus(const StatusRequest& request,
                                  StatusEntry* sent) const;

  const std::string& agency_id() const { return agency_id_; }

 private:
  Status CheckRecipients(const v1::DocumentHeader& header) const;
  // Fills `manifest` (size, SHA-256 of each) and checks the limits; moves
  // the bytes where the frame wants them (above).
  Status PlaceAttachments(std::vector<AttachmentInput>& inputs,
                          v1::DocumentHeader& header, bool* in_files) const;
  // "<yyyy/MM/dd>" of `unix_ms` in the agency's time zone.
  std::string DateOf(int64_t unix_ms) const;

  std::string agency_id_;
  const crypto::Signer& signer_;
  const crypto::NationalPki& pki_;
  const Clock& clock_;
  AgentLimits limits_;
  document::TimeZone time_zone_;
  const OutboxFiles* files_;
};

// The header rules' limits as this agent is configured.
document::HeaderLimits HeaderLimitsOf(const AgentLimits& limits);

}  // namespace docbus::agent
