#include "tools/bench/rabbitmq_baseline.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "tools/bench/measure.h"
#include "tools/bench/offered_load.h"

namespace docbus::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr amqp_channel_t kChannel = 1;
constexpr uint16_t kPrefetch = 1000;
constexpr timeval kConsumeTimeout{60, 0};

bool Normal(const amqp_rpc_reply_t& reply) {
  return reply.reply_type == AMQP_RESPONSE_NORMAL;
}

// One AMQP connection with channel 1 open; not thread-safe.
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(
      const amqp_connection_info& info) {
    std::unique_ptr<Connection> c(new Connection());
    amqp_socket_t* socket = amqp_tcp_socket_new(c->state_);
    if (socket == nullptr ||
        amqp_socket_open(socket, info.host, info.port) != AMQP_STATUS_OK) {
      return Status(Code::kUnavailable, std::string("cannot connect to ") +
                                            info.host + ":" +
                                            std::to_string(info.port));
    }
    if (!Normal(amqp_login(c->state_, info.vhost, 0, 131072, 0,
                           AMQP_SASL_METHOD_PLAIN, info.user, info.password))) {
      return Status(Code::kUnavailable, "RabbitMQ refused the login");
    }
    c->logged_in_ = true;
    amqp_channel_open(c->state_, kChannel);
    if (!Normal(amqp_get_rpc_reply(c->state_))) {
      return Status(Code::kUnavailable, "RabbitMQ refused a channel");
    }
    return c;
  }
  ~Connection() {
    if (logged_in_) {
      amqp_channel_close(state_, kChannel, AMQP_REPLY_SUCCESS);
      amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
    }
    amqp_destroy_connection(state_);
  }
  amqp_connection_state_t get() const { return state_; }

 private:
  Connection() : state_(amqp_new_connection()) {}
  amqp_connection_state_t state_;
  bool logged_in_ = false;
};

Status Failed(const std::string& what) {
  return Status(Code::kIoError, "RabbitMQ: " + what);
}

// Publishes messages t, t + step, ... persistent, each waiting for its
// confirm; appends publish→confirm milliseconds.
Status Publish(const amqp_connection_info& info, const std::string& queue,
               const BaselineLoad& load, int first, Clock::time_point start,
               std::vector<double>& confirm_ms) {
  DOCBUS_ASSIGN_OR_RETURN(std::unique_ptr<Connection> c,
                          Connection::Open(info));
  amqp_confirm_select(c->get(), kChannel);
  if (!Normal(amqp_get_rpc_reply(c->get())))
    return Failed("confirm.select refused");
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
  props.delivery_mode = 2;  // persistent
  std::mt19937_64 random(static_cast<uint64_t>(first));
  std::string payload(static_cast<size_t>(load.size), '\0');
  for (int i = first; i < load.messages; i += load.threads) {
    WaitForTurn(start, i, load.rate);
    Randomize(payload, random);
    const auto sent = Clock::now();
    amqp_bytes_t body{payload.size(), payload.data()};
    if (amqp_basic_publish(c->get(), kChannel, amqp_empty_bytes,
                           amqp_cstring_bytes(queue.c_str()), 0, 0, &props,
                           body) != AMQP_STATUS_OK) {
      return Failed("publish failed");
    }
    amqp_method_t method;
    const int waited = amqp_simple_wait_method(c->get(), kChannel,
                                               AMQP_BASIC_ACK_METHOD, &method);
    if (waited != AMQP_STATUS_OK) {
      return Failed(std::string("no confirm: ") + amqp_error_string2(waited));
    }
    confirm_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
  }
  return Status::Ok();
}

}  // namespace

Result<BaselineFigures> RunRabbitMqBaseline(const std::string& url,
                                            const BaselineLoad& load) {
  std::string url_text = url;  // amqp_parse_url points into it
  amqp_connection_info info{};
  if (amqp_parse_url(url_text.data(), &info) != AMQP_STATUS_OK) {
    return Status(Code::kInvalidArgument, "not an amqp:// URL: " + url);
  }
  DOCBUS_ASSIGN_OR_RETURN(std::unique_ptr<Connection> consumer,
                          Connection::Open(info));
  const std::string queue = "docbus-bench-" + std::to_string(getpid());
  amqp_connection_state_t conn = consumer->get();
  amqp_queue_declare(conn, kChannel, amqp_cstring_bytes(queue.c_str()), 0,
                     /*durable=*/1, 0, /*auto_delete=*/0, amqp_empty_table);
  if (!Normal(amqp_get_rpc_reply(conn))) return Failed("queue.declare refused");
  amqp_basic_qos(conn, kChannel, 0, kPrefetch, 0);
  amqp_basic_consume(conn, kChannel, amqp_cstring_bytes(queue.c_str()),
                     amqp_empty_bytes, 0, /*no_ack=*/0, 0, amqp_empty_table);
  if (!Normal(amqp_get_rpc_reply(conn))) return Failed("basic.consume refused");

  const pid_t server = FindProcess("beam.smp");
  const double server_before = server > 0 ? CpuSeconds(server) : 0;
  const double own_before = OwnCpuSeconds();
  std::vector<std::vector<double>> confirm_ms(
      static_cast<size_t>(load.threads));
  std::vector<Status> published(static_cast<size_t>(load.threads));
  const auto start = Clock::now();
  std::vector<std::thread> publishers;
  for (int t = 0; t < load.threads; ++t) {
    publishers.emplace_back([&, t] {
      published[t] = Publish(info, queue, load, t, start, confirm_ms[t]);
    });
  }
  BaselineFigures f;
  Clock::time_point last = start;
  Status consumed = Status::Ok();
  while (f.consumed < static_cast<size_t>(load.messages)) {
    amqp_maybe_release_buffers(conn);
    amqp_envelope_t envelope;
    timeval timeout = kConsumeTimeout;
    if (!Normal(amqp_consume_message(conn, &envelope, &timeout, 0))) {
      consumed = Failed("nothing to consume for 60 s");
      break;
    }
    const int acked = amqp_basic_ack(conn, kChannel, envelope.delivery_tag, 0);
    amqp_destroy_envelope(&envelope);
    if (acked != AMQP_STATUS_OK) {
      consumed = Failed("ack failed");
      break;
    }
    ++f.consumed;
    last = Clock::now();
  }
  for (auto& p : publishers) p.join();
  amqp_queue_delete(conn, kChannel, amqp_cstring_bytes(queue.c_str()), 0, 0);
  for (const Status& s : published) DOCBUS_RETURN_IF_ERROR(s);
  DOCBUS_RETURN_IF_ERROR(consumed);

  std::vector<double> all;
  for (const auto& v : confirm_ms) all.insert(all.end(), v.begin(), v.end());
  const double n = static_cast<double>(std::max<size_t>(f.consumed, 1));
  f.per_second =
      f.consumed / std::chrono::duration<double>(last - start).count();
  f.confirm_p50_ms = Percentile(all, 0.5);
  f.confirm_p99_ms = Percentile(all, 0.99);
  if (server > 0)
    f.server_cpu_ms = (CpuSeconds(server) - server_before) * 1000 / n;
  f.client_cpu_ms = (OwnCpuSeconds() - own_before) * 1000 / n;
  return f;
}

}  // namespace docbus::bench
