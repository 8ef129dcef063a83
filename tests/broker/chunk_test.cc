// Large attachments: uploaded and fetched a chunk at a time (proto/README.md,
// "Large attachments"). What a sender and a recipient see, and what a bad
// upload leaves behind (nothing).
#include <catch2/catch.hpp>
#include <random>

#include "bus/core/chunks.h"
#include "bus/crypto/sha256.h"
#include "bus/store/broker_store.h"
#include "tests/broker/broker_fixture.h"

namespace docbus::broker::test {
namespace {

BrokerOptions LargeOptions(const std::filesystem::path& dir) {
  BrokerOptions o = TestOptions(dir);
  o.max_frame_bytes = 8 << 20;
  o.max_document_bytes = 16 << 20;
  o.max_attachment_bytes = 4 << 20;
  return o;
}

struct LargeBroker : BrokerWithG22 {
  LargeBroker() : BrokerWithG22(LargeOptions) {}
};

// Attachments of up to 2 MiB each, 3 MiB together.
BrokerOptions DocumentLimitOptions(const std::filesystem::path& dir) {
  BrokerOptions o = LargeOptions(dir);
  o.max_document_bytes = 3 * kChunkBytes;
  o.max_attachment_bytes = 2 * kChunkBytes;
  return o;
}

struct DocumentLimitBroker : BrokerWithG22 {
  DocumentLimitBroker() : BrokerWithG22(DocumentLimitOptions) {}
};

std::string RandomBytes(size_t size, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(random());
  return out;
}

std::string MessageIdOf(const v1::Submit& submit) {
  v1::DocumentHeader header;
  header.ParseFromString(submit.document().header());
  return header.message_id();
}

v1::Frame UploadChunkFrame(const std::string& message_id, uint32_t attachment,
                           const std::string& data, uint64_t offset,
                           size_t length) {
  v1::Frame frame;
  v1::UploadChunk* chunk = frame.mutable_upload_chunk();
  chunk->set_message_id(message_id);
  chunk->set_attachment(attachment);
  chunk->set_total_size(data.size());
  chunk->set_offset(offset);
  chunk->set_data(data.substr(offset, length));
  return frame;
}

// Uploads every attachment of `submit` (with `bytes` in place of its own), a
// chunk at a time, each confirmed before the next, as an agent does.
void Upload(TestAgent& agent, const v1::Submit& submit,
            const std::vector<std::string>& bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint64_t at = 0; at < bytes[i].size(); at += kChunkBytes) {
      agent.Send(UploadChunkFrame(MessageIdOf(submit), static_cast<uint32_t>(i),
                                  bytes[i], at, kChunkBytes));
      const v1::Frame stored = agent.Expect(v1::Frame::kChunkStored);
      REQUIRE(stored.chunk_stored().attachment() == i);
      REQUIRE(stored.chunk_stored().received() ==
              std::min<uint64_t>(at + kChunkBytes, bytes[i].size()));
    }
  }
}

v1::Submit Chunked(v1::Submit submit) {
  submit.clear_attachments();
  submit.set_chunked(true);
  return submit;
}

void SendFetch(TestAgent& agent, uint64_t delivery_id, uint32_t attachment,
               uint64_t offset) {
  v1::Frame frame;
  v1::FetchChunk* fetch = frame.mutable_fetch_chunk();
  fetch->set_delivery_id(delivery_id);
  fetch->set_attachment(attachment);
  fetch->set_offset(offset);
  agent.Send(frame);
}

v1::Frame Fetch(TestAgent& agent, uint64_t delivery_id, uint32_t attachment,
                uint64_t offset) {
  SendFetch(agent, delivery_id, attachment, offset);
  return agent.Expect(v1::Frame::kChunk);
}

bool Stored(const std::filesystem::path& dir, const std::string& sender,
            const std::string& message_id) {
  auto store = store::OpenSqliteBrokerStore(dir);
  REQUIRE(store.ok());
  auto doc = (*store)->FindDocument(sender, message_id);
  REQUIRE(doc.ok());
  return doc->has_value();
}

}  // namespace

TEST_CASE_METHOD(
    LargeBroker,
    "a large document is uploaded in chunks, accepted, and fetched by its "
    "recipient a chunk at a time, byte-identical",
    "[broker][chunks]") {
  const std::vector<std::string> bytes{RandomBytes(2 * kChunkBytes + 12345, 1),
                                       "a small second attachment"};
  const v1::Submit whole = MakeSubmit(kG22, {kH41}, bytes);

  // Before the upload the broker cannot take it: not a refusal, try again.
  const v1::Frame early = g22.Submit(Chunked(whole));
  REQUIRE(early.has_rejected());
  CHECK(early.rejected().reason() == v1::REASON_UNAVAILABLE);

  Upload(g22, whole, bytes);
  const v1::Frame accepted = g22.Submit(Chunked(whole));
  REQUIRE(accepted.has_accepted());

  TestAgent h41(kH41, b.broker().zmq_endpoint());
  h41.Open();
  const v1::Frame deliver = h41.Expect(v1::Frame::kDeliver);
  REQUIRE(deliver.deliver().has_document());
  const v1::DocumentDelivery& announced = deliver.deliver().document();
  CHECK(announced.chunked());
  CHECK(announced.attachments_size() == 0);
  CHECK(announced.document().header() == whole.document().header());

  v1::DocumentDelivery fetched = announced;
  fetched.set_chunked(false);
  for (uint32_t i = 0; i < bytes.size(); ++i) {
    std::string data;
    while (data.size() < bytes[i].size()) {
      const v1::Frame chunk =
          Fetch(h41, deliver.deliver().delivery_id(), i, data.size());
      REQUIRE(chunk.has_chunk());
      REQUIRE(chunk.chunk().reason() == v1::REASON_UNSPECIFIED);
      REQUIRE(chunk.chunk().offset() == data.size());
      REQUIRE(!chunk.chunk().data().empty());
      CHECK(chunk.chunk().data().size() <= kChunkBytes);
      data += chunk.chunk().data();
    }
    CHECK(data == bytes[i]);
    v1::AttachmentData* a = fetched.add_attachments();
    a->set_sha256(crypto::Sha256(data));
    a->set_data(data);
  }

  // Acknowledged with a receipt over what it got: the sender receives it, and
  // the document can no longer be fetched.
  v1::Frame ack;
  ack.mutable_ack()->set_delivery_id(deliver.deliver().delivery_id());
  *ack.mutable_ack()->mutable_receipt() = MakeReceipt(kH41, fetched);
  h41.Send(ack);
  const v1::Frame receipt = g22.Expect(v1::Frame::kDeliver);
  CHECK(receipt.deliver().has_receipt());
  CHECK(receipt.deliver().receipt().body() == ack.ack().receipt().body());
  const v1::Frame after = Fetch(h41, deliver.deliver().delivery_id(), 0, 0);
  REQUIRE(after.has_chunk());
  CHECK(after.chunk().reason() == v1::REASON_UNKNOWN_DOCUMENT);
  CHECK(after.chunk().data().empty());
}

TEST_CASE_METHOD(
    LargeBroker,
    "an upload that differs from the signed manifest, leaves a gap or runs "
    "past its size changes nothing",
    "[broker][chunks]") {
  const std::string big = RandomBytes(kChunkBytes + 100, 2);
  const v1::Submit whole = MakeSubmit(kG22, {kH41}, {big});
  const std::string id = MessageIdOf(whole);

  // A chunk beyond what the broker holds is not stored: the answer says
  // where to resume.
  g22.Send(UploadChunkFrame(id, 0, big, kChunkBytes, 100));
  const v1::Frame gap = g22.Expect(v1::Frame::kChunkStored);
  CHECK(gap.chunk_stored().received() == 0);

  // A chunk past the attachment's size is refused for the document.
  v1::Frame past = UploadChunkFrame(id, 0, big, 0, kChunkBytes);
  past.mutable_upload_chunk()->set_total_size(10);
  g22.Send(past);
  const v1::Frame refused = g22.Expect(v1::Frame::kRejected);
  CHECK(refused.rejected().reason() == v1::REASON_INVALID_FIELD);

  // Bytes other than the signed ones: the Submit is refused and neither the
  // document nor its upload is kept.
  std::string altered = big;
  altered[kChunkBytes + 7] ^= 0x01;
  Upload(g22, whole, {altered});
  const v1::Frame answer = g22.Submit(Chunked(whole));
  REQUIRE(answer.has_rejected());
  CHECK(answer.rejected().reason() == v1::REASON_DIGEST_MISMATCH);
  const v1::Frame again = g22.Submit(Chunked(whole));
  REQUIRE(again.has_rejected());
  CHECK(again.rejected().reason() == v1::REASON_UNAVAILABLE);

  b.Stop();
  CHECK_FALSE(Stored(dir.path(), kG22, id));
  auto store = store::OpenSqliteBrokerStore(dir.path());
  REQUIRE(store.ok());
  auto upload = (*store)->GetUpload(store::UploadKey{kG22, id, 0});
  REQUIRE(upload.ok());
  CHECK_FALSE(upload->has_value());
}

TEST_CASE_METHOD(DocumentLimitBroker,
                 "a chunked document whose attachments together exceed "
                 "limits.max_document_bytes is refused and not kept",
                 "[broker][chunks]") {
  // Each within the per-attachment limit, together over the document's.
  const std::vector<std::string> bytes{
      RandomBytes(kChunkBytes + kChunkBytes / 2, 3),
      RandomBytes(kChunkBytes + kChunkBytes / 2 + 1, 4)};
  const v1::Submit whole = MakeSubmit(kG22, {kH41}, bytes);
  Upload(g22, whole, bytes);
  const v1::Frame answer = g22.Submit(Chunked(whole));
  REQUIRE(answer.has_rejected());
  CHECK(answer.rejected().reason() == v1::REASON_TOO_LARGE);
  b.Stop();
  CHECK_FALSE(Stored(dir.path(), kG22, MessageIdOf(whole)));
}

TEST_CASE_METHOD(LargeBroker,
                 "an agency cannot fetch the attachments of another's delivery",
                 "[broker][chunks]") {
  const std::vector<std::string> bytes{RandomBytes(kChunkBytes + 1, 3)};
  const v1::Submit whole = MakeSubmit(kG22, {kH41}, bytes);
  Upload(g22, whole, bytes);
  REQUIRE(g22.Submit(Chunked(whole)).has_accepted());

  TestAgent h41(kH41, b.broker().zmq_endpoint());
  h41.Open();
  const v1::Frame deliver = h41.Expect(v1::Frame::kDeliver);
  TestAgent h29(kH29, b.broker().zmq_endpoint());
  h29.Open();
  SendFetch(h29, deliver.deliver().delivery_id(), 0, 0);
  const v1::Frame answer = h29.Expect(v1::Frame::kError);
  CHECK(answer.error().reason() == v1::REASON_NOT_PERMITTED);

  // The refusal is about who asks: the recipient still fetches the bytes.
  const v1::Frame own = Fetch(h41, deliver.deliver().delivery_id(), 0, 0);
  REQUIRE(own.has_chunk());
  CHECK(own.chunk().reason() == v1::REASON_UNSPECIFIED);
  REQUIRE_FALSE(own.chunk().data().empty());
  CHECK(own.chunk().data() == bytes[0].substr(0, own.chunk().data().size()));
}

TEST_CASE_METHOD(
    LargeBroker,
    "a small document uploaded in chunks is delivered whole, byte-identical",
    "[broker][chunks]") {
  const std::vector<std::string> bytes{"a small attachment sent in a chunk"};
  const v1::Submit whole = MakeSubmit(kG22, {kH41}, bytes);
  Upload(g22, whole, bytes);
  REQUIRE(g22.Submit(Chunked(whole)).has_accepted());

  TestAgent h41(kH41, b.broker().zmq_endpoint());
  h41.Open();
  const v1::Frame deliver = h41.Expect(v1::Frame::kDeliver);
  REQUIRE(deliver.deliver().has_document());
  const v1::DocumentDelivery& doc = deliver.deliver().document();
  CHECK_FALSE(doc.chunked());
  REQUIRE(doc.attachments_size() == 1);
  CHECK(doc.attachments(0).data() == bytes[0]);
}

}  // namespace docbus::broker::test
