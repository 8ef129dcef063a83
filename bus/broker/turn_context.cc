#include "bus/broker/turn_context.h"

#include <openssl/rand.h>

#include <cstdlib>

#include "bus/broker/broker_metrics.h"
#include "bus/core/log.h"
#include "bus/core/wire_reason.h"

namespace docbus::broker {

std::string SerializeFrame(const v1::Frame& frame) {
  std::string out;
  if (!frame.SerializeToString(&out)) {
    // Only possible for a frame over 2 GiB, which limits make impossible.
    ComponentLogger("broker")->critical("cannot serialize an outgoing frame");
    std::abort();
  }
  return out;
}

Status CheckSignature(const BrokerContext& ctx, const Inbound& in,
                      std::string_view content, std::string_view signature) {
  if (in.signature != nullptr) return *in.signature;
  return ctx.verifier->Verify(content, signature, in.agency_id);
}

void Turn::Answer(const transport::Peer& peer, const v1::Frame& frame) {
  answers_.push_back(Outgoing{peer, SerializeFrame(frame)});
}

void Turn::AnswerError(const transport::Peer& peer, v1::Reason reason,
                       std::string detail) {
  v1::Frame frame;
  frame.mutable_error()->set_reason(reason);
  frame.mutable_error()->set_detail(std::move(detail));
  Answer(peer, frame);
}

void Turn::AnswerRejected(const transport::Peer& peer, std::string_view id,
                          const Status& why, std::string_view correlation_id) {
  constexpr size_t kMaxCorrelationBytes = 128;
  v1::Frame frame;
  v1::Rejected* rejected = frame.mutable_rejected();
  rejected->set_message_id(std::string(id));
  if (correlation_id.size() <= kMaxCorrelationBytes) {
    rejected->set_correlation_id(std::string(correlation_id));
  }
  rejected->set_reason(ToWireReason(why.code()));
  rejected->set_detail(why.message());
  Answer(peer, frame);
}

void Turn::Fail(const Status& status) {
  if (!failure_.ok()) return;
  failure_ = status.ok() ? Status(Code::kInternal, "turn failed") : status;
  // Losing the lease is not a store failure: the broker steps down.
  if (failure_.code() != Code::kFenced) {
    NoteStoreFailure(ctx, "store failure, rolling the turn back", failure_);
  }
}

void NoteStoreFailure(BrokerContext& ctx, std::string_view what,
                      const Status& why) {
  ctx.metrics.Add(metric::kStoreFailures);
  if (ctx.store_failures++ == 0) {
    ctx.log->error(
        "{} (will retry; until a turn commits again, further store failures "
        "are only counted): {}",
        what, why.ToString());
  } else {
    ctx.log->debug("{}: {}", what, why.ToString());
  }
}

void NoteRejected(BrokerContext& ctx, int64_t now_ms, std::string_view agency,
                  std::string_view kind, std::string_view message_id,
                  Code reason) {
  ctx.metrics.Add(metric::kRejected, metric::ReasonLabel(reason));
  ctx.counters.rejected++;
  constexpr size_t kMaxIdBytes = 64;  // a peer's id: bounded before it is kept
  ctx.recent_rejections.push_back(
      {now_ms, std::string(agency), std::string(kind),
       std::string(message_id.substr(0, kMaxIdBytes)),
       std::string(CodeName(reason))});
  if (ctx.recent_rejections.size() > BrokerContext::kRecentRejections)
    ctx.recent_rejections.pop_front();
}

bool RefusedForDiskSpace(Turn& turn, const Inbound& in, std::string_view kind,
                         std::string_view id,
                         std::string_view correlation_id) {
  if (turn.ctx.disk == nullptr) return false;
  const Status room = turn.ctx.disk->CheckRoom();
  if (room.ok()) return false;
  turn.ctx.metrics.Add(metric::kDiskRefusals,
                       Label("kind", std::string(kind)));
  turn.ctx.log->debug("{} refused agency={} id={}: {}", kind, in.agency_id,
                      id.substr(0, 64), room.message());
  turn.AnswerRejected(in.peer, id, room, correlation_id);
  return true;
}

Result<int64_t> Turn::Audit(v1::AuditRecord record) {
  if (record.time_unix_ms() == 0) record.set_time_unix_ms(now_ms);
  if (record.event_id().empty()) {
    constexpr size_t kIdBytes = 16;
    if (ctx.event_id_next + kIdBytes > ctx.event_id_pool.size()) {
      ctx.event_id_pool.resize(4096);
      if (RAND_bytes(reinterpret_cast<unsigned char*>(ctx.event_id_pool.data()),
                     static_cast<int>(ctx.event_id_pool.size())) != 1) {
        // The CSPRNG failing is a broken platform invariant.
        ctx.log->critical("RAND_bytes failed");
        std::abort();
      }
      ctx.event_id_next = 0;
    }
    record.set_event_id(ctx.event_id_pool.substr(ctx.event_id_next, kIdBytes));
    ctx.event_id_next += kIdBytes;
  }
  wrote_ = true;
  return ctx.audit.Append(std::move(record));
}

Status Turn::Queue(store::DeliveryRecord& delivery) {
  wrote_ = true;
  delivery.state = store::DeliveryState::kQueued;
  DOCBUS_RETURN_IF_ERROR(ctx.store.InsertDelivery(delivery));
  auto it = ctx.queue_depth.find(delivery.recipient);
  if (it == ctx.queue_depth.end()) {
    it = ctx.queue_depth.emplace(delivery.recipient, 0).first;
  }
  ++it->second;
  ctx.sessions.NoteQueued(delivery.recipient, delivery.priority);
  return Status::Ok();
}

Status Turn::Finish(const store::DeliveryRecord& delivery,
                    store::DeliveryState state) {
  wrote_ = true;
  DOCBUS_RETURN_IF_ERROR(
      ctx.store.SetDeliveryState(delivery.delivery_id, state, now_ms));
  auto it = ctx.queue_depth.find(delivery.recipient);
  if (it != ctx.queue_depth.end() && it->second > 0) --it->second;
  if (Session* s = ctx.sessions.Find(delivery.recipient)) {
    SessionTable::Land(*s, delivery.delivery_id);
  }
  return Status::Ok();
}

}  // namespace docbus::broker
