// `docbus send | document | inbox | report-status`: what an agency's staff
// (or scripts) run against their own running agent, through its loopback
// HTTP API (agents/API.md). The agent is found from its data folder:
// <data_dir>/endpoints.json ("http") and <data_dir>/api.token (the bearer
// token, never printed).
//
// Each command is also a function returning the process exit code (0 done;
// 1 refused, rejected, timed out or unreachable; 2 bad arguments) and
// writing to the given streams, so tests run them in-process. Thread-safety:
// none needed; each call is independent.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace docbus {

// Adds send, document, inbox and report-status. A command that does not
// succeed throws CLI::RuntimeError(exit code) from its callback, after its
// message went to stderr.
void AddAgentCommands(CLI::App& app);

namespace agent_cli {

struct SendOptions {
  std::vector<std::string> to;
  std::string subject;
  std::string content;
  std::string code;  // "12/UBND-VP"
  int priority = 0;
  std::vector<std::string> attach;  // files; name = file name
  double wait_s = 0;  // > 0: wait for acceptance and every receipt
  // An edXML envelope or status packet to send as it is (POST /v1/edxml);
  // then to, subject, code, attach are not given.
  std::string edxml;
};
// Prints the message id (of an edXML status packet: the status id, and the
// fields the agent could not map, one "unmapped <field>" line each to err);
// with wait_s, then "accepted audit_index=N" and one
// "receipt <agency> <UTC time>" line per receipt.
int Send(const std::filesystem::path& agent_dir, const SendOptions& options,
         std::ostream& out, std::ostream& err);

// State, audit index, receipts and statuses of a sent document.
int Document(const std::filesystem::path& agent_dir,
             const std::string& message_id, bool json, std::ostream& out,
             std::ostream& err);

struct InboxOptions {
  bool json = false;
  std::string show;      // one message id: its header and attachments
  std::string save_dir;  // write shown (or every listed) document there
  int64_t after = 0;
  int64_t limit = 50;
  // GET /v1/inbox's filters, passed as given ("" / -1: not given); the agent
  // checks them and names a bad one.
  std::string sender;
  int priority = -1;
  std::string since, until;  // Unix ms or RFC 3339
  std::string state;         // new | reported
};
int Inbox(const std::filesystem::path& agent_dir, const InboxOptions& options,
          std::ostream& out, std::ostream& err);

// code: "03" or "3"; prints the status id.
int ReportStatus(const std::filesystem::path& agent_dir,
                 const std::string& message_id, const std::string& code,
                 const std::string& description, const std::string& to,
                 std::ostream& out, std::ostream& err);

}  // namespace agent_cli
}  // namespace docbus
