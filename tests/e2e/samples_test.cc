// The sample configs shipped beside each daemon (bus/broker/broker.toml.example,
// agents/agent.toml.example) are read by the daemons' own loaders as they
// ship, over a PKI laid out the way `docbus pki` makes it, and the defaults
// they show are the daemons' defaults: they cannot drift from the code.
#include <catch2/catch.hpp>

#include "agents/agent_config.h"
#include "bus/broker/broker_options.h"
#include "bus/core/files.h"
#include "tests/e2e/e2e_support.h"

namespace docbus::e2e {
namespace {

std::string Sample(const std::string& path) {
  auto text = ReadFileLimited(std::filesystem::path(DOCBUS_SOURCE_DIR) / path,
                              1 << 20);
  REQUIRE(text.ok());
  return *text;
}

}  // namespace

TEST_CASE("bus/broker/broker.toml.example loads as it ships, with the "
          "broker's defaults",
          "[e2e][samples]") {
  auto d = MakeDeployment({kG22});
  auto config = Config::Parse(Sample("bus/broker/broker.toml.example"),
                              d->dir(), "broker.toml.example");
  REQUIRE(config.ok());
  const broker::BrokerOptions o = broker::ReadBrokerOptions(*config);
  const Status finished = config->Finish();
  INFO(finished.ToString());
  REQUIRE(finished.ok());
  REQUIRE(broker::ValidateBrokerOptions(o).ok());

  const broker::BrokerOptions defaults;
  CHECK(o.listen.find('*') == std::string::npos);  // a fixed port
  CHECK(o.data_dir == d->dir() / "var/broker");
  CHECK(o.checkpoint_interval_ms == defaults.checkpoint_interval_ms);
  CHECK(o.max_frame_bytes == defaults.max_frame_bytes);
  CHECK(o.max_document_bytes == defaults.max_document_bytes);
  CHECK(o.max_attachments == defaults.max_attachments);
  CHECK(o.max_attachment_bytes == defaults.max_attachment_bytes);
  CHECK(o.max_subject_bytes == defaults.max_subject_bytes);
  CHECK(o.default_expiry_s == defaults.default_expiry_s);
  CHECK(o.retransmit_ms == defaults.retransmit_ms);
  CHECK(o.credit_count_max == defaults.credit_count_max);
  CHECK(o.http_listen == defaults.http_listen);
  CHECK(o.log_level == defaults.log_level);
  CHECK(o.log_format == defaults.log_format);

  broker::BrokerOptions json = o;
  json.log_format = "json";
  CHECK(broker::ValidateBrokerOptions(json).ok());
  json.log_format = "xml";
  CHECK_THAT(broker::ValidateBrokerOptions(json).message(),
             Catch::Contains("log.format"));
}

TEST_CASE("agents/agent.toml.example loads as it ships, with the agent's "
          "defaults",
          "[e2e][samples]") {
  auto d = MakeDeployment({kG22});
  auto config = Config::Parse(Sample("agents/agent.toml.example"), d->dir(),
                              "agent.toml.example");
  REQUIRE(config.ok());
  auto o = agent::ReadAgentConfig(*config);
  INFO(o.status().ToString());
  REQUIRE(o.ok());

  const agent::AgentLimits limits;
  const agent::LoopOptions loop;
  CHECK(o->agent.agency_id == kG22);
  CHECK(o->agent.broker_endpoint.find('*') == std::string::npos);
  CHECK(o->agent.loop.offline_after_ms == loop.offline_after_ms);
  CHECK(o->agent.limits.max_document_bytes == limits.max_document_bytes);
  CHECK(o->agent.limits.max_attachments == limits.max_attachments);
  CHECK(o->agent.limits.max_attachment_bytes == limits.max_attachment_bytes);
  CHECK(o->agent.limits.max_subject_bytes == limits.max_subject_bytes);
  CHECK(o->drop_folder.empty());
  CHECK(o->http_listen == "127.0.0.1:0");
  CHECK(o->log_level == "info");
  CHECK(o->log_format == "text");

  std::string sample = Sample("agents/agent.toml.example");
  const std::string shipped = "format = \"text\"";
  REQUIRE(sample.find(shipped) != std::string::npos);
  sample.replace(sample.find(shipped), shipped.size(), "format = \"xml\"");
  auto xml = Config::Parse(sample, d->dir(), "agent.toml");
  REQUIRE(xml.ok());
  auto refused = agent::ReadAgentConfig(*xml);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.status().message(), Catch::Contains("log.format"));
}

}  // namespace docbus::e2e
