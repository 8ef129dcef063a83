// Metrics: counters, gauges and histograms rendered in the Prometheus text
// exposition format (version 0.0.4) for a daemon's /metrics. Each series is a
// metric name plus a label string such as `reason="bad_signature"`. All calls
// are thread-safe; the cost is one mutex per update, which is fine at the
// rates of a document bus (thousands per second, not millions).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace docbus {

class Metrics {
 public:
  // Declares a metric family: type is "counter", "gauge" or "histogram".
  // Histograms use `buckets` (upper bounds, ascending); their `le` labels
  // are printed in the shortest form that reads back as the same double
  // (0.0005, not 0.00050000000000000001). No series exists until Declare or
  // the first update.
  void Describe(std::string name, std::string type, std::string help,
                std::vector<double> buckets = {});

  // Exports the series `labels` of a described family at 0 (an empty
  // histogram) before its first update. A series that appears only with its
  // first event makes rate() and increase() miss that event, e.g. the first
  // failure after each restart; so every counter whose label values are
  // known is declared at start. No effect on a series that exists.
  void Declare(std::string_view name, std::string_view labels = "");

  void Add(std::string_view name, std::string_view labels = "", double by = 1);
  void Set(std::string_view name, std::string_view labels, double value);
  void Observe(std::string_view name, std::string_view labels, double value);

  // Current value of a counter or gauge series (0 if absent), for tests and
  // for `docbus status`.
  double Value(std::string_view name, std::string_view labels = "") const;

  std::string Render() const;

 private:
  struct Histogram {
    std::vector<uint64_t> counts;  // one per bucket, plus +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  struct Family {
    std::string type;
    std::string help;
    std::vector<double> buckets;
    std::map<std::string, double, std::less<>> values;
    std::map<std::string, Histogram, std::less<>> histograms;
  };
  Family& FamilyLocked(std::string_view name);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

// `key="value"` with the value escaped for the exposition format.
std::string Label(std::string_view key, std::string_view value);

}  // namespace docbus
