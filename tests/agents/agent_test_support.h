// Test support for the agent core: a fresh PKI in a temp folder (agencies A,
// B, C and the broker), agent options for it, documents signed as another
// agency, and FakeBroker: a real CURVE ROUTER with a ZAP handler on
// tcp://127.0.0.1:* that the test drives frame by frame. Waiting is always by
// polling with a deadline, never by sleeping.
#pragma once

#include <chrono>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "agents/agent.h"
#include "bus/audit/note_signer.h"
#include "bus/core/clock.h"
#include "bus/crypto/signer.h"
#include "bus/transport/broker_socket.h"
#include "bus/transport/zap_handler.h"
#include "certs/pki_paths.h"
#include "docbus/v1/wire.pb.h"
#include "tests/temp_dir.h"

namespace docbus::agent::testing {

inline constexpr char kAgencyA[] = "000.00.00.G22";  // the agent under test
inline constexpr char kAgencyB[] = "000.00.00.H41";
inline constexpr char kAgencyC[] = "000.00.00.H42";
inline constexpr char kBrokerOrigin[] = "docbus.test/broker";
inline constexpr auto kWait = std::chrono::seconds(10);

using ::docbus::testing::TempDir;

// A PKI folder with agencies A, B and C and the broker, plus the broker's
// audit log note keys.
class TestPki {
 public:
  TestPki();
  const pki::PkiPaths& paths() const { return paths_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  const std::string& broker_log_signer_key() const {
    return log_keys_.signer_key;
  }
  const std::string& broker_log_verifier_key() const {
    return log_keys_.verifier_key;
  }

  // Options for an agent of `agency` storing in `data_dir`, connecting to
  // `endpoint`; timers long so that tests see only the frames they cause.
  AgentOptions OptionsFor(const std::string& agency,
                          const std::filesystem::path& data_dir,
                          const std::string& endpoint) const;
  std::unique_ptr<crypto::Signer> SignerFor(const std::string& agency) const;

 private:
  TempDir dir_;
  pki::PkiPaths paths_;
  audit::NoteKeys log_keys_;
};

// What an agency system submits: a document for `to` with the usual edXML
// fields and no attachments.
DocumentRequest SimpleRequest(const std::string& to);

// A document signed by `signer` (as `from`) for `to`, with attachments
// given as name -> bytes.
struct SignedDocument {
  v1::DocumentHeader header;
  std::string header_bytes;
  std::string signature;
  std::vector<v1::AttachmentData> attachments;
};
SignedDocument MakeDocument(
    const crypto::Signer& signer, const std::string& from,
    const std::vector<std::string>& to,
    const std::vector<std::pair<std::string, std::string>>& files);
v1::Frame DeliverDocumentFrame(uint64_t delivery_id,
                               const SignedDocument& document);
// A receipt for `header_bytes` signed by `signer`, claiming `recipient`.
v1::SignedReceipt MakeReceipt(const crypto::Signer& signer,
                              const std::string& recipient,
                              const v1::DocumentHeader& header,
                              const std::string& header_bytes);

// A broker stand-in. All calls from the test thread.
class FakeBroker {
 public:
  struct Received {
    transport::Peer peer;
    std::string agency_id;
    std::string payload;  // exact bytes
    v1::Frame frame;
  };

  explicit FakeBroker(const TestPki& pki);
  ~FakeBroker();
  const std::string& endpoint() const { return socket_->endpoint(); }

  // The next frame of type `type` within `timeout`, earlier frames of other
  // types kept for later calls; nullopt on timeout.
  std::optional<Received> Next(v1::Frame::BodyCase type,
                               std::chrono::milliseconds timeout = kWait);
  void Send(const transport::Peer& peer, const v1::Frame& frame);
  // Waits for Hello and answers Welcome; returns the agent's connection.
  transport::Peer AcceptSession(const std::string& agency = kAgencyA);
  // Sends Ping and waits for its Pong: everything sent before it has been
  // handled and committed by the agent.
  void Barrier(const transport::Peer& peer);
  // Frames received but not yet taken by Next.
  size_t backlog_size() const { return backlog_.size(); }

 private:
  bool ReceiveOne(std::chrono::milliseconds timeout);

  zmq::context_t context_{1};
  std::unique_ptr<transport::ZapHandler> zap_;
  std::unique_ptr<transport::BrokerSocket> socket_;
  std::deque<Received> backlog_;
  uint64_t next_nonce_ = 1;
};

// An agent of agency A on a fresh data folder, connected to a FakeBroker
// that accepted its session: where most agent tests start.
struct AgentWithBroker {
  AgentWithBroker();

  TestPki pki;
  TempDir data{"docbus-agent-data"};
  FakeBroker broker{pki};
  RealClock clock;
  std::unique_ptr<Agent> agent;
  transport::Peer routing;  // the agent's connection at the broker
};

}  // namespace docbus::agent::testing
