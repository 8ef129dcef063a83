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

TEST_CASE("bucket bounds print as written, not as 17 significant digits",
          "[metrics]") {
  Metrics m;
  m.Describe("docbus_commit_seconds", "histogram", "Commit latency.",
             {1e-09, 1e-06, 0.0002, 0.0005, 0.1, 2.5, 86400});
  m.Observe("docbus_commit_seconds", "", 0.3);
  const std::string text = m.Render();
  for (const char* le :
       {"1e-09", "0.000001", "0.0002", "0.0005", "0.1", "2.5", "86400"}) {
    CHECK(text.find("le=\"" + std::string(le) + "\"") != std::string::npos);
  }
  CHECK(text.find("0000000") == std::string::npos);
  CHECK(text.find("docbus_commit_seconds_sum 0.3\n") != std::string::npos);
}

TEST_CASE("a declared series is exported at 0 before its first event",
          "[metrics]") {
  Metrics m;
  m.Describe("docbus_accepted_total", "counter", "Accepted.");
  m.Describe("docbus_reloads_total", "counter", "Reloads, by result.");
  m.Describe("docbus_commit_seconds", "histogram", "Commit latency.", {0.01});
  // Described only: nothing to export yet.
  CHECK(m.Render().find("\ndocbus_accepted_total") == std::string::npos);
  m.Declare("docbus_accepted_total");
  m.Declare("docbus_reloads_total", Label("result", "failed"));
  m.Declare("docbus_commit_seconds");
  std::string text = m.Render();
  CHECK(text.find("\ndocbus_accepted_total 0\n") != std::string::npos);
  CHECK(text.find("\ndocbus_reloads_total{result=\"failed\"} 0\n") !=
        std::string::npos);
  CHECK(text.find("\ndocbus_commit_seconds_bucket{le=\"+Inf\"} 0\n") !=
        std::string::npos);
  CHECK(text.find("\ndocbus_commit_seconds_count 0\n") != std::string::npos);
  // Declaring again keeps what was counted.
  m.Add("docbus_accepted_total");
  m.Declare("docbus_accepted_total");
  CHECK(m.Value("docbus_accepted_total") == 1);
}

}  // namespace docbus
