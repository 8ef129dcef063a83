#include <catch2/catch.hpp>

#include "bus/core/metrics.h"

namespace docbus {

TEST_CASE("metrics render in the Prometheus text format", "[metrics]") {
  Metrics m;
  m.Describe("docbus_rejected_total", "counter", "Submissions refused.");
  m.Describe("docbus_commit_seconds", "histogram", "Commit latency.", {0.001, 0.01});
  m.Add("docbus_rejected_total", Label("reason", "bad_signature"));
  m.Add("docbus_rejected_total", Label("reason", "bad_signature"));
  m.Observe("docbus_commit_seconds", "", 0.005);
  m.Observe("docbus_commit_seconds", "", 0.5);
  CHECK(m.Value("docbus_rejected_total", Label("reason", "bad_signature")) == 2);
  const std::string text = m.Render();
  CHECK(text.find("# TYPE docbus_rejected_total counter\n") != std::string::npos);
  CHECK(text.find("docbus_rejected_total{reason=\"bad_signature\"} 2\n") != std::string::npos);
  CHECK(text.find("docbus_commit_seconds_bucket{le=\"0.001\"} 0\n") != std::string::npos);
  CHECK(text.find("docbus_commit_seconds_bucket{le=\"0.01\"} 1\n") != std::string::npos);
  CHECK(text.find("docbus_commit_seconds_bucket{le=\"+Inf\"} 2\n") != std::string::npos);
  CHECK(text.find("docbus_commit_seconds_count 2\n") != std::string::npos);
}

}  // namespace docbus
