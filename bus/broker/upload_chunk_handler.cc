// UploadChunk: a piece of a large attachment of a document its sender is
// about to Submit (proto/README.md, "Large attachments"). Written straight
// into the store; ChunkStored{received} is answered after the commit. A
// chunk that leaves a gap is not stored: the answer tells the agent where to
// resume. A chunk that cannot belong to a valid upload is answered Rejected
// for its document and changes nothing.
#include "bus/broker/broker_metrics.h"
#include "bus/broker/handlers.h"
#include "bus/core/chunks.h"
#include "bus/core/ids.h"

namespace docbus::broker {
namespace {

Status CheckChunk(const BrokerOptions& o, const v1::UploadChunk& chunk) {
  DOCBUS_RETURN_IF_ERROR(ValidateMessageId(chunk.message_id()));
  if (static_cast<int64_t>(chunk.attachment()) >= o.max_attachments) {
    return Status(Code::kTooLarge, "attachment index " +
                                       std::to_string(chunk.attachment()) +
                                       " is over limits.max_attachments (" +
                                       std::to_string(o.max_attachments) +
                                       ")");
  }
  if (chunk.total_size() > static_cast<uint64_t>(o.max_attachment_bytes)) {
    return Status(Code::kTooLarge,
                  "attachment " + std::to_string(chunk.attachment()) +
                      " is over limits.max_attachment_bytes (" +
                      std::to_string(o.max_attachment_bytes) + " bytes)");
  }
  if (chunk.offset() > chunk.total_size() ||
      chunk.data().size() > chunk.total_size() - chunk.offset()) {
    return Status(Code::kInvalidField, "chunk runs past total_size");
  }
  if (chunk.data().empty() || chunk.data().size() > kChunkBytes) {
    return Status(Code::kInvalidField,
                  "a chunk carries 1 to " + std::to_string(kChunkBytes) +
                      " bytes, not " + std::to_string(chunk.data().size()));
  }
  return Status::Ok();
}

void AnswerStored(Turn& turn, const Inbound& in, const v1::UploadChunk& chunk,
                  uint64_t received) {
  v1::Frame frame;
  v1::ChunkStored* stored = frame.mutable_chunk_stored();
  stored->set_message_id(chunk.message_id());
  stored->set_attachment(chunk.attachment());
  stored->set_received(received);
  turn.Answer(in.peer, frame);
}

}  // namespace

void HandleUploadChunk(Turn& turn, const Inbound& in,
                       const v1::UploadChunk& chunk) {
  if (RefusedForDiskSpace(turn, in, "chunk", chunk.message_id())) return;
  BrokerContext& ctx = turn.ctx;
  const store::UploadKey key{in.agency_id, chunk.message_id(),
                             chunk.attachment()};
  Status s = CheckChunk(ctx.options, chunk);
  if (s.ok()) {
    ctx.metrics.Add(metric::kChunkBytesReceived, "",
                    static_cast<double>(chunk.data().size()));
    Result<uint64_t> held = ctx.store.AppendUpload(
        key, chunk.total_size(), chunk.offset(), chunk.data(), turn.now_ms);
    if (held.ok()) {
      // Less than the chunk's end: one went missing on the way, and the
      // answer says where to resume.
      if (*held >= chunk.offset() + chunk.data().size())
        ctx.metrics.Add(metric::kChunksStored);
      return AnswerStored(turn, in, chunk, *held);
    }
    if (held.status().code() != Code::kInvalidField) {
      return turn.Fail(held.status());
    }
    s = held.status();
  }
  NoteRejected(ctx, turn.now_ms, in.agency_id, "chunk", chunk.message_id(),
               s.code());
  ctx.log->warn("upload chunk refused agency={} message_id={} reason={}: {}",
                in.agency_id, chunk.message_id().substr(0, 64),
                CodeName(s.code()), s.message());
  turn.AnswerRejected(in.peer, chunk.message_id(), s);
}

}  // namespace docbus::broker
