// One handler per wire message type an agent sends (one .cc each). Each runs
// inside the turn's open transaction: it validates, writes through the
// Turn (store, audit log, deliveries) and queues its answer on the Turn, to
// be sent after the commit. Bad input is logged once, counted and answered
// with its precise reason; it changes no document or delivery state. A store
// failure calls Turn::Fail and the turn is rolled back.
//
// Thread-safety: none; broker loop thread only.
#pragma once

#include <string_view>

#include "bus/broker/session_table.h"
#include "bus/broker/turn_context.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::broker {

// True while `agency_id` is registered, not revoked and not disabled.
bool MayAct(const registry::AgencyRegistry& registry,
            std::string_view agency_id);

// Routes one frame to its handler. Every frame of an agency revoked or
// removed since it connected (a registry reload) is answered
// Error{AGENCY_REVOKED}. `frame` is null for a payload that did not parse: it
// is counted and answered Error{MALFORMED}. Any frame but Hello from an agency
// without a session is answered Error{UNAVAILABLE, "hello first"}.
void HandleFrame(Turn& turn, const Inbound& in, const v1::Frame* frame);

// The signed bytes a frame carries (document header, status body or receipt
// body) and their signature, when it carries one; for checking ahead.
struct SignedPart {
  std::string_view content;
  std::string_view signature;
};
std::optional<SignedPart> SignedPartOf(const v1::Frame& frame);

void HandleHello(Turn& turn, const Inbound& in, const v1::Hello& hello);
void HandleCredit(Turn& turn, const Inbound& in, Session& session,
                  const v1::Credit& credit);
void HandleSubmit(Turn& turn, const Inbound& in, const v1::Submit& submit);
void HandleSubmitStatus(Turn& turn, const Inbound& in,
                        const v1::SubmitStatus& submit);
void HandleAck(Turn& turn, const Inbound& in, const v1::Ack& ack);
void HandleRefuse(Turn& turn, const Inbound& in, const v1::Refuse& refuse);
void HandleCheckpointRequest(Turn& turn, const Inbound& in,
                             const v1::CheckpointRequest& request);
void HandleProofRequest(Turn& turn, const Inbound& in,
                        const v1::ProofRequest& request);
void HandlePing(Turn& turn, const Inbound& in, const v1::Ping& ping);
void HandleRegistryRequest(Turn& turn, const Inbound& in,
                           const v1::RegistryRequest& request);
void HandleUploadChunk(Turn& turn, const Inbound& in,
                       const v1::UploadChunk& chunk);
void HandleFetchChunk(Turn& turn, const Inbound& in,
                      const v1::FetchChunk& fetch);

// The delivery `delivery_id` if it exists and is addressed to `in.agency_id`.
// Otherwise answers Error{NOT_PERMITTED}, counts it and returns nullopt (also
// nullopt after Turn::Fail on a store error).
std::optional<store::DeliveryRecord> OwnDelivery(Turn& turn, const Inbound& in,
                                                 uint64_t delivery_id,
                                                 std::string_view what);

}  // namespace docbus::broker
