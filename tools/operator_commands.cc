#include "tools/operator_commands.h"

#include <httplib.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "bus/core/clock.h"
#include "bus/core/config.h"

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

// A Unix time as the UTC date yyyy-mm-dd; "-" for 0.
std::string Date(int64_t unix_s) {
  return unix_s <= 0 ? "-" : UtcDate(unix_s);
}

// The PKI's expiry dates (and the certificates expiring within 30 days)
// and the data folder's free space.
void PrintPkiAndDisk(const nlohmann::json& s) {
  if (s.contains("pki") && s["pki"].is_object()) {
    const nlohmann::json& pki = s["pki"];
    std::printf("pki: root until %s, CRL next update %s",
                Date(pki.value("root_not_after", int64_t{0})).c_str(),
                Date(pki.value("crl_next_update", int64_t{0})).c_str());
    if (pki.value("registry_serial", uint64_t{0}) != 0) {
      std::printf(", signed registry serial %llu",
                  static_cast<unsigned long long>(
                      pki.value("registry_serial", uint64_t{0})));
    }
    if (pki.contains("certificates_expiring") &&
        pki["certificates_expiring"].is_array()) {
      const nlohmann::json& expiring = pki["certificates_expiring"];
      std::printf(", %zu certificate(s) expiring within 30 days",
                  expiring.size());
      for (const auto& e : expiring) {
        std::printf(" %s (%s)", e.value("agency", "?").c_str(),
                    Date(e.value("not_after", int64_t{0})).c_str());
      }
    }
    std::printf("\n");
  }
  if (s.contains("data") && s["data"].is_object()) {
    constexpr double kGiB = 1024.0 * 1024 * 1024;
    const double free = s["data"].value("free_bytes", 0.0);
    const double size = s["data"].value("size_bytes", 0.0);
    std::printf("data folder: %.1f GiB free of %.1f GiB (%.0f%%)\n",
                free / kGiB, size / kGiB, size > 0 ? 100 * free / size : 0.0);
    if (s["data"].value("exhausted", false)) {
      std::printf(
          "data folder: below limits.min_free_bytes = %lld: refusing new "
          "submissions and uploads (resource_exhausted)\n",
          static_cast<long long>(s["data"].value("min_free_bytes", int64_t{0})));
    }
  }
}

void PrintStatus(const nlohmann::json& s) {
  std::printf(
      "broker %s  %s (epoch %lld)  up %s  audit log %lld entries "
      "(checkpoint at %lld)\n",
      s.value("log_origin", "?").c_str(), s.value("role", "active").c_str(),
      static_cast<long long>(s.value("epoch", int64_t{0})),
      Age(s.value("uptime_s", 0.0)).c_str(),
      static_cast<long long>(s.value("audit_log_size", int64_t{0})),
      static_cast<long long>(s.value("checkpoint_size", int64_t{0})));
  std::printf("%-16s %-7s %8s %8s %10s %8s %-10s  %s\n", "agency", "online",
              "queued", "oldest", "in flight", "credit", "cert until",
              "name");
  const nlohmann::json empty = nlohmann::json::array();
  const nlohmann::json& agencies =
      s.contains("agencies") ? s["agencies"] : empty;
  for (const auto& a : agencies) {
    std::printf(
        "%-16s %-7s %8lld %8s %10lld %8lld %-10s  %s\n",
        a.value("agency", "?").c_str(), a.value("online", false) ? "yes" : "no",
        static_cast<long long>(a.value("queue_depth", int64_t{0})),
        Age(a.value("oldest_undelivered_age_s", 0.0)).c_str(),
        static_cast<long long>(a.value("in_flight", int64_t{0})),
        static_cast<long long>(a.value("credit", int64_t{0})),
        Date(a.value("certificate_not_after", int64_t{0})).c_str(),
        a.value("name", "").c_str());
  }
  PrintPkiAndDisk(s);
  std::ostringstream counters;
  if (s.contains("counters") && s["counters"].is_object()) {
    for (const auto& [name, value] : s["counters"].items()) {
      counters << name << " " << value.dump() << "  ";
    }
  }
  std::printf("%s\n", counters.str().c_str());
}

// One broker's /v1/status, or why it has none.
struct BrokerAnswer {
  std::string url;
  std::string error;  // "" when `status` is set
  nlohmann::json status;
};

// The HTTP URL a running broker announced in <data folder>/endpoints.json.
std::string UrlOfDataFolder(const std::string& folder, std::string& error) {
  std::ifstream in(folder + "/endpoints.json");
  if (!in) {
    error = "no " + folder +
            "/endpoints.json: is a broker running with that data folder?";
    return "";
  }
  auto endpoints = nlohmann::json::parse(in, nullptr, false);
  if (endpoints.is_discarded() || !endpoints.contains("http") ||
      !endpoints["http"].is_string()) {
    error = folder + "/endpoints.json is unreadable";
    return "";
  }
  return endpoints["http"].get<std::string>();
}

BrokerAnswer Ask(const std::string& url) {
  BrokerAnswer answer{url, "", {}};
  httplib::Client client(url);
  client.set_connection_timeout(3, 0);
  client.set_read_timeout(10, 0);
  auto res = client.Get("/v1/status");
  if (!res || res->status != 200) {
    answer.error = "does not answer";
    return answer;
  }
  answer.status = nlohmann::json::parse(res->body, nullptr, false);
  if (answer.status.is_discarded() || !answer.status.is_object()) {
    answer.error = "answered something that is not a status";
  }
  return answer;
}

// A list option's items; empty ones (a trailing comma) are skipped.
std::vector<std::string> Items(const std::string& list) {
  std::vector<std::string> out;
  for (std::string& item : SplitCommaList(list)) {
    if (!item.empty()) out.push_back(std::move(item));
  }
  return out;
}

// Asks every broker of the lists; prints the role of each when there are
// several, then the active one's status. 1 when no broker is active.
int ShowStatus(const std::string& broker_dirs, const std::string& urls,
               bool json) {
  std::vector<BrokerAnswer> answers;
  for (const std::string& folder : Items(broker_dirs)) {
    std::string error;
    const std::string url = UrlOfDataFolder(folder, error);
    answers.push_back(url.empty() ? BrokerAnswer{folder, error, {}} : Ask(url));
  }
  for (const std::string& url : Items(urls)) answers.push_back(Ask(url));
  const BrokerAnswer* active = nullptr;
  for (const BrokerAnswer& a : answers) {
    // A broker without roles (a store of its own) is always the active one.
    if (a.error.empty() && a.status.value("role", "active") == "active") {
      if (active == nullptr) active = &a;
    }
  }
  if (answers.size() > 1 && !json) {
    for (const BrokerAnswer& a : answers) {
      if (!a.error.empty()) {
        std::printf("%-32s %s\n", a.url.c_str(), a.error.c_str());
      } else {
        std::printf(
            "%-32s %-8s epoch %lld\n", a.url.c_str(),
            a.status.value("role", "active").c_str(),
            static_cast<long long>(a.status.value("epoch", int64_t{0})));
      }
    }
  }
  if (active == nullptr) {
    for (const BrokerAnswer& a : answers) {
      if (!a.error.empty()) {
        std::cerr << "docbus status: " << a.url << ": " << a.error << "\n";
      }
    }
    std::cerr << "docbus status: no active broker among the " << answers.size()
              << " asked\n";
    return 1;
  }
  if (json) {
    std::cout << active->status.dump(2) << "\n";
  } else {
    PrintStatus(active->status);
  }
  return 0;
}

}  // namespace

void AddOperatorCommands(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "status",
      "Operators: connected agencies, queues, oldest undelivered, counters");
  auto broker_dirs = std::make_shared<std::string>();
  auto urls = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("--broker", *broker_dirs,
                  "the broker's data folder; with standbys, their folders, "
                  "comma-separated");
  cmd->add_option("--url", *urls,
                  "instead, the brokers' HTTP addresses (http://host:port), "
                  "comma-separated");
  cmd->add_flag("--json", *json, "print the active broker's JSON status");
  cmd->callback([broker_dirs, urls, json] {
    if (broker_dirs->empty() && urls->empty()) {
      throw CLI::ValidationError("--broker or --url",
                                 "name at least one broker");
    }
    if (const int code = ShowStatus(*broker_dirs, *urls, *json); code != 0) {
      throw CLI::RuntimeError(code);
    }
  });
}

}  // namespace docbus
