// Test helpers for the broker: one test PKI per process (made with
// docbus_pki: root, broker, agencies G22, H41, H29 and a revoked H99), a
// broker started in-process on tcp://127.0.0.1:* with a FakeClock, and test
// agents that speak the wire protocol over a real CURVE DEALER (no sleeps:
// every wait polls with a deadline).
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "bus/broker/broker.h"
#include "bus/core/clock.h"
#include "bus/crypto/signer.h"
#include "bus/transport/agent_socket.h"
#include "certs/pki_paths.h"
#include "docbus/v1/wire.pb.h"
#include "tests/temp_dir.h"

namespace docbus::broker::test {

inline const std::string kG22 = "000.00.00.G22";
inline const std::string kH41 = "000.00.00.H41";
inline const std::string kH29 = "000.00.00.H29";
inline const std::string kRevoked = "000.00.00.H99";
inline const std::string kUnregistered = "000.00.00.H77";
inline const std::string kOrigin = "docbus.test/broker-log";

using ::docbus::testing::TempDir;

// The process-wide test PKI (created on first use, removed at exit).
const pki::PkiPaths& TestPki();
const std::filesystem::path& LogKeyFile();
// A signer for an agency of the test PKI (loaded once).
const crypto::Signer& SignerOf(const std::string& agency);

// Opens a CURVE connection to `endpoint` with `agency`'s keys and waits (up
// to 10 s) for the handshake: true when the broker let it in, false when its
// ZAP handler refused it.
bool HandshakeAccepted(const std::string& endpoint, const std::string& agency);

// A broker over `data_dir` with test-sized limits and the fake clock.
BrokerOptions TestOptions(const std::filesystem::path& data_dir);

class TestBroker {
 public:
  explicit TestBroker(BrokerOptions options);
  ~TestBroker();
  Broker& broker() { return *broker_; }
  FakeClock& clock() { return clock_; }
  const BrokerOptions& options() const { return options_; }
  // Stops the broker (its store can then be opened by the test).
  void Stop();

 private:
  BrokerOptions options_;
  FakeClock clock_;
  std::unique_ptr<Broker> broker_;
};

// One agency's connection to the broker.
class TestAgent {
 public:
  TestAgent(const std::string& agency, const std::string& endpoint);
  ~TestAgent();

  // Connects; unless `hello` is false, sends Hello and waits for Welcome.
  void Open(uint32_t credit_count = 100, uint64_t credit_bytes = 0,
            bool hello = true);
  void Send(const v1::Frame& frame);
  void SendRaw(const std::string& payload);
  // The next frame within `timeout`, or nullopt.
  std::optional<v1::Frame> Receive(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(15000));
  // The next frame of the given kind, skipping others (kept in `skipped`).
  v1::Frame Expect(
      v1::Frame::BodyCase kind,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(15000));
  // Frames received before a Pong to a fresh Ping: everything the broker
  // sent up to now (one turn's answers and deliveries arrive before the next
  // turn's Pong).
  std::vector<v1::Frame> Drain();

  // Submit / ack helpers.
  v1::Frame Submit(const v1::Submit& submit);  // returns Accepted or Rejected
  void Ack(const v1::Deliver& deliver);        // signs a receipt for documents

  const std::string& agency() const { return agency_; }
  zmq::socket_t& socket() { return socket_->socket(); }
  std::vector<v1::Frame> skipped;

 private:
  std::string agency_;
  std::string endpoint_;
  zmq::context_t context_;
  std::unique_ptr<transport::AgentSocket> socket_;
  uint64_t nonce_ = 0;
};

// A broker on a fresh folder with TestOptions and G22 connected (its Hello
// answered): where most broker tests start, with TEST_CASE_METHOD.
// Other options: derive a fixture whose constructor passes its own maker.
struct BrokerWithG22 {
  explicit BrokerWithG22(
      BrokerOptions (*options)(const std::filesystem::path&) = TestOptions)
      : b(options(dir.path())), g22(kG22, b.broker().zmq_endpoint()) {
    g22.Open();
  }

  TempDir dir;
  TestBroker b;
  TestAgent g22;
};

// Waits (up to 30 s) until the broker has rolled back `turns` failed turns
// in all, then checks that `agent` got no Accepted or Rejected for them: a
// failed turn drops every answer, a Ping's Pong included.
void ExpectFailedTurnsUnanswered(TestBroker& b, TestAgent& agent,
                                 double turns = 1);

// A signed document from `from` to `to` with the given attachments and
// priority. `message_id` empty = a fresh one.
v1::Submit MakeSubmit(const std::string& from,
                      const std::vector<std::string>& to,
                      const std::vector<std::string>& attachments = {},
                      int priority = 0, std::string message_id = "");
// Puts `header`'s bytes and its sender's (from.organ_id) signature of them
// into `submit`.
void SignHeader(const v1::DocumentHeader& header, v1::Submit& submit);
// A signed receipt for a delivered document, as `recipient`.
v1::SignedReceipt MakeReceipt(const std::string& recipient,
                              const v1::DocumentDelivery& doc);
// A signed status from `from` to `to` about `message_id`.
v1::SubmitStatus MakeStatus(const std::string& from, const std::string& to,
                            const std::string& message_id, v1::StatusCode code);

}  // namespace docbus::broker::test
