#include "tests/e2e/e2e_support.h"

#include <httplib.h>
#include <openssl/rand.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <string_view>

#include "bus/core/base64.h"
#include "tests/support/pg_cluster.h"
#include "tools/agent_client.h"

namespace docbus::e2e {

std::unique_ptr<local::Deployment> MakeDeployment(
    const std::vector<std::string>& agencies, local::DeploymentOptions options) {
  options.agencies = agencies;
  options.build_dir = DOCBUS_BINARY_DIR;
  auto d = local::Deployment::Create(std::move(options));
  if (!d.ok()) {
    FAIL("cannot create the deployment: " << d.status().ToString());
  }
  return std::move(d).value();
}

local::DeploymentOptions WithStore(const std::string& backend,
                                   local::DeploymentOptions options) {
  options.store_backend = backend;
  if (backend == "postgresql") {
    auto cluster = testing::PgCluster::Shared();
    if (!cluster.ok()) {
      FAIL("no PostgreSQL test cluster: " << cluster.status().ToString());
    }
    auto dsn = (*cluster)->CreateDatabase();
    if (!dsn.ok()) FAIL("no PostgreSQL test database: " << dsn.status().ToString());
    options.store_dsn = *dsn;
  }
  return options;
}

int64_t DocumentsInPostgres(const local::DeploymentOptions& options) {
  auto cluster = testing::PgCluster::Shared();
  if (!cluster.ok()) return -1;
  auto count = (*cluster)->QueryInt(testing::PgCluster::DatabaseOf(options.store_dsn),
                                    "SELECT count(*) FROM documents");
  return count.ok() ? *count : -1;
}

int VerifyBrokerLog(local::Deployment& d, int broker) {
  int code = -1;
  auto out = d.RunDocbus(
      "audit verify '" + (d.broker_data(broker) / "log").string() +
          "' --vkey '" + (d.pki() / "broker/log.vkey").string() + "'",
      &code);
  if (!out.ok()) return -1;
  UNSCOPED_INFO("audit verify: " << *out);
  return code;
}

nlohmann::json MakeDocument(const std::vector<std::string>& to, int number,
                            size_t attachment_bytes, std::string* attachment) {
  attachment->assign(attachment_bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(attachment->data()),
             static_cast<int>(attachment->size()));
  return {{"to", to},
          {"subject", "Về việc kiểm thử liên thông số " + std::to_string(number)},
          {"content", "Nội dung kiểm thử."},
          {"code", {{"number", std::to_string(number)}, {"notation", "KT-VP"}}},
          {"promulgation", {{"place", "Hà Nội"}, {"date", "2026/11/28"}}},
          {"document_type", {{"type", 1}, {"detail", 0}, {"name", "Công văn"}}},
          {"priority", number % 5},
          {"attachments",
           {{{"name", "cong-van-" + std::to_string(number) + ".bin"},
             {"media_type", "application/octet-stream"},
             {"data_base64", Base64Encode(*attachment)}}}}};
}

Result<std::string> SendFile(local::Deployment& d, const std::string& from,
                             nlohmann::json document,
                             const std::filesystem::path& file) {
  DOCBUS_ASSIGN_OR_RETURN(agent_cli::AgentClient client,
                          agent_cli::AgentClient::Find(d.agent_data(from)));
  DOCBUS_ASSIGN_OR_RETURN(nlohmann::json uploaded, client.UploadFile(file));
  const std::string name =
      document["attachments"][0].value("name", file.filename().string());
  document["attachments"] = {
      {{"name", name},
       {"media_type", "application/octet-stream"},
       {"attachment_id", uploaded.value("attachment_id", "")}}};
  return d.Send(from, document);
}

Result<std::string> SendUploaded(local::Deployment& d, const std::string& from,
                                 nlohmann::json document,
                                 const std::string& bytes) {
  const std::filesystem::path file = d.dir() / "upload.bin";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  return SendFile(d, from, std::move(document), file);
}

std::set<std::string> ReceiptsAt(local::Deployment& d, const std::string& sender,
                                 const std::string& message_id) {
  std::set<std::string> out;
  auto view = d.Get(sender, "/v1/documents/" + message_id);
  if (!view.ok()) return out;
  for (const auto& r : view->value("receipts", nlohmann::json::array())) {
    out.insert(r.value("recipient", ""));
  }
  return out;
}

std::string StateAt(local::Deployment& d, const std::string& sender,
                    const std::string& message_id) {
  auto view = d.Get(sender, "/v1/documents/" + message_id);
  return view.ok() ? view->value("state", "") : "";
}

std::map<std::string, int> InboxCounts(local::Deployment& d,
                                       const std::string& agency) {
  std::map<std::string, int> counts;
  int64_t after = 0;
  while (true) {
    auto page = d.Get(agency, "/v1/inbox?after=" + std::to_string(after) + "&limit=500");
    if (!page.ok()) {
      FAIL("inbox of " << agency << ": " << page.status().ToString());
    }
    const auto& docs = page->value("documents", nlohmann::json::array());
    if (docs.empty()) break;
    for (const auto& doc : docs) {
      ++counts[doc.value("message_id", "")];
      after = std::max(after, doc.value("seq", int64_t{0}));
    }
  }
  return counts;
}

AgentDownload DownloadFrom(local::Deployment& d, const std::string& agency,
                           const std::string& path, const std::string& range) {
  auto client = agent_cli::AgentClient::Find(d.agent_data(agency));
  if (!client.ok()) return {};
  httplib::Client http(client->url());
  http.set_bearer_token_auth(client->token());
  http.set_read_timeout(120);
  httplib::Headers headers;
  if (!range.empty()) headers.emplace("Range", range);
  auto res = http.Get(path.c_str(), headers);
  if (!res) return {};
  return {res->status, std::move(res->body),
          res->get_header_value("Content-Range")};
}

std::string InboxAttachment(local::Deployment& d, const std::string& agency,
                            const std::string& message_id) {
  auto doc = d.Get(agency, "/v1/inbox/" + message_id);
  if (!doc.ok()) return "";
  const auto& attachments = doc->value("attachments", nlohmann::json::array());
  if (attachments.size() != 1) return "";
  // A large one is downloaded from its href, as a user would.
  if (const std::string href = attachments[0].value("href", "");
      !href.empty()) {
    const AgentDownload got = DownloadFrom(d, agency, href);
    return got.status == 200 ? got.body : "";
  }
  return Base64Decode(attachments[0].value("data_base64", "")).value_or("");
}

int LinesContaining(const std::filesystem::path& file,
                    const std::string& text) {
  std::ifstream in(file);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    n += line.find(text) != std::string::npos;
  }
  return n;
}

double MetricValue(const std::string& page, const std::string& series) {
  const std::string line_start = series + " ";
  size_t at = page.starts_with(line_start) ? 0 : std::string::npos;
  if (at == std::string::npos) {
    at = page.find("\n" + line_start);
    if (at != std::string::npos) ++at;
  }
  return at == std::string::npos
             ? -1
             : std::atof(page.c_str() + at + line_start.size());
}

double BrokerCounter(local::Deployment& d, const std::string& name,
                     int broker) {
  Result<std::string> text = d.BrokerMetrics(broker);
  return text.ok() ? MetricValue(*text, name) : -1;
}

double AgentMetric(local::Deployment& d, const std::string& agency,
                   const std::string& series) {
  Result<local::HttpAnswer> page = d.AgentHttp(agency, "/metrics");
  if (!page.ok() || page->status != 200) return -1;
  return MetricValue(page->body, series);
}

bool WaitForReceipts(
    local::Deployment& d,
    const std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>& sent,
    std::chrono::milliseconds timeout) {
  size_t next = 0;  // documents before `next` already have all their receipts
  return local::Deployment::WaitUntil(
      [&] {
        while (next < sent.size()) {
          const auto& [from, id, to] = sent[next];
          const auto receipts = ReceiptsAt(d, from, id);
          for (const auto& recipient : to) {
            if (!receipts.contains(recipient)) return false;
          }
          ++next;
        }
        return true;
      },
      timeout);
}

long PeakRssKiB(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace docbus::e2e
