// Helpers shared by the end-to-end and crash tests: a deployment built from
// this build tree, documents with random attachments, and questions a user
// would ask an agent ("did my document get its receipts?", "what is in my
// inbox?").
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/support/random_file.h"
#include "tools/local/deployment.h"

namespace docbus::e2e {

inline const std::string kG22 = "000.00.00.G22";
inline const std::string kH41 = "000.00.00.H41";
inline const std::string kH29 = "000.00.00.H29";

// A fresh deployment of these agencies (nothing started yet).
std::unique_ptr<local::Deployment> MakeDeployment(
    const std::vector<std::string>& agencies,
    local::DeploymentOptions options = {});

// Options whose broker store is `backend`: "sqlite", or "postgresql" on a
// fresh database of the executable's shared throwaway cluster
// (tests/support/pg_cluster.h). Fails the test when the cluster cannot start.
local::DeploymentOptions WithStore(const std::string& backend,
                                   local::DeploymentOptions options = {});

// The documents the broker stored in the PostgreSQL database of `options`
// (-1 when it cannot be read): proof the broker really ran on it.
int64_t DocumentsInPostgres(const local::DeploymentOptions& options);

// `docbus audit verify` on the published log of broker `broker` (run it with
// the broker stopped); its exit code, or -1 when the tool did not run.
int VerifyBrokerLog(local::Deployment& d, int broker = 0);

// A document for `to`, with one attachment of `attachment_bytes` random bytes;
// `*attachment` receives those bytes.
nlohmann::json MakeDocument(const std::vector<std::string>& to, int number,
                            size_t attachment_bytes, std::string* attachment);

using testing::WriteRandomFile;  // tests/support/random_file.h
// Uploads `file` to `from`'s agent as a user's system does (POST
// /v1/attachments, streamed from disk) and sends `document` (MakeDocument's,
// its inline attachment replaced) with it as its one attachment; the
// message id.
Result<std::string> SendFile(local::Deployment& d, const std::string& from,
                             nlohmann::json document,
                             const std::filesystem::path& file);
// The same for bytes in memory (written to a file of the deployment first).
Result<std::string> SendUploaded(local::Deployment& d, const std::string& from,
                                 nlohmann::json document,
                                 const std::string& bytes);

// The recipients whose verified receipt the sender's agent holds.
std::set<std::string> ReceiptsAt(local::Deployment& d, const std::string& sender,
                                 const std::string& message_id);
std::string StateAt(local::Deployment& d, const std::string& sender,
                    const std::string& message_id);
// Message id -> number of times it is listed in the agency's inbox.
std::map<std::string, int> InboxCounts(local::Deployment& d,
                                       const std::string& agency);
// A GET of an agent's download route (an attachment's href), with a Range
// header when `range` is not empty; status 0 when it could not be asked.
struct AgentDownload {
  int status = 0;
  std::string body, content_range;
};
AgentDownload DownloadFrom(local::Deployment& d, const std::string& agency,
                           const std::string& path,
                           const std::string& range = "");

// The stored attachment bytes of an incoming document ("" if absent),
// downloaded from its href when it is not inlined.
std::string InboxAttachment(local::Deployment& d, const std::string& agency,
                            const std::string& message_id);

// VmHWM (peak resident set) of a process, in KiB; -1 if unreadable.
long PeakRssKiB(pid_t pid);

// Lines of a daemon's log file that contain `text`.
int LinesContaining(const std::filesystem::path& file, const std::string& text);

// The value of one series (`name` or `name{labels}`, exactly as exported)
// in a Prometheus text page; -1 when it is not there.
double MetricValue(const std::string& page, const std::string& series);
// An unlabelled counter of a broker's /metrics (-1 if unreadable).
double BrokerCounter(local::Deployment& d, const std::string& name,
                     int broker = 0);
// A series of an agent's /metrics (-1 if unreadable).
double AgentMetric(local::Deployment& d, const std::string& agency,
                   const std::string& series);

// Waits until every (sender, message id) has a receipt from each recipient.
bool WaitForReceipts(
    local::Deployment& d,
    const std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>& sent,
    std::chrono::milliseconds timeout);

}  // namespace docbus::e2e
