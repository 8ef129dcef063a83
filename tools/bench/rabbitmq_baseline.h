// The reference docbus-bench figures are read against (a throughput is
// reported as a ratio to a mature broker measured in the same run): the
// same number of messages of the same size, from as many publishing threads
// at the same offered rate, through one durable RabbitMQ queue on this
// machine. Messages are persistent and each publisher waits for the broker's
// confirm (the message is on the broker's disk: docbus's "accepted"); one
// consumer acknowledges each message after taking it (docbus's delivery).
// No signatures, one broker hop, no receipts: what a mature durable broker
// does on the same cores and disk at the same moment.
#pragma once

#include <cstddef>
#include <string>

#include "bus/core/status.h"

namespace docbus::bench {

struct BaselineLoad {
  int messages = 0;
  int size = 0;
  int threads = 1;
  double rate = 0;  // messages/s; 0 = as fast as confirms come back
};

struct BaselineFigures {
  size_t consumed = 0;
  double per_second = 0;  // first publish to last consumer ack
  double confirm_p50_ms = 0, confirm_p99_ms = 0;
  double server_cpu_ms = -1;  // per message, of beam.smp; -1 if not found
  double client_cpu_ms = 0;   // per message, of this process
};

// `url`: amqp://user:password@host:port/vhost (rabbitmq-c's syntax). Declares
// a durable queue of its own, deletes it at the end. kUnavailable when the
// broker cannot be reached or refuses the login; kIoError when a publish,
// confirm or consume fails.
Result<BaselineFigures> RunRabbitMqBaseline(const std::string& url,
                                            const BaselineLoad& load);

}  // namespace docbus::bench
