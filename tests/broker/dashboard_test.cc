// The dashboard reads /v1/status by field name: every field its script reads
// must be one the broker writes (SnapshotJson), or the page would show
// blanks while the test of the page itself passes.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "bus/broker/broker_snapshot.h"
#include "bus/broker/dashboard_assets.h"

namespace docbus::broker {
namespace {

// The names after `<object>.` in the script, for each object name given.
std::set<std::string> FieldsRead(const std::string& objects) {
  const std::string script(DashboardScript());
  const std::regex read("\\b(?:" + objects + ")\\.([a-z_]+)");
  std::set<std::string> fields;
  for (auto it = std::sregex_iterator(script.begin(), script.end(), read);
       it != std::sregex_iterator(); ++it) {
    fields.insert((*it)[1]);
  }
  return fields;
}

TEST_CASE("every /v1/status field the dashboard reads is one the broker writes",
          "[broker][dashboard]") {
  BrokerSnapshot snapshot;
  snapshot.agencies.push_back({"000.00.00.H41", "Bộ Nội vụ", false, 3, 400.0, 0, 0});
  snapshot.activity = {{1'000'000, 10, 20, 0, 4.0}, {1'010'000, 70, 70, 5, 29.0}};
  snapshot.recent_rejections.push_back(
      {1'005'000, "000.00.00.G22", "status", "s-1", "invalid_transition"});
  const nlohmann::json status = nlohmann::json::parse(SnapshotJson(snapshot));

  const std::set<std::string> top = FieldsRead("s|status");
  const std::set<std::string> agency = FieldsRead("a");
  CHECK(top.size() >= 8);
  CHECK(agency.size() >= 6);
  for (const std::string& field : top) {
    INFO(field);
    CHECK(status.contains(field));
  }
  for (const std::string& field : agency) {
    INFO(field);
    CHECK(status.at("agencies").at(0).contains(field));
  }
  for (const std::string& field : FieldsRead("p|last")) {
    INFO(field);
    CHECK(status.at("activity").at(0).contains(field));
  }
  for (const std::string& field : FieldsRead("r")) {
    INFO(field);
    CHECK(status.at("recent_rejections").at(0).contains(field));
  }
  CHECK(FieldsRead("r").size() == 5);
  // The chart's rates are per second between samples; the latency is the
  // mean over the deliveries of that step.
  const nlohmann::json& step = status.at("activity").at(0);
  CHECK(status.at("activity").size() == 1);
  CHECK(step.at("accepted_per_s") == 6.0);
  CHECK(step.at("delivered_per_s") == 5.0);
  CHECK(step.at("rejected_per_s") == 0.5);
  CHECK(step.at("mean_latency_s") == 0.5);
  // The counters it shows in red when not zero.
  std::smatch failures;
  const std::string script(DashboardScript());
  REQUIRE(std::regex_search(script, failures,
                            std::regex("const FAILURES = \\[([^\\]]*)\\]")));
  const std::string list = failures[1];
  const std::regex quoted("\"([a-z_]+)\"");
  int named = 0;
  for (auto it = std::sregex_iterator(list.begin(), list.end(), quoted);
       it != std::sregex_iterator(); ++it, ++named) {
    INFO((*it)[1]);
    CHECK(status.at("counters").contains(std::string((*it)[1])));
  }
  CHECK(named == 4);
}

}  // namespace
}  // namespace docbus::broker
