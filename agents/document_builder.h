// DocumentBuilder: turns what a caller submits into the exact signed frames
// the agent keeps in its outbox: it validates a DocumentRequest (edXML
// fields, recipients in the registry, limits, UTF-8), fills the fields the
// agent owns (message id, sender, creation time, attachment manifest,
// DocumentId), serializes the header once, signs those bytes and builds the
// Submit frame; likewise a signed StatusBody in a SubmitStatus frame.
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
#include "bus/core/clock.h"
#include "bus/crypto/national_pki.h"
#include "bus/crypto/signer.h"
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
  DocumentBuilder(std::string agency_id, const crypto::Signer& signer,
                  const crypto::NationalPki& pki, const Clock& clock,
                  AgentLimits limits);

  // The outbox entry (with its frame) of a new document. kInvalidField /
  // kTooLarge / kUnknownRecipient / kAgencyRevoked with a message naming the
  // field; kInternal if signing fails.
  Result<OutboxEntry> BuildDocument(DocumentRequest request) const;

  // The outbox entry of a status message; `sent` receives what is recorded
  // in statuses_sent. kInvalidField naming the field.
  Result<OutboxEntry> BuildStatus(const StatusRequest& request,
                                  StatusEntry* sent) const;

  const std::string& agency_id() const { return agency_id_; }

 private:
  Status CheckRecipients(const v1::DocumentHeader& header) const;
  Status CheckFields(const v1::DocumentHeader& header) const;
  Status CheckAttachmentInputs(
      const std::vector<AttachmentInput>& inputs) const;
  // "<yyyy/MM/dd>" of today in the machine's local time.
  std::string Today() const;

  std::string agency_id_;
  const crypto::Signer& signer_;
  const crypto::NationalPki& pki_;
  const Clock& clock_;
  AgentLimits limits_;
};

// Ok when every string field of `message` (recursively) is valid UTF-8;
// kInvalidField naming the field otherwise (protobuf would refuse to parse
// it at the broker).
Status CheckUtf8Fields(const google::protobuf::Message& message,
                       const std::string& prefix);

}  // namespace docbus::agent
