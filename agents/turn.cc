#include "agents/turn.h"

#include "agents/agent_metrics.h"
#include "bus/core/wire_reason.h"

namespace docbus::agent {
namespace {

constexpr char kAgentVersion[] = "docbus-agent/0.1";

}  // namespace

void RefuseDelivery(const LoopContext& ctx, std::string_view kind,
                    uint64_t delivery_id, const Status& why,
                    std::string_view message_id, TurnOutput& out) {
  ctx.logger->warn("refused {} agency={} message_id={} delivery_id={}: {}",
                   kind, ctx.agency_id, message_id, delivery_id,
                   why.ToString());
  ctx.metrics.Add(metric::kRefused, Label("reason", CodeName(why.code())));
  out.replies.push_back(RefuseFrame(delivery_id, why));
}

std::string AckFrame(uint64_t delivery_id, const v1::SignedReceipt* receipt) {
  v1::Frame f;
  f.mutable_ack()->set_delivery_id(delivery_id);
  if (receipt != nullptr) *f.mutable_ack()->mutable_receipt() = *receipt;
  return f.SerializeAsString();
}

std::string RefuseFrame(uint64_t delivery_id, const Status& why) {
  v1::Frame f;
  f.mutable_refuse()->set_delivery_id(delivery_id);
  f.mutable_refuse()->set_reason(ToWireReason(why.code()));
  f.mutable_refuse()->set_detail(why.message());
  return f.SerializeAsString();
}

std::string HelloFrame(uint32_t credit_count, uint64_t credit_bytes) {
  v1::Frame f;
  v1::Hello* h = f.mutable_hello();
  h->set_protocol_version(1);
  h->set_agent_version(kAgentVersion);
  h->set_credit_count(credit_count);
  h->set_credit_bytes(credit_bytes);
  return f.SerializeAsString();
}

std::string CreditFrame(uint32_t count, uint64_t bytes) {
  v1::Frame f;
  f.mutable_credit()->set_count(count);
  f.mutable_credit()->set_bytes(bytes);
  return f.SerializeAsString();
}

std::string CheckpointRequestFrame(uint64_t known_size) {
  v1::Frame f;
  f.mutable_checkpoint_request()->set_known_size(known_size);
  return f.SerializeAsString();
}

std::string PongFrame(uint64_t nonce) {
  v1::Frame f;
  f.mutable_pong()->set_nonce(nonce);
  return f.SerializeAsString();
}

}  // namespace docbus::agent
