#include "bus/broker/broker.h"

#include <nlohmann/json.hpp>

#include "bus/audit/tiles.h"
#include "bus/broker/broker_loop.h"
#include "bus/core/log.h"

namespace docbus::broker {

Result<std::unique_ptr<Broker>> Broker::Start(const BrokerOptions& options,
                                              const Clock& clock) {
  DOCBUS_RETURN_IF_ERROR(ValidateBrokerOptions(options));
  std::unique_ptr<Broker> broker(new Broker());
  broker->metrics_ = std::make_unique<Metrics>();
  broker->running_ = true;  // /healthz is ok from the moment we listen
  auto loop =
      BrokerLoop::Create(options, clock, *broker->metrics_, broker->running_);
  if (!loop.ok()) {
    broker->running_ = false;
    return loop.status();
  }
  broker->loop_ = std::move(loop).value();
  broker->zmq_endpoint_ = broker->loop_->zmq_endpoint();
  broker->http_url_ = broker->loop_->http_url();

  nlohmann::json endpoints = {{"zmq", broker->zmq_endpoint_}};
  if (!broker->http_url_.empty()) endpoints["http"] = broker->http_url_;
  const auto file = options.data_dir / "endpoints.json";
  Status s = audit::WriteFileAtomically(file, endpoints.dump() + "\n");
  if (!s.ok()) {
    broker->running_ = false;
    return s.Prefixed("key 'broker.data_dir'");
  }
  broker->endpoints_file_ = file.string();
  ComponentLogger("broker")->info(
      "broker listening zmq={} http={} log_origin={}", broker->zmq_endpoint_,
      broker->http_url_, options.origin);
  broker->thread_ = std::thread([b = broker.get()] { b->Run(); });
  return broker;
}

void Broker::Run() {
  while (!stop_.load()) {
    Status s = loop_->RunTurn();
    if (!s.ok()) {
      ComponentLogger("broker")->critical("broker loop stopped: {}",
                                          s.ToString());
      std::lock_guard lock(status_mu_);
      loop_status_ = s;
      break;
    }
  }
  loop_->Shutdown();
  running_ = false;
}

Status Broker::Stop() {
  if (stopped_) return loop_status();
  stopped_ = true;
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  loop_.reset();
  if (!endpoints_file_.empty()) {
    std::error_code ec;
    std::filesystem::remove(endpoints_file_, ec);
  }
  ComponentLogger("broker")->info("broker stopped");
  return loop_status();
}

Broker::~Broker() { (void)Stop(); }

void Broker::RequestReload() {
  if (loop_) loop_->RequestReload();
}

Status Broker::loop_status() const {
  std::lock_guard lock(status_mu_);
  return loop_status_;
}

int Broker::ExitCodeFor(const Status& start_failure) {
  switch (start_failure.code()) {
    case Code::kCorruption:
    case Code::kFailedPrecondition:
      return 3;
    case Code::kInvalidArgument:
    case Code::kNotFound:
      return 2;
    default:
      return 1;
  }
}

}  // namespace docbus::broker
