// What the fuzz targets that run daemons share: a test PKI kept in
// <temp>/docbus-fuzz-pki (agencies G22 and H41, the broker, the broker log's
// note keys), so that seeds signed in one run stay valid in the next, and
// Must(), which aborts the run with the failure (set-up errors only).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>
#include <zmq.hpp>

#include "bus/audit/note_signer.h"
#include "bus/core/status.h"
#include "bus/transport/poll.h"
#include "bus/transport/send_result.h"
#include "certs/pki_paths.h"
#include "docbus/v1/document.pb.h"
#include "docbus/v1/wire.pb.h"

namespace docbus::fuzz {

inline const std::string kG22 = "000.00.00.G22";
inline const std::string kH41 = "000.00.00.H41";
inline const std::string kLogOrigin = "docbus.fuzz/broker-log";

inline void Must(const Status& status, const char* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
    std::abort();
  }
}

template <typename T>
T Must(Result<T> result, const char* what) {
  Must(result.status(), what);
  return std::move(result).value();
}

// The daemon under test (a T made on first use), destroyed by an exit
// handler: its threads must stop before exit destroys the statics they use.
template <typename T>
T& DaemonUnderTest() {
  static T* daemon = nullptr;
  if (daemon == nullptr) {
    daemon = new T();
    std::atexit([] { delete std::exchange(daemon, nullptr); });
  }
  return *daemon;
}

const pki::PkiPaths& FuzzPki();
// The broker log's note keys (kLogOrigin), kept beside the PKI; the signer
// key's file, for a broker's audit.log_key.
const audit::NoteKeys& FuzzLogKeys();
std::filesystem::path FuzzLogKeyFile();

// `bytes` signed (CMS) with `agency`'s key of FuzzPki().
std::string SignedBy(const std::string& agency, const std::string& bytes);
// A valid document header from `from` to `to` whose one attachment is
// `body`, with a fresh message id.
v1::DocumentHeader SeedHeader(const std::string& from, const std::string& to,
                              const std::string& body);

// Calls `send` until the daemon under test takes the frame (kSent); aborts
// after 10 s: it stopped reading.
void SendWithin(const std::function<transport::SendResult()>& send);

// What the socket (an AgentSocket or a BrokerSocket) has received, or
// nothing after waiting up to 20 ms for it.
template <typename Socket>
auto ReceiveOrWait(Socket& socket) {
  auto in = Must(socket.TryReceive(), "receive");
  if (!in) {
    zmq::socket_t* sockets[] = {&socket.socket()};
    Must(transport::PollReadable(sockets, std::chrono::milliseconds(20))
             .status(),
         "poll");
  }
  return in;
}

// A frame from the daemon under test; aborts when it does not parse.
v1::Frame ParsedFrame(const std::string& payload);

// DOCBUS_FUZZ_LOG=<level> shows the daemon's log; "off" otherwise.
std::string LogLevel();

// With DOCBUS_FUZZ_SEEDS=<folder>: writes each of `inputs()` there as
// seed-<n> and exits. Otherwise does nothing. For LLVMFuzzerInitialize.
void WriteSeedsIfAsked(const std::function<std::vector<std::string>()>& inputs);

}  // namespace docbus::fuzz
