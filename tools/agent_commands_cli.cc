// AddAgentCommands: the CLI11 wiring of `docbus send | document | inbox |
// report-status` onto the command bodies of agent_commands.cc.
#include <iostream>
#include <memory>

#include "tools/agent_commands.h"

namespace docbus {
namespace {

// A command's outcome becomes the process exit code: docbus_main returns
// the code of a CLI::RuntimeError (0 ok, 1 failed, 2 usage).
void ExitOnFailure(int code) {
  if (code != 0) throw CLI::RuntimeError(code);
}

}  // namespace

void AddAgentCommands(CLI::App& app) {
  struct State {
    std::string agent;
    agent_cli::SendOptions send;
    agent_cli::InboxOptions inbox;
    std::string message_id, code, description, to;
    bool json = false;
  };
  auto s = std::make_shared<State>();

  CLI::App* send =
      app.add_subcommand("send", "Sign and send a document through your agent");
  send->add_option("--agent", s->agent, "The agent's data folder")->required();
  CLI::Option* edxml = send->add_option(
      "--edxml", s->send.edxml,
      "Send this edXML envelope or status packet as it is");
  edxml->check(CLI::ExistingFile);
  send->add_option("--to", s->send.to,
                   "Recipient agency id (repeat for several)")
      ->excludes(edxml);
  send->add_option("--subject", s->send.subject, "Trích yếu")->excludes(edxml);
  send->add_option("--content", s->send.content, "Content text");
  send->add_option("--code", s->send.code, "Số/ký hiệu, e.g. 12/UBND-VP")
      ->excludes(edxml);
  send->add_option("--priority", s->send.priority,
                   "0 thường … 4 hỏa tốc hẹn giờ")
      ->check(CLI::Range(0, 4));
  send->add_option("--attach", s->send.attach, "Attach a file (repeatable)")
      ->check(CLI::ExistingFile);
  send->add_option("--wait", s->send.wait_s,
                   "Wait up to SECONDS for acceptance and every receipt");
  send->callback([s] {
    ExitOnFailure(agent_cli::Send(s->agent, s->send, std::cout, std::cerr));
  });

  CLI::App* doc = app.add_subcommand(
      "document", "Show a sent document's state and receipts");
  doc->add_option("--agent", s->agent, "The agent's data folder")->required();
  doc->add_option("message_id", s->message_id, "The message id `send` printed")
      ->required();
  doc->add_flag("--json", s->json, "Print the agent's JSON answer");
  doc->callback([s] {
    ExitOnFailure(agent_cli::Document(s->agent, s->message_id, s->json,
                                      std::cout, std::cerr));
  });

  CLI::App* inbox =
      app.add_subcommand("inbox", "List or show documents received");
  inbox->add_option("--agent", s->agent, "The agent's data folder")->required();
  inbox->add_flag("--json", s->inbox.json, "Print the agent's JSON answer");
  inbox->add_option("--show", s->inbox.show, "Show one document by message id");
  inbox->add_option(
      "--save", s->inbox.save_dir,
      "Save the shown (or every listed) document into DIR/<message id>/");
  inbox->add_option("--after", s->inbox.after, "List documents after this seq");
  inbox->add_option("--limit", s->inbox.limit, "List at most this many")
      ->check(CLI::Range(1, 1000));
  inbox->add_option("--sender", s->inbox.sender,
                    "List only documents from this agency id");
  inbox->add_option("--priority", s->inbox.priority,
                    "List only documents of this priority (0-4)")
      ->check(CLI::Range(0, 4));
  inbox->add_option("--since", s->inbox.since,
                    "List only documents received at or after this time "
                    "(Unix ms or RFC 3339)");
  inbox->add_option("--until", s->inbox.until,
                    "List only documents received before this time");
  inbox->add_option("--state", s->inbox.state,
                    "new (no status reported yet) or reported")
      ->check(CLI::IsMember({"new", "reported"}));
  inbox->callback([s] {
    ExitOnFailure(agent_cli::Inbox(s->agent, s->inbox, std::cout, std::cerr));
  });

  CLI::App* report =
      app.add_subcommand("report-status", "Report an edXML status");
  report->add_option("--agent", s->agent, "The agent's data folder")
      ->required();
  report->add_option("message_id", s->message_id, "The document it is about")
      ->required();
  report->add_option("--code", s->code, "01 arrived … 06 done, 13, 15, 16")
      ->required();
  report->add_option("--description", s->description, "Why (required for 02)");
  report->add_option("--to", s->to, "Recipient agency (for 13)");
  report->callback([s] {
    ExitOnFailure(agent_cli::ReportStatus(s->agent, s->message_id, s->code,
                                          s->description, s->to, std::cout,
                                          std::cerr));
  });
}

}  // namespace docbus
