// Records for store tests: a document, a delivery, an audit record with
// fixed, realistic field values. Header-only; thread-safe.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "bus/store/broker_store.h"
#include "docbus/v1/audit.pb.h"

namespace docbus::store {

inline DocumentRecord MakeDocument(const std::string& message_id) {
  DocumentRecord d;
  d.sender = "000.00.00.G22";
  d.message_id = message_id;
  d.document_id = "000.00.00.G22,2026/01/05,12/VPCP-TH";
  d.header = std::string("header\0bytes", 12);
  d.signature = "signature";
  d.header_sha256 = std::string(32, 'h');
  d.attachment_sha256 = {std::string(32, 'a'), std::string(32, 'b')};
  d.recipients = {"000.00.01.H01", "000.00.02.H02"};
  d.priority = 3;
  d.accepted_unix_ms = 1'780'000'000'000;
  d.audit_index = 7;
  return d;
}

inline DeliveryRecord MakeDelivery(const std::string& recipient, int priority,
                                   int64_t document, int64_t expires = 0) {
  DeliveryRecord d;
  d.recipient = recipient;
  d.kind = DeliveryKind::kDocument;
  d.priority = priority;
  d.document = document;
  d.size_bytes = 100;
  d.created_unix_ms = 1'780'000'000'000;
  d.expires_unix_ms = expires;
  d.prior_audit_index = 7;
  return d;
}

// Begins a batch and inserts a document with `message_id` into it.
inline DocumentRecord BeginWithDocument(BrokerStore& store,
                                        const std::string& message_id) {
  REQUIRE(store.Begin().ok());
  DocumentRecord doc = MakeDocument(message_id);
  REQUIRE(store.InsertDocument(doc).ok());
  return doc;
}

inline v1::AuditRecord Record(const std::string& message_id) {
  v1::AuditRecord r;
  r.set_event(v1::AUDIT_ACCEPTED);
  r.set_message_id(message_id);
  r.set_sender("000.00.00.G22");
  r.set_time_unix_ms(1'780'000'000'000);
  return r;
}

}  // namespace docbus::store
