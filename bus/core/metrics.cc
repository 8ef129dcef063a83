#include "bus/core/metrics.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace docbus {
namespace {

// The shortest digits that parse back to `v`, as a person writes them in a
// config (0.0005, 42, 86400): positional between 1e-7 and 1e21, like
// JavaScript's Number#toString, else with an exponent (1e-09, 1e+21). The
// infinities and NaN in the exposition format's spelling.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  const double magnitude = std::fabs(v);
  const bool positional = v == 0 || (magnitude >= 1e-7 && magnitude < 1e21);
  char buf[128];  // positional 1e-7 has at most ~25 digits: ample room
  const auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, v,
                    positional ? std::chars_format::fixed
                               : std::chars_format::scientific);
  if (ec != std::errc()) return "NaN";  // cannot happen with this buffer
  return std::string(buf, end);
}

std::string Series(const std::string& name, std::string_view labels) {
  if (labels.empty()) return name;
  return name + "{" + std::string(labels) + "}";
}

}  // namespace

std::string Label(std::string_view key, std::string_view value) {
  std::string out(key);
  out += "=\"";
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void Metrics::Describe(std::string name, std::string type, std::string help,
                       std::vector<double> buckets) {
  std::lock_guard lock(mu_);
  Family& f = families_[std::move(name)];
  f.type = std::move(type);
  f.help = std::move(help);
  f.buckets = std::move(buckets);
}

Metrics::Family& Metrics::FamilyLocked(std::string_view name) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{"untyped", "", {}, {}, {}})
             .first;
  }
  return it->second;
}

void Metrics::Declare(std::string_view name, std::string_view labels) {
  std::lock_guard lock(mu_);
  Family& f = FamilyLocked(name);
  if (f.type == "histogram") {
    if (f.histograms.find(labels) == f.histograms.end()) {
      Histogram& h = f.histograms.emplace(std::string(labels), Histogram{})
                         .first->second;
      h.counts.assign(f.buckets.size() + 1, 0);
    }
    return;
  }
  if (f.values.find(labels) == f.values.end()) {
    f.values.emplace(std::string(labels), 0);
  }
}

void Metrics::Add(std::string_view name, std::string_view labels, double by) {
  std::lock_guard lock(mu_);
  Family& f = FamilyLocked(name);
  auto it = f.values.find(labels);
  if (it == f.values.end()) it = f.values.emplace(std::string(labels), 0).first;
  it->second += by;
}

void Metrics::Set(std::string_view name, std::string_view labels, double value) {
  std::lock_guard lock(mu_);
  Family& f = FamilyLocked(name);
  auto it = f.values.find(labels);
  if (it == f.values.end()) it = f.values.emplace(std::string(labels), 0).first;
  it->second = value;
}

void Metrics::Observe(std::string_view name, std::string_view labels,
                      double value) {
  std::lock_guard lock(mu_);
  Family& f = FamilyLocked(name);
  auto it = f.histograms.find(labels);
  if (it == f.histograms.end()) {
    it = f.histograms.emplace(std::string(labels), Histogram{}).first;
    it->second.counts.assign(f.buckets.size() + 1, 0);
  }
  Histogram& h = it->second;
  size_t i = 0;
  while (i < f.buckets.size() && value > f.buckets[i]) ++i;
  ++h.counts[i];
  h.sum += value;
  ++h.count;
}

double Metrics::Value(std::string_view name, std::string_view labels) const {
  std::lock_guard lock(mu_);
  auto f = families_.find(name);
  if (f == families_.end()) return 0;
  auto v = f->second.values.find(labels);
  return v == f->second.values.end() ? 0 : v->second;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + f.type + "\n";
    for (const auto& [labels, v] : f.values) {
      out += Series(name, labels) + " " + FormatValue(v) + "\n";
    }
    for (const auto& [labels, h] : f.histograms) {
      const std::string sep = labels.empty() ? "" : labels + ",";
      uint64_t cumulative = 0;
      for (size_t i = 0; i <= f.buckets.size(); ++i) {
        cumulative += h.counts[i];
        const std::string le =
            i < f.buckets.size() ? FormatValue(f.buckets[i]) : "+Inf";
        out += name + "_bucket{" + sep + "le=\"" + le + "\"} " +
               std::to_string(cumulative) + "\n";
      }
      out += Series(name + "_sum", labels) + " " + FormatValue(h.sum) + "\n";
      out += Series(name + "_count", labels) + " " + std::to_string(h.count) + "\n";
    }
  }
  return out;
}

}  // namespace docbus
