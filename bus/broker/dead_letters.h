// Dead letters: a document delivery that will never reach its recipient
// (expired undelivered, or refused by the recipient's agent) becomes dead, is
// recorded as AUDIT_EXPIRED with its reason, and a DeadLetterNotice is queued
// for the document's sender. Runs inside a turn's transaction.
//
// Thread-safety: none; broker loop thread only.
#pragma once

#include <cstddef>

#include "bus/broker/turn_context.h"
#include "bus/store/broker_store.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::broker {

// Dead-letters one queued document delivery of `document` for `reason`.
// Store / audit errors as returned (the caller fails the turn).
Status DeadLetter(Turn& turn, const store::DeliveryRecord& delivery,
                  const store::DocumentRecord& document, v1::Reason reason);

// Dead-letters up to `batch` queued document deliveries past their expiry
// (REASON_EXPIRED), skipping those in flight. Returns true when the batch was
// full (more may be due).
Result<bool> ExpireDueDeliveries(Turn& turn, size_t batch);

}  // namespace docbus::broker
