#include "tools/operator_commands.h"

#include <httplib.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace docbus {
namespace {

std::string Age(double seconds) {
  if (seconds <= 0) return "-";
  char buf[32];
  if (seconds < 120) {
    std::snprintf(buf, sizeof buf, "%.0fs", seconds);
  } else if (seconds < 7200) {
    std::snprintf(buf, sizeof buf, "%.0fm", seconds / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%.1fh", seconds / 3600);
  }
  return buf;
}

void PrintStatus(const nlohmann::json& s) {
  std::printf("broker %s  up %s  audit log %lld entries (checkpoint at %lld)\n",
              s.value("log_origin", "?").c_str(),
              Age(s.value("uptime_s", 0.0)).c_str(),
              static_cast<long long>(s.value("audit_log_size", int64_t{0})),
              static_cast<long long>(s.value("checkpoint_size", int64_t{0})));
  std::printf("%-16s %-7s %8s %8s %10s %8s\n", "agency", "online", "queued",
              "oldest", "in flight", "credit");
  const nlohmann::json empty = nlohmann::json::array();
  const nlohmann::json& agencies = s.contains("agencies") ? s["agencies"] : empty;
  for (const auto& a : agencies) {
    std::printf("%-16s %-7s %8lld %8s %10lld %8lld\n",
                a.value("agency", "?").c_str(), a.value("online", false) ? "yes" : "no",
                static_cast<long long>(a.value("queue_depth", int64_t{0})),
                Age(a.value("oldest_undelivered_age_s", 0.0)).c_str(),
                static_cast<long long>(a.value("in_flight", int64_t{0})),
                static_cast<long long>(a.value("credit", int64_t{0})));
  }
  std::ostringstream counters;
  if (s.contains("counters") && s["counters"].is_object()) {
    for (const auto& [name, value] : s["counters"].items()) {
      counters << name << " " << value.dump() << "  ";
    }
  }
  std::printf("%s\n", counters.str().c_str());
}

int Status(const std::string& broker_dir, bool json) {
  std::ifstream in(broker_dir + "/endpoints.json");
  if (!in) {
    std::cerr << "docbus status: no " << broker_dir
              << "/endpoints.json: is the broker running with that data folder?\n";
    return 1;
  }
  auto endpoints = nlohmann::json::parse(in, nullptr, false);
  if (endpoints.is_discarded() || !endpoints.contains("http")) {
    std::cerr << "docbus status: " << broker_dir << "/endpoints.json is unreadable\n";
    return 1;
  }
  httplib::Client client(endpoints["http"].get<std::string>());
  client.set_read_timeout(10, 0);
  auto res = client.Get("/v1/status");
  if (!res || res->status != 200) {
    std::cerr << "docbus status: the broker does not answer at "
              << endpoints["http"].get<std::string>() << "\n";
    return 1;
  }
  auto status = nlohmann::json::parse(res->body, nullptr, false);
  if (status.is_discarded()) {
    std::cerr << "docbus status: the broker's answer is not JSON\n";
    return 1;
  }
  if (json) {
    std::cout << status.dump(2) << "\n";
  } else {
    PrintStatus(status);
  }
  return 0;
}

}  // namespace

void AddOperatorCommands(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "status", "Operators: connected agencies, queues, oldest undelivered, counters");
  auto broker_dir = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("--broker", *broker_dir, "the broker's data folder")->required();
  cmd->add_flag("--json", *json, "print the broker's JSON status");
  cmd->callback([broker_dir, json] {
    if (const int code = Status(*broker_dir, *json); code != 0) {
      throw CLI::RuntimeError(code);
    }
  });
}

}  // namespace docbus
