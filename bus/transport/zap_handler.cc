#include "bus/transport/zap_handler.h"

#include <array>
#include <cerrno>
#include <exception>
#include <random>
#include <vector>
#include <zmq_addon.hpp>

#include "bus/core/log.h"
#include "bus/transport/zmq_status.h"

namespace docbus::transport {
namespace {

constexpr char kZapEndpoint[] = "inproc://zeromq.zap.01";

std::shared_ptr<spdlog::logger> Logger() {
  return ComponentLogger("transport");
}

std::string Z85(std::string_view raw_key) {
  std::array<char, 41> text{};
  if (raw_key.size() != 32 ||
      zmq_z85_encode(text.data(),
                     reinterpret_cast<const uint8_t*>(raw_key.data()),
                     raw_key.size()) == nullptr) {
    return "";
  }
  return std::string(text.data(), 40);
}

}  // namespace

Result<std::unique_ptr<ZapHandler>> ZapHandler::Start(
    zmq::context_t& context, Authenticator authenticator) {
  if (!authenticator) {
    return Status(Code::kInvalidArgument, "ZapHandler needs an Authenticator");
  }
  std::unique_ptr<ZapHandler> handler(new ZapHandler());
  handler->context_ = &context;
  handler->authenticator_ =
      std::make_shared<const Authenticator>(std::move(authenticator));
  std::random_device random;
  handler->control_endpoint_ = "inproc://docbus.zap.stop." +
                               std::to_string(random()) + "." +
                               std::to_string(random());
  zmq::socket_t zap;
  zmq::socket_t stop_receiver;
  try {
    zap = zmq::socket_t(context, zmq::socket_type::rep);
    zap.set(zmq::sockopt::linger, 0);
    try {
      zap.bind(kZapEndpoint);
    } catch (const zmq::error_t& error) {
      if (error.num() == EADDRINUSE) {
        return Status(Code::kFailedPrecondition,
                      "a ZAP handler is already bound in this context");
      }
      throw;
    }
    stop_receiver = zmq::socket_t(context, zmq::socket_type::pair);
    stop_receiver.set(zmq::sockopt::linger, 0);
    stop_receiver.bind(handler->control_endpoint_);
    handler->stop_sender_ = zmq::socket_t(context, zmq::socket_type::pair);
    handler->stop_sender_.set(zmq::sockopt::linger, 0);
    handler->stop_sender_.connect(handler->control_endpoint_);
  } catch (const zmq::error_t& error) {
    return internal::ZmqStatus("starting the ZAP handler", error);
  }
  handler->running_ = true;
  // The sockets move to the handler thread; thread creation is the memory
  // barrier libzmq requires for that.
  ZapHandler* self = handler.get();
  handler->thread_ = std::thread(
      [self, zap = std::move(zap), stop = std::move(stop_receiver)]() mutable {
        self->Run(std::move(zap), std::move(stop));
      });
  return handler;
}

ZapHandler::~ZapHandler() {
  try {
    stop_sender_.send(zmq::str_buffer("stop"), zmq::send_flags::dontwait);
  } catch (const zmq::error_t&) {
    // Context already shut down: the thread sees ETERM and ends by itself.
  }
  if (thread_.joinable()) thread_.join();
  stop_sender_.close();
}

void ZapHandler::SetAuthenticator(Authenticator authenticator) {
  auto next = std::make_shared<const Authenticator>(std::move(authenticator));
  std::lock_guard lock(mu_);
  authenticator_ = std::move(next);
}

std::shared_ptr<const Authenticator> ZapHandler::CurrentAuthenticator() const {
  std::lock_guard lock(mu_);
  return authenticator_;
}

void ZapHandler::Run(zmq::socket_t zap, zmq::socket_t control) {
  Loop(zap, control);
  running_ = false;
  // Closing releases inproc names asynchronously; unbinding first releases
  // them now, so a new handler can start in this context right after the
  // destructor returns.
  try {
    zap.unbind(kZapEndpoint);
    control.unbind(control_endpoint_);
  } catch (const zmq::error_t&) {
    // The context is terminating: the names go with it.
  }
}

void ZapHandler::Loop(zmq::socket_t& zap, zmq::socket_t& control) {
  try {
    while (true) {
      std::array<zmq::pollitem_t, 2> items = {
          zmq::pollitem_t{zap.handle(), 0, ZMQ_POLLIN, 0},
          zmq::pollitem_t{control.handle(), 0, ZMQ_POLLIN, 0}};
      try {
        zmq::poll(items.data(), items.size(), std::chrono::milliseconds(-1));
      } catch (const zmq::error_t& error) {
        if (error.num() == EINTR) continue;
        throw;
      }
      if (items[1].revents & ZMQ_POLLIN) return;
      if (items[0].revents & ZMQ_POLLIN) Answer(zap);
    }
  } catch (const zmq::error_t& error) {
    if (error.num() != ETERM) {
      Logger()->error("zap handler stopped: {}",
                      internal::ZmqStatus("zap", error).message());
    }
  }
}

void ZapHandler::Answer(zmq::socket_t& zap) {
  std::vector<zmq::message_t> request;
  if (!zmq::recv_multipart(zap, std::back_inserter(request),
                           zmq::recv_flags::dontwait)) {
    return;
  }
  // RFC 27 request: version, request id, domain, address, identity,
  // mechanism, credentials...
  std::string request_id = request.size() > 1 ? request[1].to_string() : "";
  std::string status_code = "400";
  std::string status_text;
  std::string user_id;
  const std::string address = request.size() > 3 ? request[3].to_string() : "";
  std::string client_key;

  if (request.size() < 6 || request[0].to_string_view() != "1.0") {
    status_text = "malformed ZAP request";
  } else if (request[5].to_string_view() != "CURVE") {
    status_text = "only CURVE is accepted";
  } else if (request.size() != 7 ||
             (client_key = Z85(request[6].to_string_view())).empty()) {
    status_text = "malformed CURVE credentials";
  } else {
    try {
      const ZapDecision decision =
          (*CurrentAuthenticator())(client_key, address);
      if (decision.allowed && !decision.user_id.empty()) {
        status_code = "200";
        status_text = "OK";
        user_id = decision.user_id;
      } else {
        status_text = decision.reason.empty() ? "not allowed" : decision.reason;
      }
    } catch (const std::exception& error) {
      status_code = "500";
      status_text = std::string("authenticator failed: ") + error.what();
    }
  }

  if (status_code == "200") {
    ++allowed_;
    Logger()->debug("zap allowed agency={} peer={}", user_id, address);
  } else {
    ++refused_;
    Logger()->warn("zap refused client_key={} peer={} reason={}",
                   client_key.empty() ? "-" : client_key, address, status_text);
  }
  std::array<zmq::const_buffer, 6> reply = {
      zmq::str_buffer("1.0"),   zmq::buffer(request_id),
      zmq::buffer(status_code), zmq::buffer(status_text),
      zmq::buffer(user_id),     zmq::const_buffer()};
  zmq::send_multipart(zap, reply);
}

}  // namespace docbus::transport
