#include "bus/broker/delivery_dispatcher.h"

#include <algorithm>
#include <climits>
#include <utility>
#include <vector>

#include "bus/broker/broker_metrics.h"
#include "bus/core/chunks.h"
#include "bus/crypto/attachments.h"

namespace docbus::broker {
namespace {

using transport::SendResult;

constexpr size_t kPage = 256;

}  // namespace

Result<v1::DocumentDelivery*> DeliveryDispatcher::LoadDocument(
    int64_t document_id) {
  if (cached_document_ == document_id) return &cached_delivery_;
  DOCBUS_ASSIGN_OR_RETURN(store::DocumentRecord doc,
                          ctx_.store.GetDocument(document_id));
  cached_document_ = 0;
  cached_delivery_.Clear();
  cached_delivery_.mutable_document()->set_header(std::move(doc.header));
  cached_delivery_.mutable_document()->set_signature(std::move(doc.signature));
  // The broker's hop, for the TraceHeader an edXML export appends.
  cached_delivery_.set_accepted_unix_ms(doc.accepted_unix_ms);
  cached_delivery_.set_relay_id(ctx_.options.origin);
  // A large document goes without its attachments; the recipient fetches
  // them a chunk at a time (HandleFetchChunk). The sizes are the signed
  // manifest's, which the stored attachments matched at submission.
  v1::DocumentHeader header;
  if (!header.ParseFromString(cached_delivery_.document().header())) {
    return Status(Code::kCorruption, "stored header of document " +
                                         std::to_string(document_id) +
                                         " is damaged");
  }
  cached_delivery_.set_chunked(crypto::ManifestBytes(header, kChunkedAbove) >
                               kChunkedAbove);
  for (const std::string& digest : doc.attachment_sha256) {
    if (cached_delivery_.chunked()) break;
    DOCBUS_ASSIGN_OR_RETURN(std::string data, ctx_.store.GetAttachment(digest));
    v1::AttachmentData* a = cached_delivery_.add_attachments();
    a->set_sha256(digest);
    a->set_data(std::move(data));
  }
  cached_document_ = document_id;
  return &cached_delivery_;
}

Result<std::optional<std::string>> DeliveryDispatcher::BuildDeliver(
    int64_t delivery_id) {
  DOCBUS_ASSIGN_OR_RETURN(std::optional<store::DeliveryRecord> d,
                          ctx_.store.GetDelivery(delivery_id));
  if (!d.has_value() || d->state != store::DeliveryState::kQueued) {
    return std::optional<std::string>();
  }
  v1::Frame frame;
  v1::Deliver* deliver = frame.mutable_deliver();
  deliver->set_delivery_id(static_cast<uint64_t>(delivery_id));
  bool parsed = true;
  switch (d->kind) {
    case store::DeliveryKind::kDocument: {
      DOCBUS_ASSIGN_OR_RETURN(v1::DocumentDelivery* doc,
                              LoadDocument(d->document));
      // The cached document is lent to the frame for its serialization
      // rather than copied into it (header, signature and attachment bytes
      // once more per delivery), and taken back before the frame goes.
      deliver->unsafe_arena_set_allocated_document(doc);
      std::string out = SerializeFrame(frame);
      (void)deliver->unsafe_arena_release_document();
      return std::optional<std::string>(std::move(out));
    }
    case store::DeliveryKind::kReceipt:
      parsed = deliver->mutable_receipt()->ParseFromString(d->payload);
      break;
    case store::DeliveryKind::kStatus:
      parsed = deliver->mutable_status()->ParseFromString(d->payload);
      break;
    case store::DeliveryKind::kDeadLetter:
      parsed = deliver->mutable_dead_letter()->ParseFromString(d->payload);
      break;
  }
  if (!parsed) {
    return Status(Code::kCorruption, "stored payload of delivery " +
                                         std::to_string(delivery_id) +
                                         " is damaged");
  }
  return std::optional<std::string>(SerializeFrame(frame));
}

Result<size_t> DeliveryDispatcher::DeliverTo(Session& s, int64_t now_ms,
                                             size_t max, bool* close) {
  size_t sent = 0;
  while (sent < max && s.credit_count > 0 && s.maybe_more && !s.blocked) {
    const size_t want = std::min<size_t>(
        kPage, static_cast<size_t>(s.credit_count) + s.in_flight.size());
    DOCBUS_ASSIGN_OR_RETURN(std::vector<store::QueuedDelivery> page,
                            ctx_.store.NextQueued(s.agency_id, s.cursor, want));
    if (page.size() < want) s.maybe_more = false;
    if (page.empty()) break;
    for (const store::QueuedDelivery& q : page) {
      if (s.in_flight.contains(q.delivery_id)) {
        s.cursor = store::QueueCursor{q.priority, q.delivery_id};
        continue;
      }
      if (s.credit_count <= 0 || sent >= max ||
          (s.bytes_limited && q.size_bytes > s.credit_bytes)) {
        // Out of credit for this one: it is first in line when credit comes.
        s.maybe_more = true;
        return sent;
      }
      DOCBUS_ASSIGN_OR_RETURN(std::optional<std::string> frame,
                              BuildDeliver(q.delivery_id));
      if (!frame.has_value()) {
        s.cursor = store::QueueCursor{q.priority, q.delivery_id};
        continue;
      }
      switch (socket_.Send(s.peer, *frame)) {
        case SendResult::kSent:
          SessionTable::MarkSent(s, q.delivery_id, q.size_bytes, now_ms,
                                 ctx_.options.retransmit_ms,
                                 /*consume_credit=*/true);
          s.cursor = store::QueueCursor{q.priority, q.delivery_id};
          ++sent;
          break;
        case SendResult::kWouldBlock:
          s.blocked = true;
          s.maybe_more = true;
          return sent;
        case SendResult::kUnreachable:
          *close = true;
          return sent;
      }
    }
  }
  return sent;
}

Result<size_t> DeliveryDispatcher::DeliverAll(int64_t now_monotonic_ms,
                                              size_t max_per_agency,
                                              bool* more) {
  *more = false;
  size_t total = 0;
  std::vector<std::string> gone;
  for (auto& [agency, s] : ctx_.sessions.sessions()) {
    if (s.credit_count <= 0 || !s.maybe_more || s.blocked) continue;
    bool close = false;
    DOCBUS_ASSIGN_OR_RETURN(
        size_t sent, DeliverTo(s, now_monotonic_ms, max_per_agency, &close));
    total += sent;
    if (close) {
      gone.push_back(agency);
    } else if (s.credit_count > 0 && s.maybe_more && !s.blocked) {
      *more = true;
    }
  }
  for (const std::string& agency : gone) {
    ctx_.log->info("session closed (connection gone) agency={}", agency);
    ctx_.sessions.Close(agency);
  }
  if (total > 0)
    ctx_.metrics.Add(metric::kDeliveriesSent, "", static_cast<double>(total));
  return total;
}

Result<size_t> DeliveryDispatcher::Retransmit(int64_t now_monotonic_ms) {
  size_t total = 0;
  std::vector<std::string> gone;
  for (auto& [agency, s] : ctx_.sessions.sessions()) {
    while (!s.retransmit_order.empty() && !s.blocked) {
      const auto [deadline, id] = s.retransmit_order.front();
      if (deadline > now_monotonic_ms) break;
      auto it = s.in_flight.find(id);
      if (it == s.in_flight.end() ||
          it->second.sent_ms + ctx_.options.retransmit_ms != deadline) {
        s.retransmit_order.pop_front();  // landed, or re-sent since
        continue;
      }
      DOCBUS_ASSIGN_OR_RETURN(std::optional<std::string> frame,
                              BuildDeliver(id));
      if (!frame.has_value()) {
        s.in_flight.erase(it);
        s.retransmit_order.pop_front();
        continue;
      }
      const SendResult result = socket_.Send(s.peer, *frame);
      if (result == SendResult::kWouldBlock) {
        s.blocked = true;
        break;
      }
      if (result == SendResult::kUnreachable) {
        gone.push_back(agency);
        break;
      }
      const int64_t size = it->second.size_bytes;
      s.retransmit_order.pop_front();
      SessionTable::MarkSent(s, id, size, now_monotonic_ms,
                             ctx_.options.retransmit_ms,
                             /*consume_credit=*/false);
      ++total;
    }
  }
  for (const std::string& agency : gone) {
    ctx_.log->info("session closed (connection gone) agency={}", agency);
    ctx_.sessions.Close(agency);
  }
  if (total > 0)
    ctx_.metrics.Add(metric::kRetransmits, "", static_cast<double>(total));
  return total;
}

void DeliveryDispatcher::CloseEndedSessions() {
  std::vector<std::string> ended;
  for (auto& [agency, s] : ctx_.sessions.sessions()) {
    if (!socket_.IsOpen(s.peer.connection)) ended.push_back(agency);
  }
  for (const std::string& agency : ended) {
    ctx_.log->info("session closed (connection ended) agency={}", agency);
    ctx_.sessions.Close(agency);
  }
}

int64_t DeliveryDispatcher::NextRetransmitDue() {
  int64_t next = INT64_MAX;
  for (auto& [agency, s] : ctx_.sessions.sessions()) {
    // Drop landed entries at the front so the answer is a real deadline.
    while (!s.retransmit_order.empty()) {
      const auto [deadline, id] = s.retransmit_order.front();
      auto it = s.in_flight.find(id);
      if (it != s.in_flight.end() &&
          it->second.sent_ms + ctx_.options.retransmit_ms == deadline) {
        next = std::min(next, deadline);
        break;
      }
      s.retransmit_order.pop_front();
    }
  }
  return next;
}

}  // namespace docbus::broker
