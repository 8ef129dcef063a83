#include "agent_test_support.h"

#include <catch2/catch.hpp>

#include "bus/core/clock.h"
#include "bus/core/ids.h"
#include "bus/crypto/sha256.h"
#include "bus/registry/agency_registry.h"
#include "bus/transport/curve_keys.h"
#include "bus/transport/poll.h"
#include "bus/transport/registry_authenticator.h"
#include "certs/authority.h"

namespace docbus::agent::testing {

TestPki::TestPki() : dir_("docbus-agent-pki"), paths_(dir_.path() / "pki") {
  REQUIRE(pki::InitAuthority(paths_.dir()).ok());
  REQUIRE(
      pki::IssueAgency(paths_.dir(), kAgencyA, "Văn phòng Chính phủ", "").ok());
  REQUIRE(pki::IssueAgency(paths_.dir(), kAgencyB, "Bộ Nội vụ", "").ok());
  REQUIRE(pki::IssueAgency(paths_.dir(), kAgencyC, "Bộ Tài chính", "").ok());
  REQUIRE(pki::IssueBroker(paths_.dir()).ok());
  auto keys = audit::GenerateNoteKeys(kBrokerOrigin);
  REQUIRE(keys.ok());
  log_keys_ = *keys;
}

AgentOptions TestPki::OptionsFor(const std::string& agency,
                                 const std::filesystem::path& data_dir,
                                 const std::string& endpoint) const {
  AgentOptions o;
  o.agency_id = agency;
  o.data_dir = data_dir;
  o.broker_endpoint = endpoint;
  o.broker_public_key = *transport::ReadKeyFile(paths_.broker_curve_public());
  o.curve_public_key =
      *transport::ReadKeyFile(paths_.agency_curve_public(agency));
  o.curve_secret_key =
      *transport::ReadKeyFile(paths_.agency_curve_secret(agency));
  o.signing_key = paths_.agency_key(agency);
  o.certificate = paths_.agency_certificate(agency);
  o.root_certificate = paths_.root_certificate();
  o.crl = paths_.crl();
  o.registry = paths_.registry();
  o.broker_log_vkey = log_keys_.verifier_key;
  o.loop.retransmit_ms = 60'000;
  o.loop.hello_retry_ms = 60'000;
  o.loop.checkpoint_request_ms = 60'000;
  o.loop.publish_interval_ms = 60'000;
  return o;
}

std::unique_ptr<crypto::Signer> TestPki::SignerFor(
    const std::string& agency) const {
  auto signer = crypto::Signer::Load(paths_.agency_key(agency),
                                     paths_.agency_certificate(agency));
  REQUIRE(signer.ok());
  return std::move(signer).value();
}

DocumentRequest SimpleRequest(const std::string& to) {
  DocumentRequest r;
  r.header.add_to()->set_organ_id(to);
  r.header.set_subject("V/v họp giao ban");
  r.header.mutable_code()->set_code_number("15");
  r.header.mutable_code()->set_code_notation("VPCP-HC");
  r.header.mutable_promulgation_info()->set_promulgation_date("2026/11/28");
  return r;
}

SignedDocument MakeDocument(
    const crypto::Signer& signer, const std::string& from,
    const std::vector<std::string>& to,
    const std::vector<std::pair<std::string, std::string>>& files) {
  static RealClock clock;
  SignedDocument d;
  d.header.set_message_id(NewMessageId(clock));
  d.header.mutable_from()->set_organ_id(from);
  for (const std::string& t : to) d.header.add_to()->set_organ_id(t);
  d.header.mutable_code()->set_code_number("12");
  d.header.mutable_code()->set_code_notation("BNV-VP");
  d.header.set_subject("V/v triển khai trục liên thông văn bản");
  d.header.set_document_id(from + ",2026/11/28,12/BNV-VP");
  d.header.set_created_unix_ms(clock.NowUnixMillis());
  for (const auto& [name, data] : files) {
    v1::AttachmentManifest* m = d.header.add_attachments();
    m->set_name(name);
    m->set_media_type("application/pdf");
    m->set_size(data.size());
    m->set_sha256(crypto::Sha256(data));
    v1::AttachmentData a;
    a.set_sha256(m->sha256());
    a.set_data(data);
    d.attachments.push_back(a);
  }
  d.header_bytes = d.header.SerializeAsString();
  auto sig = signer.Sign(d.header_bytes);
  REQUIRE(sig.ok());
  d.signature = *sig;
  return d;
}

v1::Frame DeliverDocumentFrame(uint64_t delivery_id,
                               const SignedDocument& document) {
  v1::Frame f;
  v1::Deliver* d = f.mutable_deliver();
  d->set_delivery_id(delivery_id);
  d->mutable_document()->mutable_document()->set_header(document.header_bytes);
  d->mutable_document()->mutable_document()->set_signature(document.signature);
  for (const v1::AttachmentData& a : document.attachments) {
    *d->mutable_document()->add_attachments() = a;
  }
  return f;
}

v1::SignedReceipt MakeReceipt(const crypto::Signer& signer,
                              const std::string& recipient,
                              const v1::DocumentHeader& header,
                              const std::string& header_bytes) {
  v1::ReceiptBody body;
  body.set_message_id(header.message_id());
  body.set_sender(header.from().organ_id());
  body.set_recipient(recipient);
  body.set_header_sha256(crypto::Sha256(header_bytes));
  for (const v1::AttachmentManifest& m : header.attachments()) {
    body.add_attachment_sha256(m.sha256());
  }
  body.set_received_unix_ms(1'780'000'000'000);
  v1::SignedReceipt receipt;
  receipt.set_body(body.SerializeAsString());
  auto sig = signer.Sign(receipt.body());
  REQUIRE(sig.ok());
  receipt.set_signature(*sig);
  return receipt;
}

FakeBroker::FakeBroker(const TestPki& pki) {
  auto registry = registry::AgencyRegistry::Load(pki.paths().registry());
  REQUIRE(registry.ok());
  auto zap = transport::ZapHandler::Start(
      context_, transport::RegistryAuthenticator(*registry));
  REQUIRE(zap.ok());
  zap_ = std::move(zap).value();
  transport::BrokerSocketOptions options;
  options.endpoint = "tcp://127.0.0.1:*";
  options.curve_secret_z85 =
      *transport::ReadKeyFile(pki.paths().broker_curve_secret());
  auto socket = transport::BrokerSocket::Bind(context_, options);
  REQUIRE(socket.ok());
  socket_ = std::move(socket).value();
}

FakeBroker::~FakeBroker() {
  socket_.reset();
  zap_.reset();
}

bool FakeBroker::ReceiveOne(std::chrono::milliseconds timeout) {
  zmq::socket_t* sockets[] = {&socket_->socket()};
  auto ready = transport::PollReadable(sockets, timeout);
  if (!ready.ok() || !(*ready)[0]) return false;
  auto got = socket_->TryReceive();
  REQUIRE(got.ok());
  if (!got->has_value()) return false;
  Received r;
  r.peer = (*got)->peer;
  r.agency_id = (*got)->agency_id;
  r.payload = (*got)->payload;
  REQUIRE(r.frame.ParseFromString(r.payload));
  backlog_.push_back(std::move(r));
  return true;
}

std::optional<FakeBroker::Received> FakeBroker::Next(
    v1::Frame::BodyCase type, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t checked = 0;
  while (true) {
    for (; checked < backlog_.size(); ++checked) {
      if (backlog_[checked].frame.body_case() == type) {
        Received r = std::move(backlog_[checked]);
        backlog_.erase(backlog_.begin() + static_cast<ptrdiff_t>(checked));
        return r;
      }
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    ReceiveOne(left);
  }
}

void FakeBroker::Send(const transport::Peer& peer, const v1::Frame& frame) {
  REQUIRE(socket_->Send(peer, frame.SerializeAsString()) ==
          transport::SendResult::kSent);
}

transport::Peer FakeBroker::AcceptSession(const std::string& agency) {
  auto hello = Next(v1::Frame::kHello);
  REQUIRE(hello.has_value());
  REQUIRE(hello->agency_id == agency);
  REQUIRE(hello->frame.hello().credit_count() > 0);
  v1::Frame welcome;
  welcome.mutable_welcome()->set_agency_id(agency);
  welcome.mutable_welcome()->set_log_origin(kBrokerOrigin);
  welcome.mutable_welcome()->set_max_frame_bytes(64 << 20);
  Send(hello->peer, welcome);
  return hello->peer;
}

void FakeBroker::Barrier(const transport::Peer& peer) {
  const uint64_t nonce = next_nonce_++;
  v1::Frame ping;
  ping.mutable_ping()->set_nonce(nonce);
  Send(peer, ping);
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    auto pong = Next(v1::Frame::kPong,
                     std::chrono::duration_cast<std::chrono::milliseconds>(
                         deadline - std::chrono::steady_clock::now()));
    REQUIRE(pong.has_value());
    if (pong->frame.pong().nonce() == nonce) return;
  }
  FAIL("no pong from the agent");
}

AgentWithBroker::AgentWithBroker() {
  auto started = Agent::Start(
      pki.OptionsFor(kAgencyA, data.path(), broker.endpoint()), clock);
  REQUIRE(started.ok());
  agent = std::move(started).value();
  routing = broker.AcceptSession();
}

}  // namespace docbus::agent::testing
