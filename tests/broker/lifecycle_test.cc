// The document lifecycle at the broker, on both stores: the status state
// machine per (document, recipient) (bus/broker/README.md, "Status state
// machine") and the business types revoke / update / replace and the
// DocumentId duplicate ("Business types"). Every refusal is answered with
// its reason and leaves the store as it was: the statuses kept per
// (document, recipient) are exactly the accepted ones, in order, each with
// the reporter's and the broker's time, and only accepted statuses reach
// their addressee.
#include <catch2/catch.hpp>
#include <functional>

#include "bus/store/store_backend.h"
#include "tests/broker/broker_fixture.h"
#include "tests/support/pg_cluster.h"

namespace docbus::broker::test {
namespace {

using docbus::testing::PgCluster;

struct OnSqlite {
  BrokerOptions Options(const std::filesystem::path& data_dir) {
    return TestOptions(data_dir);
  }
};

struct OnPostgres {
  OnPostgres() {
    auto shared = PgCluster::Shared();
    if (!shared.ok()) FAIL("no PostgreSQL: " + shared.status().ToString());
    auto created = (*shared)->CreateDatabase();
    REQUIRE(created.ok());
    dsn = *created;
  }
  BrokerOptions Options(const std::filesystem::path& data_dir) {
    BrokerOptions o = TestOptions(data_dir);
    o.store_backend = "postgresql";
    o.store_dsn = dsn;
    return o;
  }
  std::string dsn;
};

// A broker on one backend with G22 (the sender), H41 and H29 connected.
template <typename Backend>
struct Exchange {
  Exchange()
      : b(backend.Options(dir.path() / "data")),
        g22(kG22, b.broker().zmq_endpoint()),
        h41(kH41, b.broker().zmq_endpoint()),
        h29(kH29, b.broker().zmq_endpoint()) {
    g22.Open();
    h41.Open();
    h29.Open();
  }
  // A document from G22 to H41 and H29, accepted; its message id.
  std::string SendToBoth() {
    const v1::Submit submit = MakeSubmit(kG22, {kH41, kH29});
    REQUIRE(g22.Submit(submit).has_accepted());
    v1::DocumentHeader header;
    REQUIRE(header.ParseFromString(submit.document().header()));
    return header.message_id();
  }
  // The broker's store, opened after Stop().
  std::unique_ptr<store::BrokerStore> OpenStore() {
    b.Stop();
    store::StoreSelection s;
    s.backend = b.options().store_backend;
    s.data_dir = b.options().data_dir;
    s.dsn = b.options().store_dsn;
    auto opened = store::OpenBrokerStore(s);
    REQUIRE(opened.ok());
    return std::move(opened).value();
  }
  // After Stop(): the statuses kept about G22's document `id` for each of
  // `recipients`, in order.
  std::vector<std::vector<store::StatusRecord>> Kept(
      const std::string& id, const std::vector<std::string>& recipients) {
    auto store = OpenStore();
    auto doc = store->FindDocument(kG22, id);
    REQUIRE(doc.ok());
    REQUIRE(doc->has_value());
    std::vector<std::vector<store::StatusRecord>> out;
    for (const std::string& recipient : recipients) {
      auto rows = store->ListStatuses((*doc)->id, recipient);
      REQUIRE(rows.ok());
      out.push_back(*rows);
    }
    return out;
  }

  Backend backend;
  TempDir dir;
  TestBroker b;
  TestAgent g22, h41, h29;
};

std::string MessageIdOf(const v1::Submit& submit) {
  v1::DocumentHeader header;
  header.ParseFromString(submit.document().header());
  return header.message_id();
}

std::string DocumentIdOf(const v1::Submit& submit) {
  v1::DocumentHeader header;
  header.ParseFromString(submit.document().header());
  return header.document_id();
}

// `submit` with its header changed by `edit` and signed again by `from`.
v1::Submit Edited(v1::Submit submit, const std::string& from,
                  const std::function<void(v1::DocumentHeader&)>& edit) {
  v1::DocumentHeader header;
  REQUIRE(header.ParseFromString(submit.document().header()));
  edit(header);
  REQUIRE(header.from().organ_id() == from);
  SignHeader(header, submit);
  return submit;
}

// A revoke / update / replace of `target` (a DocumentId) from `from` to `to`.
v1::Submit ActingOn(const std::string& from, const std::vector<std::string>& to,
                    v1::BusinessType type, const std::string& target) {
  return Edited(MakeSubmit(from, to), from, [&](v1::DocumentHeader& h) {
    h.set_business_type(type);
    h.set_business_target_document_id(target);
    h.set_business_reason("Cập nhật văn bản điện tử");
  });
}

// A signed status with its reporter's own time.
v1::SubmitStatus StatusAt(const std::string& from, const std::string& to,
                          const std::string& message_id, v1::StatusCode code,
                          int64_t created_unix_ms,
                          const std::string& description = "") {
  v1::SubmitStatus submit = MakeStatus(from, to, message_id, code);
  v1::StatusBody body;
  REQUIRE(body.ParseFromString(submit.status().body()));
  body.set_created_unix_ms(created_unix_ms);
  body.set_description(description);
  submit.mutable_status()->set_body(body.SerializeAsString());
  auto signature = SignerOf(from).Sign(submit.status().body());
  REQUIRE(signature.ok());
  submit.mutable_status()->set_signature(*signature);
  return submit;
}

// Sends `status` as `agent` and returns the broker's answer to it.
v1::Frame Answer(TestAgent& agent, const v1::SubmitStatus& status) {
  v1::Frame frame;
  *frame.mutable_submit_status() = status;
  agent.Send(frame);
  while (true) {
    auto answer = agent.Receive();
    REQUIRE(answer.has_value());
    if (answer->has_accepted() || answer->has_rejected()) return *answer;
    agent.skipped.push_back(std::move(*answer));
  }
}

v1::Reason Refusal(const v1::Frame& answer) {
  return answer.has_rejected() ? answer.rejected().reason()
                               : v1::REASON_UNSPECIFIED;
}

// The codes of the statuses delivered to `agent` so far (acknowledged).
std::vector<int32_t> StatusesDelivered(TestAgent& agent) {
  std::vector<v1::Frame> frames = std::move(agent.skipped);
  agent.skipped.clear();
  for (v1::Frame& f : agent.Drain()) frames.push_back(std::move(f));
  std::vector<int32_t> out;
  for (const v1::Frame& f : frames) {
    if (!f.has_deliver()) continue;
    if (f.deliver().has_status()) {
      v1::StatusBody body;
      REQUIRE(body.ParseFromString(f.deliver().status().body()));
      out.push_back(body.code());
    }
    agent.Ack(f.deliver());
  }
  return out;
}

std::vector<int32_t> CodesOf(const std::vector<store::StatusRecord>& rows) {
  std::vector<int32_t> out;
  for (const store::StatusRecord& r : rows) out.push_back(r.code);
  return out;
}

// One status sent in a scenario: by `agent` to `to`, answered Accepted
// (kAccepted) or Rejected with `want`; its reporter's time is 100 * (its
// position + 1).
constexpr v1::Reason kAccepted = v1::REASON_UNSPECIFIED;
struct Step {
  TestAgent* agent;
  std::string to;
  v1::StatusCode code;
  v1::Reason want;
  std::string description;
};

void Play(const std::string& id, const std::vector<Step>& steps) {
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    INFO("step " << i + 1 << ": " << step.agent->agency() << " sends "
                 << step.code << " to " << step.to);
    const v1::Frame answer =
        Answer(*step.agent,
               StatusAt(step.agent->agency(), step.to, id, step.code,
                        100 * static_cast<int64_t>(i + 1), step.description));
    if (step.want == kAccepted) {
      CHECK(answer.has_accepted());
    } else {
      CHECK(Refusal(answer) == step.want);
    }
  }
}

TEMPLATE_TEST_CASE(
    "statuses follow the state machine per (document, "
    "recipient), and a refused one is answered with its reason "
    "and kept nowhere",
    "[broker][lifecycle]", OnSqlite, OnPostgres) {
  Exchange<TestType> x;
  const std::string id = x.SendToBoth();
  using Codes = std::vector<int32_t>;
  x.b.clock().Advance(std::chrono::milliseconds(1000));
  const int64_t broker_time = x.b.clock().NowUnixMillis();
  constexpr v1::Reason kInvalid = v1::REASON_INVALID_TRANSITION;
  Play(id, {
               // H41: 01, 03, then a skip to 05; going back (03), repeating
               // (05), or 02 once 03 was reported are refused.
               {&x.h41, kG22, v1::STATUS_ARRIVED, kAccepted, ""},
               {&x.h41, kG22, v1::STATUS_ACCEPTED, kAccepted, ""},
               {&x.h41, kG22, v1::STATUS_PROCESSING, kAccepted, ""},
               {&x.h41, kG22, v1::STATUS_ACCEPTED, kInvalid, ""},
               {&x.h41, kG22, v1::STATUS_PROCESSING, kInvalid, ""},
               {&x.h41, kG22, v1::STATUS_REFUSED, kInvalid, "sai thể thức"},
               // 15 / 16 answer only a revoke request, and none was made.
               {&x.h41, kG22, v1::STATUS_REVOKE_AGREED, kInvalid, ""},
               // H29: 02 needs a reason; with one it ends the document.
               {&x.h29, kG22, v1::STATUS_REFUSED, v1::REASON_INVALID_FIELD, ""},
               {&x.h29, kG22, v1::STATUS_REFUSED, kAccepted, "sai thể thức"},
               {&x.h29, kG22, v1::STATUS_ACCEPTED, kInvalid, ""},
               // Only the sender may ask to revoke: a recipient may not, and
               // to the broker another agency has no such document.
               {&x.h29, kG22, v1::STATUS_REVOKE_REQUESTED,
                v1::REASON_NOT_PERMITTED, ""},
               {&x.h29, kH41, v1::STATUS_REVOKE_REQUESTED,
                v1::REASON_UNKNOWN_DOCUMENT, ""},
           });

  // The sender got exactly the accepted statuses, in order.
  CHECK(StatusesDelivered(x.g22) == Codes{1, 3, 5, 2});

  const auto kept = x.Kept(id, {kH41, kH29});
  const std::vector<store::StatusRecord>& h41 = kept[0];
  CHECK(CodesOf(h41) == Codes{1, 3, 5});
  REQUIRE(h41.size() == 3);
  CHECK(h41[0].created_unix_ms == 100);
  CHECK(h41[2].created_unix_ms == 300);
  CHECK(h41[0].accepted_unix_ms == broker_time);
  CHECK(CodesOf(kept[1]) == Codes{2});
}

TEMPLATE_TEST_CASE(
    "the revoke handshake: 13 from the sender, answered 16 "
    "(the document stays valid) or 15 (revoked: nothing "
    "follows for that recipient)",
    "[broker][lifecycle]", OnSqlite, OnPostgres) {
  Exchange<TestType> x;
  const std::string id = x.SendToBoth();
  using Codes = std::vector<int32_t>;
  constexpr v1::Reason kInvalid = v1::REASON_INVALID_TRANSITION;
  Play(id, {
               {&x.h41, kG22, v1::STATUS_ACCEPTED, kAccepted, ""},
               {&x.g22, kH41, v1::STATUS_REVOKE_REQUESTED, kAccepted, ""},
               // One request at a time; H29 has no request to answer.
               {&x.g22, kH41, v1::STATUS_REVOKE_REQUESTED, kInvalid, ""},
               {&x.h29, kG22, v1::STATUS_REVOKE_AGREED, kInvalid, ""},
               {&x.h41, kG22, v1::STATUS_REVOKE_REFUSED, kAccepted, ""},
               // Refused: the document stays valid and goes on, and a new
               // request may follow.
               {&x.h41, kG22, v1::STATUS_ASSIGNED, kAccepted, ""},
               {&x.h41, kG22, v1::STATUS_REVOKE_AGREED, kInvalid, ""},
               {&x.g22, kH41, v1::STATUS_REVOKE_REQUESTED, kAccepted, ""},
               {&x.h41, kG22, v1::STATUS_REVOKE_AGREED, kAccepted, ""},
               // Revoked for H41: no more statuses from it, no new request.
               {&x.h41, kG22, v1::STATUS_DONE, kInvalid, ""},
               {&x.g22, kH41, v1::STATUS_REVOKE_REQUESTED, kInvalid, ""},
               // H29 is not affected by H41's revocation.
               {&x.h29, kG22, v1::STATUS_DONE, kAccepted, ""},
           });

  CHECK(StatusesDelivered(x.h41) == Codes{13, 13});

  const auto kept = x.Kept(id, {kH41, kH29});
  CHECK(CodesOf(kept[0]) == Codes{3, 13, 16, 4, 13, 15});
  CHECK(CodesOf(kept[1]) == Codes{6});
}

TEMPLATE_TEST_CASE(
    "revoke, update and replace act only on the sender's own "
    "document and its recipients, and a new document reusing a "
    "DocumentId is a duplicate",
    "[broker][lifecycle]", OnSqlite, OnPostgres) {
  Exchange<TestType> x;
  const v1::Submit original = MakeSubmit(kG22, {kH41});
  REQUIRE(x.g22.Submit(original).has_accepted());
  const std::string target = DocumentIdOf(original);

  // A retransmission of the same message stays the idempotent duplicate.
  const v1::Frame again = x.g22.Submit(original);
  REQUIRE(again.has_accepted());
  CHECK(again.accepted().duplicate());

  struct Refused {
    std::string what;
    v1::Submit submit;
    v1::Reason reason;
  };
  const std::vector<Refused> refused = {
      {"a new document with the same DocumentId",
       Edited(MakeSubmit(kG22, {kH41}), kG22,
              [&](v1::DocumentHeader& h) { h.set_document_id(target); }),
       v1::REASON_DUPLICATE_DOCUMENT},
      {"an update by another agency",
       ActingOn(kH29, {kH41}, v1::BUSINESS_UPDATE, target),
       v1::REASON_NOT_PERMITTED},
      {"a replacement to an agency that never had it",
       ActingOn(kG22, {kH41, kH29}, v1::BUSINESS_REPLACE, target),
       v1::REASON_NOT_PERMITTED},
      {"a revocation of a document never sent",
       ActingOn(kG22, {kH41}, v1::BUSINESS_REVOKE,
                kG22 + ",2026/11/28,999/VPCP-TH"),
       v1::REASON_UNKNOWN_DOCUMENT},
  };
  for (const Refused& r : refused) {
    INFO(r.what);
    TestAgent& from = r.what == "an update by another agency" ? x.h29 : x.g22;
    const v1::Frame answer = from.Submit(r.submit);
    REQUIRE(answer.has_rejected());
    CHECK(answer.rejected().reason() == r.reason);
  }

  // The sender's update and replacement to the document's recipient pass.
  const v1::Submit update = ActingOn(kG22, {kH41}, v1::BUSINESS_UPDATE, target);
  const v1::Submit replace =
      ActingOn(kG22, {kH41}, v1::BUSINESS_REPLACE, target);
  REQUIRE(x.g22.Submit(update).has_accepted());
  REQUIRE(x.g22.Submit(replace).has_accepted());

  auto store = x.OpenStore();
  for (const Refused& r : refused) {
    INFO(r.what);
    const std::string sender =
        r.what == "an update by another agency" ? kH29 : kG22;
    auto found = store->FindDocument(sender, MessageIdOf(r.submit));
    REQUIRE(found.ok());
    CHECK_FALSE(found->has_value());
  }
  for (const v1::Submit* kept : {&update, &replace}) {
    auto found = store->FindDocument(kG22, MessageIdOf(*kept));
    REQUIRE(found.ok());
    CHECK(found->has_value());
  }
  // The DocumentId still finds the original.
  auto by_id = store->FindDocumentByDocumentId(kG22, target);
  REQUIRE(by_id.ok());
  REQUIRE(by_id->has_value());
  CHECK((*by_id)->message_id == MessageIdOf(original));
}

}  // namespace
}  // namespace docbus::broker::test
