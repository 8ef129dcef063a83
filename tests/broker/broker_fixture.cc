#include "tests/broker/broker_fixture.h"
#include "bus/broker/broker_metrics.h"

#include <thread>

#include <fstream>
#include <map>
#include <mutex>

#include "bus/audit/note_signer.h"
#include "bus/core/ids.h"
#include "bus/core/log.h"
#include "bus/crypto/sha256.h"
#include "bus/transport/curve_keys.h"
#include "bus/transport/poll.h"
#include "certs/authority.h"
#include "tests/certs/test_validity.h"

namespace docbus::broker::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

struct Pki {
  Pki() : paths(dir.path() / "pki") {
    SetLogLevel("error");
    // The broker runs on a FakeClock at its default date, before the real
    // one: its certificates must already be valid then.
    const pki::Validity valid = testing::ValidFromFakeClockStart();
    REQUIRE(pki::InitAuthority(paths.dir(),
                               testing::AuthorityValidFromFakeClockStart())
                .ok());
    REQUIRE(pki::IssueBroker(paths.dir(), valid).ok());
    REQUIRE(
        pki::IssueAgency(paths.dir(), kG22, "Văn phòng Chính phủ", "", valid)
            .ok());
    REQUIRE(pki::IssueAgency(paths.dir(), kH41, "Bộ Nội vụ", "", valid).ok());
    REQUIRE(
        pki::IssueAgency(paths.dir(), kH29, "Bộ Tài chính", "", valid).ok());
    REQUIRE(
        pki::IssueAgency(paths.dir(), kRevoked, "Cơ quan đã thu hồi", "", valid)
            .ok());
    REQUIRE(pki::Revoke(paths.dir(), kRevoked).ok());
    auto keys = audit::GenerateNoteKeys(kOrigin);
    REQUIRE(keys.ok());
    log_key = dir.path() / "log.key";
    std::ofstream(log_key) << keys->signer_key << "\n";
  }
  TempDir dir;
  pki::PkiPaths paths;
  fs::path log_key;
};

Pki& SharedPki() {
  static Pki pki;
  return pki;
}

std::string KeyOf(const fs::path& file) {
  auto key = transport::ReadKeyFile(file);
  REQUIRE(key.ok());
  return *key;
}

}  // namespace

const pki::PkiPaths& TestPki() { return SharedPki().paths; }
const fs::path& LogKeyFile() { return SharedPki().log_key; }

const crypto::Signer& SignerOf(const std::string& agency) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<crypto::Signer>> signers;
  std::lock_guard lock(mu);
  auto& signer = signers[agency];
  if (!signer) {
    auto loaded = crypto::Signer::Load(TestPki().agency_key(agency),
                                       TestPki().agency_certificate(agency));
    REQUIRE(loaded.ok());
    signer = std::move(loaded).value();
  }
  return *signer;
}

BrokerOptions TestOptions(const fs::path& data_dir) {
  const pki::PkiPaths& pki = TestPki();
  BrokerOptions o;
  o.listen = "tcp://127.0.0.1:*";
  o.data_dir = data_dir;
  o.curve_secret_key = pki.broker_curve_secret();
  o.root_certificate = pki.root_certificate();
  o.crl = pki.crl();
  o.registry = pki.registry();
  o.origin = kOrigin;
  o.log_key = LogKeyFile();
  o.checkpoint_interval_ms = 1000;
  o.max_frame_bytes = 256 * 1024;
  o.max_document_bytes = 192 * 1024;
  o.max_attachments = 4;
  o.max_attachment_bytes = 64 * 1024;
  o.max_subject_bytes = 2000;
  o.default_expiry_s = 3600;
  o.retransmit_ms = 5000;
  o.credit_count_max = 1000;
  o.http_listen = "127.0.0.1:0";
  o.log_level = "error";
  return o;
}

TestBroker::TestBroker(BrokerOptions options) : options_(std::move(options)) {
  auto broker = Broker::Start(options_, clock_);
  INFO(broker.status().ToString());
  REQUIRE(broker.ok());
  broker_ = std::move(broker).value();
}

TestBroker::~TestBroker() { Stop(); }

void TestBroker::Stop() {
  if (broker_) {
    CHECK(broker_->Stop().ok());
    broker_.reset();
  }
}

TestAgent::TestAgent(const std::string& agency, const std::string& endpoint)
    : agency_(agency), endpoint_(endpoint), context_(1) {}

TestAgent::~TestAgent() {
  socket_.reset();
  context_.close();
}

void TestAgent::Open(uint32_t credit_count, uint64_t credit_bytes, bool hello) {
  const pki::PkiPaths& pki = TestPki();
  transport::AgentSocketOptions o;
  o.endpoint = endpoint_;
  o.broker_public_z85 = KeyOf(pki.broker_curve_public());
  o.public_z85 = KeyOf(pki.agency_curve_public(agency_));
  o.secret_z85 = KeyOf(pki.agency_curve_secret(agency_));
  o.max_message_bytes = 4 << 20;
  auto socket = transport::AgentSocket::Connect(context_, o);
  REQUIRE(socket.ok());
  socket_ = std::move(socket).value();
  const auto deadline = SteadyClock::now() + std::chrono::seconds(10);
  bool up = false;
  while (!up && SteadyClock::now() < deadline) {
    zmq::socket_t* sockets[] = {&socket_->socket(), &socket_->monitor_socket()};
    REQUIRE(transport::PollReadable(sockets, milliseconds(50)).ok());
    up = socket_->TakeReconnected();
  }
  REQUIRE(up);
  if (!hello) return;
  v1::Frame frame;
  frame.mutable_hello()->set_protocol_version(1);
  frame.mutable_hello()->set_credit_count(credit_count);
  frame.mutable_hello()->set_credit_bytes(credit_bytes);
  // As an agent does, Hello again while unanswered: a Hello read before the
  // broker has seen its connection accepted is not answered
  // (bus/transport/connection_tracker.h), and a loaded machine can stall a
  // turn for seconds.
  const auto give_up = SteadyClock::now() + std::chrono::seconds(30);
  std::optional<v1::Frame> welcome;
  while (!welcome && SteadyClock::now() < give_up) {
    Send(frame);
    const auto retry = SteadyClock::now() + std::chrono::seconds(5);
    while (!welcome && SteadyClock::now() < retry) {
      auto next = Receive(std::chrono::duration_cast<milliseconds>(
          retry - SteadyClock::now()));
      if (!next) break;
      if (next->has_welcome()) {
        welcome = std::move(next);
      } else {
        skipped.push_back(std::move(*next));
      }
    }
  }
  INFO(agency_ << " waiting for Welcome");
  REQUIRE(welcome.has_value());
  REQUIRE(welcome->welcome().agency_id() == agency_);
}

void TestAgent::Send(const v1::Frame& frame) {
  SendRaw(frame.SerializeAsString());
}

void TestAgent::SendRaw(const std::string& payload) {
  const auto deadline = SteadyClock::now() + std::chrono::seconds(10);
  while (true) {
    const auto result = socket_->Send(payload);
    if (result == transport::SendResult::kSent) return;
    REQUIRE(result == transport::SendResult::kWouldBlock);
    REQUIRE(SteadyClock::now() < deadline);
    zmq::socket_t* sockets[] = {&socket_->monitor_socket()};
    REQUIRE(transport::PollReadable(sockets, milliseconds(10)).ok());
  }
}

std::optional<v1::Frame> TestAgent::Receive(milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  while (true) {
    auto payload = socket_->TryReceive();
    REQUIRE(payload.ok());
    if (payload->has_value()) {
      v1::Frame frame;
      REQUIRE(frame.ParseFromString(**payload));
      return frame;
    }
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) return std::nullopt;
    zmq::socket_t* sockets[] = {&socket_->socket()};
    REQUIRE(transport::PollReadable(sockets, std::min(left, milliseconds(100)))
                .ok());
  }
}

v1::Frame TestAgent::Expect(v1::Frame::BodyCase kind, milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now());
    auto frame = Receive(std::max(left, milliseconds(0)));
    INFO(agency_ << " waiting for frame type " << static_cast<int>(kind));
    REQUIRE(frame.has_value());
    if (frame->body_case() == kind) return *frame;
    skipped.push_back(std::move(*frame));
  }
}

std::vector<v1::Frame> TestAgent::Drain() {
  v1::Frame ping;
  ping.mutable_ping()->set_nonce(++nonce_);
  Send(ping);
  std::vector<v1::Frame> before;
  while (true) {
    auto frame = Receive();
    REQUIRE(frame.has_value());
    if (frame->has_pong() && frame->pong().nonce() == nonce_) return before;
    before.push_back(std::move(*frame));
  }
}

v1::Frame TestAgent::Submit(const v1::Submit& submit) {
  v1::Frame frame;
  *frame.mutable_submit() = submit;
  Send(frame);
  while (true) {
    auto answer = Receive();
    REQUIRE(answer.has_value());
    if (answer->has_accepted() || answer->has_rejected()) return *answer;
    skipped.push_back(std::move(*answer));
  }
}

void TestAgent::Ack(const v1::Deliver& deliver) {
  v1::Frame frame;
  frame.mutable_ack()->set_delivery_id(deliver.delivery_id());
  if (deliver.has_document()) {
    *frame.mutable_ack()->mutable_receipt() =
        MakeReceipt(agency_, deliver.document());
  }
  Send(frame);
}

v1::Submit MakeSubmit(const std::string& from,
                      const std::vector<std::string>& to,
                      const std::vector<std::string>& attachments, int priority,
                      std::string message_id) {
  static RealClock clock;
  static int number = 0;
  v1::DocumentHeader header;
  header.set_message_id(message_id.empty() ? NewMessageId(clock) : message_id);
  header.mutable_from()->set_organ_id(from);
  for (const std::string& id : to) header.add_to()->set_organ_id(id);
  const std::string n = std::to_string(++number);
  header.mutable_code()->set_code_number(n);
  header.mutable_code()->set_code_notation("VPCP-TH");
  header.mutable_promulgation_info()->set_promulgation_date("2026/11/28");
  header.set_subject("V/v thử nghiệm trục liên thông văn bản");
  header.set_priority(static_cast<v1::Priority>(priority));
  header.set_document_id(from + ",2026/11/28," + n + "/VPCP-TH");
  v1::Submit submit;
  for (size_t i = 0; i < attachments.size(); ++i) {
    const std::string digest = crypto::Sha256(attachments[i]);
    v1::AttachmentManifest* m = header.add_attachments();
    m->set_name("phu-luc-" + std::to_string(i) + ".pdf");
    m->set_media_type("application/pdf");
    m->set_size(attachments[i].size());
    m->set_sha256(digest);
    v1::AttachmentData* data = submit.add_attachments();
    data->set_sha256(digest);
    data->set_data(attachments[i]);
  }
  SignHeader(header, submit);
  return submit;
}

void SignHeader(const v1::DocumentHeader& header, v1::Submit& submit) {
  const std::string bytes = header.SerializeAsString();
  auto signature = SignerOf(header.from().organ_id()).Sign(bytes);
  REQUIRE(signature.ok());
  submit.mutable_document()->set_header(bytes);
  submit.mutable_document()->set_signature(*signature);
}

v1::SignedReceipt MakeReceipt(const std::string& recipient,
                              const v1::DocumentDelivery& doc) {
  v1::DocumentHeader header;
  REQUIRE(header.ParseFromString(doc.document().header()));
  v1::ReceiptBody body;
  body.set_message_id(header.message_id());
  body.set_sender(header.from().organ_id());
  body.set_recipient(recipient);
  body.set_header_sha256(crypto::Sha256(doc.document().header()));
  for (const v1::AttachmentData& a : doc.attachments()) {
    body.add_attachment_sha256(crypto::Sha256(a.data()));
  }
  body.set_received_unix_ms(1);
  v1::SignedReceipt receipt;
  receipt.set_body(body.SerializeAsString());
  auto signature = SignerOf(recipient).Sign(receipt.body());
  REQUIRE(signature.ok());
  receipt.set_signature(*signature);
  return receipt;
}

v1::SubmitStatus MakeStatus(const std::string& from, const std::string& to,
                            const std::string& message_id,
                            v1::StatusCode code) {
  static RealClock clock;
  v1::StatusBody body;
  body.set_status_id(NewMessageId(clock));
  body.set_message_id(message_id);
  body.mutable_from()->set_organ_id(from);
  body.set_to(to);
  body.set_code(code);
  if (code == v1::STATUS_REFUSED) body.set_description("sai thể thức");
  v1::SubmitStatus submit;
  submit.mutable_status()->set_body(body.SerializeAsString());
  auto signature = SignerOf(from).Sign(submit.status().body());
  REQUIRE(signature.ok());
  submit.mutable_status()->set_signature(*signature);
  return submit;
}

bool HandshakeAccepted(const std::string& endpoint, const std::string& agency) {
  zmq::context_t context(1);
  transport::AgentSocketOptions o;
  o.endpoint = endpoint;
  o.broker_public_z85 =
      *transport::ReadKeyFile(TestPki().broker_curve_public());
  o.public_z85 = *transport::ReadKeyFile(TestPki().agency_curve_public(agency));
  o.secret_z85 = *transport::ReadKeyFile(TestPki().agency_curve_secret(agency));
  auto socket = transport::AgentSocket::Connect(context, o);
  REQUIRE(socket.ok());
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool accepted = false;
  while (!accepted && (*socket)->auth_failures() == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    zmq::socket_t* sockets[] = {&(*socket)->monitor_socket()};
    REQUIRE(
        transport::PollReadable(sockets, std::chrono::milliseconds(50)).ok());
    accepted = (*socket)->connected();
  }
  const bool refused = (*socket)->auth_failures() > 0;
  socket->reset();
  context.close();
  REQUIRE(accepted != refused);  // one outcome, within the deadline
  return accepted;
}

void ExpectFailedTurnsUnanswered(TestBroker& b, TestAgent& agent,
                                 double turns) {
  const auto give_up = SteadyClock::now() + std::chrono::seconds(30);
  while (b.broker().metrics().Value(metric::kStoreFailures) < turns) {
    REQUIRE(SteadyClock::now() < give_up);
    std::this_thread::yield();
  }
  for (const v1::Frame& f : agent.Drain()) {
    CHECK_FALSE(f.has_accepted());
    CHECK_FALSE(f.has_rejected());
  }
}

}  // namespace docbus::broker::test
