// FetchChunk: a piece of an attachment of a chunked document delivery
// (proto/README.md, "Large attachments"), read from the store on its own and
// answered as a Chunk. Only the delivery's recipient may fetch (anyone else
// gets Error{NOT_PERMITTED}), and only while the delivery awaits its Ack;
// otherwise the Chunk carries the reason instead of data. Nothing changes.
#include "bus/broker/broker_metrics.h"
#include "bus/broker/handlers.h"
#include "bus/core/chunks.h"
#include "bus/core/wire_reason.h"

namespace docbus::broker {

void HandleFetchChunk(Turn& turn, const Inbound& in,
                      const v1::FetchChunk& fetch) {
  BrokerContext& ctx = turn.ctx;
  std::optional<store::DeliveryRecord> delivery =
      OwnDelivery(turn, in, fetch.delivery_id(), "fetch");
  if (!delivery.has_value()) return;
  v1::Frame frame;
  v1::Chunk* chunk = frame.mutable_chunk();
  chunk->set_delivery_id(fetch.delivery_id());
  chunk->set_attachment(fetch.attachment());
  chunk->set_offset(fetch.offset());
  const auto refuse = [&](Code code, std::string detail) {
    ctx.metrics.Add(metric::kFrameErrors, metric::ReasonLabel(code));
    ctx.log->info("fetch refused agency={} delivery_id={}: {}", in.agency_id,
                  fetch.delivery_id(), detail);
    chunk->set_reason(ToWireReason(code));
    chunk->set_detail(std::move(detail));
    turn.Answer(in.peer, frame);
  };
  if (delivery->kind != store::DeliveryKind::kDocument ||
      delivery->state != store::DeliveryState::kQueued) {
    return refuse(Code::kUnknownDocument,
                  "delivery " + std::to_string(fetch.delivery_id()) +
                      " is not a document awaiting its Ack");
  }
  // Only the digests: the header and signature are not needed per chunk.
  auto digests = ctx.store.GetAttachmentDigests(delivery->document);
  if (!digests.ok()) return turn.Fail(digests.status());
  if (fetch.attachment() >= digests->size()) {
    return refuse(Code::kInvalidField, "the document has no attachment " +
                                           std::to_string(fetch.attachment()));
  }
  auto data = ctx.store.ReadAttachment((*digests)[fetch.attachment()],
                                       fetch.offset(), kChunkBytes);
  if (data.status().code() == Code::kInvalidField) {
    return refuse(Code::kInvalidField, data.status().message());
  }
  if (!data.ok()) return turn.Fail(data.status());
  chunk->set_data(std::move(*data));
  ctx.metrics.Add(metric::kChunksSent);
  ctx.metrics.Add(metric::kChunkBytesSent, "",
                  static_cast<double>(chunk->data().size()));
  turn.Answer(in.peer, frame);
}

}  // namespace docbus::broker
