// Frames from authenticated agencies, straight into a running broker: the
// bytes a compromised or broken agent could send over its CURVE connection.
// The broker runs in this process (so its code is instrumented) on loopback,
// with agencies G22 and H41 connected; the first byte of an input picks the
// sender, the rest is the frame. After each frame a Hello and a Ping must be
// answered: a crash is caught by the sanitizers, a broker that stops
// answering aborts the run.
//
// DOCBUS_FUZZ_SEEDS=<folder> writes a seed corpus of valid frames (signed
// documents, a chunked upload, a status, acks, chunk fetches, ...) and exits;
// DOCBUS_FUZZ_LOG=<level> shows the broker's log (fuzz_support.h).
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "bus/broker/broker.h"
#include "bus/core/clock.h"
#include "bus/core/ids.h"
#include "bus/core/log.h"
#include "bus/transport/agent_socket.h"
#include "bus/transport/curve_keys.h"
#include "bus/transport/poll.h"
#include "certs/pki_paths.h"
#include "docbus/v1/wire.pb.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/temp_dir.h"

namespace docbus {
namespace {

using fuzz::FuzzPki;
using fuzz::kG22;
using fuzz::kH41;
using fuzz::LogLevel;
using fuzz::Must;
using std::chrono::milliseconds;

// One agency's connection, as the agent daemon makes it.
class Connection {
 public:
  Connection(zmq::context_t& context, const pki::PkiPaths& pki,
             const std::string& agency, const std::string& endpoint) {
    transport::AgentSocketOptions o;
    o.endpoint = endpoint;
    o.broker_public_z85 =
        Must(transport::ReadKeyFile(pki.broker_curve_public()), "broker key");
    o.public_z85 =
        Must(transport::ReadKeyFile(pki.agency_curve_public(agency)), "key");
    o.secret_z85 =
        Must(transport::ReadKeyFile(pki.agency_curve_secret(agency)), "key");
    socket_ = Must(transport::AgentSocket::Connect(context, o), "connect");
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!socket_->TakeReconnected()) {
      if (std::chrono::steady_clock::now() > deadline)
        Must(Status(Code::kInternal, "no handshake"), agency.c_str());
      zmq::socket_t* sockets[] = {&socket_->socket(),
                                  &socket_->monitor_socket()};
      Must(transport::PollReadable(sockets, milliseconds(50)).status(), "poll");
    }
    Sync();
  }

  void Send(const std::string& payload) {
    fuzz::SendWithin([&] { return socket_->Send(payload); });
  }

  // Sends Hello and Ping, and reads (dropping what comes first) until the
  // Pong: the broker has handled everything sent before.
  void Sync() {
    v1::Frame hello;
    hello.mutable_hello()->set_protocol_version(1);
    hello.mutable_hello()->set_credit_count(100);
    Send(hello.SerializeAsString());
    v1::Frame ping;
    ping.mutable_ping()->set_nonce(++nonce_);
    Send(ping.SerializeAsString());
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      auto payload = fuzz::ReceiveOrWait(*socket_);
      if (!payload) continue;
      const v1::Frame frame = fuzz::ParsedFrame(*payload);
      if (frame.has_pong() && frame.pong().nonce() == nonce_) return;
    }
    Must(Status(Code::kInternal, "the broker stopped answering"), "sync");
  }

 private:
  std::unique_ptr<transport::AgentSocket> socket_;
  uint64_t nonce_ = 0;
};

// Valid frames of every kind a sender or a recipient sends.
std::vector<std::pair<std::string, v1::Frame>> SeedFrames() {
  static RealClock clock;
  std::vector<std::pair<std::string, v1::Frame>> seeds;
  const auto document = [&](const std::string& body, bool chunked) {
    const v1::DocumentHeader header = fuzz::SeedHeader(kG22, kH41, body);
    v1::Frame frame;
    v1::Submit* submit = frame.mutable_submit();
    submit->mutable_document()->set_header(header.SerializeAsString());
    submit->mutable_document()->set_signature(
        fuzz::SignedBy(kG22, submit->document().header()));
    submit->set_chunked(chunked);
    if (!chunked) {
      v1::AttachmentData* data = submit->add_attachments();
      data->set_sha256(header.attachments(0).sha256());
      data->set_data(body);
    }
    return std::make_pair(header.message_id(), frame);
  };
  const auto [inline_id, inline_doc] = document(std::string(3000, 'a'), false);
  seeds.emplace_back(kG22, inline_doc);
  const auto [chunked_id, chunked_doc] = document(std::string(5000, 'b'), true);
  v1::Frame upload;
  upload.mutable_upload_chunk()->set_message_id(chunked_id);
  upload.mutable_upload_chunk()->set_total_size(5000);
  upload.mutable_upload_chunk()->set_data(std::string(2500, 'b'));
  seeds.emplace_back(kG22, upload);
  upload.mutable_upload_chunk()->set_offset(2500);
  seeds.emplace_back(kG22, upload);
  seeds.emplace_back(kG22, chunked_doc);

  v1::StatusBody body;
  body.set_status_id(NewMessageId(clock));
  body.set_message_id(inline_id);
  body.mutable_from()->set_organ_id(kH41);
  body.set_to(kG22);
  body.set_code(v1::STATUS_ACCEPTED);
  v1::Frame status;
  status.mutable_submit_status()->mutable_status()->set_body(
      body.SerializeAsString());
  status.mutable_submit_status()->mutable_status()->set_signature(
      fuzz::SignedBy(kH41, status.submit_status().status().body()));
  seeds.emplace_back(kH41, status);

  v1::Frame f;
  f.mutable_ack()->set_delivery_id(1);
  seeds.emplace_back(kH41, f);
  f.mutable_fetch_chunk()->set_delivery_id(2);
  f.mutable_fetch_chunk()->set_offset(1000);
  seeds.emplace_back(kH41, f);
  f.mutable_refuse()->set_delivery_id(1);
  f.mutable_refuse()->set_reason(v1::REASON_DIGEST_MISMATCH);
  seeds.emplace_back(kH41, f);
  f.mutable_credit()->set_count(5);
  f.mutable_credit()->set_bytes(1 << 20);
  seeds.emplace_back(kH41, f);
  f.mutable_checkpoint_request()->set_known_size(1);
  seeds.emplace_back(kG22, f);
  f.mutable_proof_request()->set_audit_index(0);
  seeds.emplace_back(kG22, f);
  return seeds;
}

struct Bus {
  Bus() : pki(FuzzPki()) {
    SetLogLevel(LogLevel());
    RouteProtobufLogs();  // as the daemon does
    fuzz::FuzzLogKeys();  // made if missing
    broker::BrokerOptions o;
    o.listen = "tcp://127.0.0.1:*";
    o.data_dir = dir.path() / "broker";
    o.curve_secret_key = pki.broker_curve_secret();
    o.root_certificate = pki.root_certificate();
    o.crl = pki.crl();
    o.registry = pki.registry();
    o.origin = fuzz::kLogOrigin;
    o.log_key = fuzz::FuzzLogKeyFile();
    o.max_frame_bytes = 64 * 1024;
    o.max_document_bytes = 192 * 1024;
    o.max_attachments = 4;
    o.max_attachment_bytes = 64 * 1024;
    o.http_listen = "127.0.0.1:0";
    o.log_level = LogLevel();
    broker = Must(broker::Broker::Start(o, clock), "broker");
    g22 = std::make_unique<Connection>(context, pki, kG22,
                                       broker->zmq_endpoint());
    h41 = std::make_unique<Connection>(context, pki, kH41,
                                       broker->zmq_endpoint());
    // Some state for mutated frames to meet: documents queued and delivered.
    for (const auto& [agency, frame] : SeedFrames())
      Run(agency == kG22 ? 0 : 1, frame.SerializeAsString());
  }

  void Run(uint8_t selector, const std::string& payload) {
    Connection& from = (selector & 1) == 0 ? *g22 : *h41;
    from.Send(payload);
    from.Sync();
  }

  testing::TempDir dir;
  const pki::PkiPaths& pki;
  RealClock clock;
  std::unique_ptr<broker::Broker> broker;
  zmq::context_t context{1};
  std::unique_ptr<Connection> g22, h41;
};

}  // namespace
}  // namespace docbus

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  docbus::fuzz::WriteSeedsIfAsked([] {
    std::vector<std::string> inputs;  // the sending agency's byte, the frame
    for (const auto& [agency, frame] : docbus::SeedFrames()) {
      const char selector = agency == docbus::kG22 ? '\0' : '\1';
      inputs.push_back(selector + frame.SerializeAsString());
    }
    return inputs;
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  docbus::Bus& bus = docbus::fuzz::DaemonUnderTest<docbus::Bus>();
  if (size == 0) return 0;
  bus.Run(data[0],
           std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
