// Frames from the broker, straight into a running agent: what a compromised
// or broken broker could send over the agent's CURVE connection (deliveries,
// answers, chunks, checkpoints, proofs, errors). The agent of G22 runs in this
// process (so its code is instrumented) against a stand-in broker on loopback
// that accepts its session; each input is one frame. After each, a Ping must
// be answered (a Hello is answered Welcome first): a crash is caught by the
// sanitizers, an agent that stops answering aborts the run.
//
// DOCBUS_FUZZ_SEEDS=<folder> writes a seed corpus of valid frames (a document
// signed by H41, a receipt, a status, a dead letter, a signed checkpoint, a
// chunk, answers) and exits.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "agents/agent.h"
#include "bus/audit/checkpoint.h"
#include "bus/audit/hash.h"
#include "bus/audit/note_signer.h"
#include "bus/audit/tlog_proof.h"
#include "bus/core/clock.h"
#include "bus/core/ids.h"
#include "bus/core/log.h"
#include "bus/crypto/sha256.h"
#include "bus/registry/agency_registry.h"
#include "bus/transport/broker_socket.h"
#include "bus/transport/curve_keys.h"
#include "bus/transport/registry_authenticator.h"
#include "bus/transport/zap_handler.h"
#include "docbus/v1/wire.pb.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/temp_dir.h"

namespace docbus {
namespace {

using fuzz::FuzzPki;
using fuzz::kG22;
using fuzz::kH41;
using fuzz::Must;

std::vector<v1::Frame> SeedFrames() {
  static RealClock clock;
  std::vector<v1::Frame> seeds;
  const std::string body(3000, 'a');
  // A document from H41 for G22 with `body` as its attachment.
  const auto document = [&](v1::DocumentHeader* header) {
    *header = fuzz::SeedHeader(kH41, kG22, body);
    v1::DocumentDelivery delivery;
    delivery.mutable_document()->set_header(header->SerializeAsString());
    delivery.mutable_document()->set_signature(
        fuzz::SignedBy(kH41, delivery.document().header()));
    return delivery;
  };
  v1::DocumentHeader header;
  v1::Frame f;
  f.mutable_deliver()->set_delivery_id(1);
  *f.mutable_deliver()->mutable_document() = document(&header);
  const std::string header_bytes = f.deliver().document().document().header();
  const v1::AttachmentManifest* m = &header.attachments(0);
  v1::AttachmentData* data =
      f.mutable_deliver()->mutable_document()->add_attachments();
  data->set_sha256(m->sha256());
  data->set_data(body);
  seeds.push_back(f);
  v1::DocumentHeader chunked_header;
  f.mutable_deliver()->set_delivery_id(2);
  *f.mutable_deliver()->mutable_document() = document(&chunked_header);
  f.mutable_deliver()->mutable_document()->set_chunked(true);
  seeds.push_back(f);

  v1::Frame chunk;
  chunk.mutable_chunk()->set_delivery_id(2);
  chunk.mutable_chunk()->set_data(body.substr(0, 1500));
  seeds.push_back(chunk);
  chunk.mutable_chunk()->set_offset(1500);
  chunk.mutable_chunk()->set_data(body.substr(1500));
  seeds.push_back(chunk);

  v1::ReceiptBody receipt;
  receipt.set_message_id(header.message_id());
  receipt.set_sender(kG22);
  receipt.set_recipient(kH41);
  receipt.set_header_sha256(crypto::Sha256(header_bytes));
  receipt.add_attachment_sha256(m->sha256());
  receipt.set_received_unix_ms(clock.NowUnixMillis());
  f.mutable_deliver()->set_delivery_id(3);
  f.mutable_deliver()->mutable_receipt()->set_body(receipt.SerializeAsString());
  f.mutable_deliver()->mutable_receipt()->set_signature(
      fuzz::SignedBy(kH41, f.deliver().receipt().body()));
  seeds.push_back(f);

  v1::StatusBody status;
  status.set_status_id(NewMessageId(clock));
  status.set_message_id(header.message_id());
  status.mutable_from()->set_organ_id(kH41);
  status.set_to(kG22);
  status.set_code(v1::STATUS_REFUSED);
  status.set_description("sai thể thức");
  f.mutable_deliver()->set_delivery_id(4);
  f.mutable_deliver()->mutable_status()->set_body(status.SerializeAsString());
  f.mutable_deliver()->mutable_status()->set_signature(
      fuzz::SignedBy(kH41, f.deliver().status().body()));
  seeds.push_back(f);

  f.mutable_deliver()->set_delivery_id(5);
  f.mutable_deliver()->mutable_dead_letter()->set_message_id(
      header.message_id());
  f.mutable_deliver()->mutable_dead_letter()->set_recipient(kH41);
  seeds.push_back(f);

  const audit::NoteSigner log = Must(
      audit::NoteSigner::FromKey(fuzz::FuzzLogKeys().signer_key), "log key");
  v1::Frame update;
  update.mutable_checkpoint_update()->set_checkpoint(
      log.Sign(audit::FormatCheckpoint(
          {fuzz::kLogOrigin, 1, audit::LeafHash("entry")})));
  seeds.push_back(update);
  v1::Frame proof;
  proof.mutable_proof_response()->set_audit_index(0);
  proof.mutable_proof_response()->set_tlog_proof(
      audit::FormatTlogProof(0, {}, update.checkpoint_update().checkpoint()));
  seeds.push_back(proof);

  f.mutable_accepted()->set_message_id(header.message_id());
  f.mutable_accepted()->set_audit_index(7);
  seeds.push_back(f);
  f.mutable_rejected()->set_message_id(header.message_id());
  f.mutable_rejected()->set_reason(v1::REASON_BAD_SIGNATURE);
  seeds.push_back(f);
  f.mutable_chunk_stored()->set_message_id(header.message_id());
  f.mutable_chunk_stored()->set_received(1000);
  seeds.push_back(f);
  f.mutable_error()->set_reason(v1::REASON_UNAVAILABLE);
  f.mutable_error()->set_detail("hello first");
  seeds.push_back(f);
  return seeds;
}

// The stand-in broker and the agent connected to it.
class Link {
 public:
  Link() {
    SetLogLevel(fuzz::LogLevel());
    RouteProtobufLogs();  // as the daemon does
    const pki::PkiPaths& pki = FuzzPki();
    zap_ = Must(
        transport::ZapHandler::Start(
            context_,
            transport::RegistryAuthenticator(Must(
                registry::AgencyRegistry::Load(pki.registry()), "registry"))),
        "zap");
    transport::BrokerSocketOptions so;
    so.endpoint = "tcp://127.0.0.1:*";
    so.curve_secret_z85 =
        Must(transport::ReadKeyFile(pki.broker_curve_secret()), "key");
    socket_ = Must(transport::BrokerSocket::Bind(context_, so), "bind");

    agent::AgentOptions o;
    o.agency_id = kG22;
    o.data_dir = data_.path();
    o.broker_endpoint = socket_->endpoint();
    o.broker_public_key =
        Must(transport::ReadKeyFile(pki.broker_curve_public()), "key");
    o.curve_public_key =
        Must(transport::ReadKeyFile(pki.agency_curve_public(kG22)), "key");
    o.curve_secret_key =
        Must(transport::ReadKeyFile(pki.agency_curve_secret(kG22)), "key");
    o.signing_key = pki.agency_key(kG22);
    o.certificate = pki.agency_certificate(kG22);
    o.root_certificate = pki.root_certificate();
    o.crl = pki.crl();
    o.registry = pki.registry();
    o.broker_log_vkey = fuzz::FuzzLogKeys().verifier_key;
    agent_ = Must(agent::Agent::Start(o, clock_), "agent");
    Sync();
    for (const v1::Frame& frame : SeedFrames()) Run(frame.SerializeAsString());
  }

  void Run(const std::string& payload) {
    Send(payload);  // routing_ is known since the first Sync
    Sync();
  }

 private:
  void Send(const std::string& payload) {
    fuzz::SendWithin([&] { return socket_->Send(routing_, payload); });
  }

  // Answers Hello with Welcome, and waits for the Pong to a fresh Ping.
  void Sync() {
    const uint64_t nonce = ++nonce_;
    bool pinged = false;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (!pinged && !routing_.routing_id.empty()) {
        v1::Frame ping;
        ping.mutable_ping()->set_nonce(nonce);
        Send(ping.SerializeAsString());
        pinged = true;
      }
      auto in = fuzz::ReceiveOrWait(*socket_);
      if (!in) continue;
      const v1::Frame frame = fuzz::ParsedFrame(in->payload);
      if (frame.has_hello()) {
        routing_ = in->peer;
        v1::Frame welcome;
        welcome.mutable_welcome()->set_agency_id(kG22);
        welcome.mutable_welcome()->set_log_origin(fuzz::kLogOrigin);
        welcome.mutable_welcome()->set_max_frame_bytes(64 << 20);
        Send(welcome.SerializeAsString());
        pinged = false;  // ping again on the new session
      } else if (frame.has_pong() && frame.pong().nonce() == nonce) {
        return;
      }
    }
    Must(Status(Code::kInternal, "the agent stopped answering"), "sync");
  }

  testing::TempDir data_{"docbus-fuzz-agent"};
  RealClock clock_;
  zmq::context_t context_{1};
  std::unique_ptr<transport::ZapHandler> zap_;
  std::unique_ptr<transport::BrokerSocket> socket_;
  std::unique_ptr<agent::Agent> agent_;
  transport::Peer routing_;
  uint64_t nonce_ = 0;
};

}  // namespace
}  // namespace docbus

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  docbus::fuzz::WriteSeedsIfAsked([] {
    std::vector<std::string> inputs;
    for (const auto& frame : docbus::SeedFrames())
      inputs.push_back(frame.SerializeAsString());
    return inputs;
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  docbus::fuzz::DaemonUnderTest<docbus::Link>().Run(
      std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
