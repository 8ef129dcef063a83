#include "tests/e2e/failover_support.h"

#include <libpq-fe.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

namespace docbus::e2e {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Size and root (base64) of a checkpoint note: its second and third lines
// (bus/audit/FORMAT.md §4). false when the text is not one.
bool ParseCheckpoint(const std::string& note, uint64_t* size,
                     std::string* root) {
  std::istringstream in(note);
  std::string origin, size_line;
  if (!std::getline(in, origin) || !std::getline(in, size_line) ||
      !std::getline(in, *root) || size_line.empty() || root->size() != 44) {
    return false;
  }
  if (size_line.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *size = std::stoull(size_line);
  return true;
}

}  // namespace

FailoverLoad::FailoverLoad(local::Deployment& d,
                           std::vector<std::string> agencies,
                           std::chrono::milliseconds pace)
    : d_(d), agencies_(std::move(agencies)), pace_(pace) {}

FailoverLoad::~FailoverLoad() { Stop(); }

void FailoverLoad::Start() {
  stop_ = false;
  for (size_t i = 0; i < agencies_.size(); ++i) {
    threads_.emplace_back([this, i] { SendFrom(i); });
  }
}

void FailoverLoad::Stop() {
  stop_ = true;
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void FailoverLoad::SendFrom(size_t sender) {
  const size_t n = agencies_.size();
  auto next = Clock::now();
  for (int i = 1; !stop_; ++i) {
    // A slow answer does not make the next sends a burst.
    next = std::max(next + pace_, Clock::now());
    std::this_thread::sleep_until(next);
    std::vector<std::string> to{agencies_[(sender + 1) % n]};
    if (i % 4 == 0 && n > 2) to.push_back(agencies_[(sender + 2) % n]);
    AcknowledgedDocument doc{agencies_[sender], "", to, ""};
    const int number = static_cast<int>(sender + 1) * 1000000 + i;
    auto id =
        d_.Send(doc.from, MakeDocument(to, number, 1500, &doc.attachment));
    if (!id.ok()) {
      // The caller got no message id: nothing was promised. The agents are
      // not killed here, so this is rare; it is counted and reported.
      ++failed_;
      continue;
    }
    doc.message_id = *id;
    std::lock_guard lock(mu_);
    documents_.push_back(std::move(doc));
    ++acknowledged_;
  }
}

bool FailoverLoad::WaitForAcknowledged(
    size_t count, std::chrono::milliseconds timeout) const {
  return local::Deployment::WaitUntil([&] { return acknowledged() >= count; },
                                      timeout);
}

TakeoverWatch::TakeoverWatch(local::Deployment& d, int active)
    : d_(d), old_active_(active) {
  for (int i = 0; i < d.broker_count(); ++i) {
    if (i != active && d.BrokerRunning(i)) {
      accepted_before_[i] =
          std::max(0.0, BrokerCounter(d, "docbus_broker_accepted_total", i));
    }
  }
  start_ = Clock::now();
}

bool TakeoverWatch::Wait(std::chrono::milliseconds timeout) {
  const bool active = local::Deployment::WaitUntil(
      [&] {
        const int now = d_.ActiveBroker();
        if (now < 0 || now == old_active_) return false;
        new_active_ = now;
        seconds_to_active_ = SecondsSince(start_);
        return true;
      },
      timeout);
  if (!active) return false;
  return local::Deployment::WaitUntil(
      [&] {
        const double accepted =
            BrokerCounter(d_, "docbus_broker_accepted_total", new_active_);
        if (accepted <= accepted_before_[new_active_]) return false;
        seconds_to_accept_ = SecondsSince(start_);
        return true;
      },
      timeout);
}

void CheckDeliveredOnce(local::Deployment& d,
                        const std::vector<std::string>& agencies,
                        const std::vector<AcknowledgedDocument>& documents,
                        size_t failed) {
  std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>
      sent;
  std::map<std::string, std::vector<const AcknowledgedDocument*>> addressed;
  for (const AcknowledgedDocument& doc : documents) {
    sent.emplace_back(doc.from, doc.message_id, doc.to);
    for (const std::string& to : doc.to) addressed[to].push_back(&doc);
  }
  REQUIRE(WaitForReceipts(d, sent, std::chrono::seconds(240)));
  for (const std::string& agency : agencies) {
    INFO("inbox of " << agency);
    const std::map<std::string, int> inbox = InboxCounts(d, agency);
    int missing = 0, twice = 0, altered = 0;
    for (const AcknowledgedDocument* doc : addressed[agency]) {
      auto it = inbox.find(doc->message_id);
      if (it == inbox.end()) {
        ++missing;
      } else if (InboxAttachment(d, agency, doc->message_id) !=
                 doc->attachment) {
        ++altered;
      }
    }
    for (const auto& [id, count] : inbox) twice += count > 1;
    CHECK(missing == 0);
    CHECK(twice == 0);
    CHECK(altered == 0);
    // Nothing but what was sent to it, and the sends that got no answer.
    CHECK(inbox.size() >= addressed[agency].size());
    CHECK(inbox.size() <= addressed[agency].size() + failed);
  }
}

namespace {

// The first column of every row `sql` returns on the database of `dsn` (any
// libpq DSN, a multi-host one included); REQUIREs that it could be read.
std::vector<std::string> QueryColumn(const std::string& dsn,
                                     const std::string& sql) {
  std::vector<std::string> values;
  PGconn* conn = PQconnectdb(dsn.c_str());
  const bool connected = PQstatus(conn) == CONNECTION_OK;
  PGresult* rows = connected ? PQexec(conn, sql.c_str()) : nullptr;
  const bool read = rows != nullptr && PQresultStatus(rows) == PGRES_TUPLES_OK;
  const std::string error = PQerrorMessage(conn);
  for (int r = 0; read && r < PQntuples(rows); ++r) {
    values.emplace_back(PQgetvalue(rows, r, 0));
  }
  PQclear(rows);
  PQfinish(conn);
  INFO(sql << ": " << error);
  REQUIRE(read);
  return values;
}

// The checkpoints stored in PostgreSQL, size -> root (one row per size: the
// table's key, so a second root for a size could only be a published file,
// checked below). *examined counts the notes read.
std::map<uint64_t, std::string> StoredCheckpoints(const std::string& dsn,
                                                  int* examined) {
  std::map<uint64_t, std::string> stored;
  for (const std::string& note :
       QueryColumn(dsn, "SELECT note FROM audit_checkpoints")) {
    uint64_t size = 0;
    std::string root;
    const bool parsed = ParseCheckpoint(note, &size, &root);
    CHECK(parsed);
    if (!parsed) continue;
    ++*examined;
    stored.emplace(size, root);
  }
  return stored;
}

}  // namespace

int CheckNoForkedCheckpoints(local::Deployment& d, const std::string& dsn) {
  int examined = 0;
  const std::map<uint64_t, std::string> stored =
      StoredCheckpoints(dsn, &examined);
  CHECK(!stored.empty());

  for (int i = 0; i < d.broker_count(); ++i) {
    const std::filesystem::path file = d.broker_data(i) / "log/checkpoint";
    if (!std::filesystem::exists(file)) continue;
    std::ifstream in(file);
    const std::string note((std::istreambuf_iterator<char>(in)),
                           std::istreambuf_iterator<char>());
    uint64_t size = 0;
    std::string root;
    INFO("published checkpoint " << file.string());
    REQUIRE(ParseCheckpoint(note, &size, &root));
    ++examined;
    auto it = stored.find(size);
    INFO("size " << size);
    CHECK(it != stored.end());
    if (it != stored.end()) CHECK(it->second == root);
  }
  return examined;
}

void CheckAgentsSawNoFork(local::Deployment& d,
                          const std::vector<std::string>& agencies) {
  for (const std::string& agency : agencies) {
    INFO("agent " << agency);
    CHECK(AgentMetric(d, agency,
                      "docbus_agent_checkpoint_inconsistent_total") == 0);
  }
}

int64_t StoredDocuments(const std::string& dsn) {
  const auto count = QueryColumn(dsn, "SELECT count(*) FROM documents");
  return count.size() == 1 ? std::stoll(count[0]) : -1;
}

double Quantile(std::vector<double> values, double p) {
  if (values.empty()) return -1;
  std::sort(values.begin(), values.end());
  const size_t rank =
      static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

}  // namespace docbus::e2e
