// The document lifecycle end to end, through real agents and a real broker
// driven by the agents' HTTP API as agency systems drive them: the revoke
// handshake 13 -> 15 leaves the document revoked on both sides, 13 -> 16
// leaves it valid with the refusal shown; a revoke by a recipient, an
// illegal transition and 02 without a reason are refused with their codes
// and change no view and no status list; updates and replacements show as
// "updated_by" / "replaced_by"; a new document reusing a DocumentId is
// refused as duplicate_document; `docbus audit replay` shows the chain.
#include <catch2/catch.hpp>

#include "tests/e2e/e2e_support.h"

namespace docbus::e2e {
namespace {

using nlohmann::json;
constexpr auto kWait = std::chrono::seconds(30);

json OutgoingOf(local::Deployment& d, const std::string& sender,
                const std::string& id) {
  auto view = d.Get(sender, "/v1/documents/" + id);
  return view.ok() ? *view : json();
}

json InboxOf(local::Deployment& d, const std::string& agency,
             const std::string& id) {
  auto view = d.Get(agency, "/v1/inbox/" + id);
  return view.ok() ? *view : json();
}

// The sender's lifecycle entry for `recipient` ({} when absent).
json SenderLifecycle(local::Deployment& d, const std::string& sender,
                     const std::string& id, const std::string& recipient) {
  json view = OutgoingOf(d, sender, id);
  for (const json& l : view.value("lifecycle", json::array())) {
    if (l.value("recipient", "") == recipient) return l;
  }
  return json::object();
}

std::string SenderState(local::Deployment& d, const std::string& sender,
                        const std::string& id, const std::string& recipient) {
  return SenderLifecycle(d, sender, id, recipient).value("state", "");
}

json RecipientLifecycle(local::Deployment& d, const std::string& agency,
                        const std::string& id) {
  return InboxOf(d, agency, id).value("lifecycle", json::object());
}

// The codes of the statuses the agency received, in order.
std::vector<int> StatusesAt(local::Deployment& d, const std::string& agency) {
  std::vector<int> codes;
  auto page = d.Get(agency, "/v1/statuses?after=0&limit=1000");
  if (!page.ok()) return codes;
  for (const json& s : page->value("statuses", json::array())) {
    codes.push_back(s.value("code", 0));
  }
  return codes;
}

// POST a status; "" when accepted, else the error text (HTTP status and code).
std::string Report(local::Deployment& d, const std::string& agency,
                   const std::string& id, int code,
                   const std::string& description = "",
                   const std::string& to = "") {
  json body = {{"code", code}};
  if (!description.empty()) body["description"] = description;
  if (!to.empty()) body["to"] = to;
  auto answer = d.Post(agency, "/v1/documents/" + id + "/status", body);
  return answer.ok() ? "" : answer.status().message();
}

bool WaitFor(const std::function<bool()>& done) {
  return local::Deployment::WaitUntil(done, kWait);
}

// What a refusal must leave as it was, for one document.
struct Views {
  json sender_view, h41_lifecycle, h29_lifecycle;
  std::vector<int> sender_statuses, h41_statuses, h29_statuses;
  bool operator==(const Views&) const = default;
};

Views Snapshot(local::Deployment& d, const std::string& id) {
  json sender = OutgoingOf(d, kG22, id);
  sender.erase("pending_reason");
  return Views{sender,
               RecipientLifecycle(d, kH41, id),
               RecipientLifecycle(d, kH29, id),
               StatusesAt(d, kG22),
               StatusesAt(d, kH41),
               StatusesAt(d, kH29)};
}

json ActingOn(const std::vector<std::string>& to, int number, int type,
              const std::string& target) {
  std::string attachment;
  json doc = MakeDocument(to, number, 100, &attachment);
  doc["business"] = {{"type", type},
                     {"target_document_id", target},
                     {"reason", "Cập nhật văn bản điện tử"}};
  return doc;
}

}  // namespace

TEST_CASE(
    "the revoke handshake, refusals that change nothing, updates and "
    "replacements, and DocumentId duplicates, through real agents and "
    "a real broker",
    "[e2e][lifecycle]") {
  auto d = MakeDeployment({kG22, kH41, kH29});
  REQUIRE(d->StartAll().ok());
  std::string attachment;
  auto sent = d->Send(kG22, MakeDocument({kH41, kH29}, 1, 1000, &attachment));
  REQUIRE(sent.ok());
  const std::string id = *sent;
  REQUIRE(WaitForReceipts(*d, {{kG22, id, {kH41, kH29}}}, kWait));
  const std::string document_id =
      InboxOf(*d, kH41, id).value("document_id", "");
  REQUIRE_FALSE(document_id.empty());
  CHECK(RecipientLifecycle(*d, kH41, id).value("state", "") == "valid");
  CHECK(SenderState(*d, kG22, id, kH41) == "valid");

  // Both recipients accept it (03).
  REQUIRE(Report(*d, kH41, id, 3).empty());
  REQUIRE(Report(*d, kH29, id, 3).empty());
  REQUIRE(WaitFor([&] { return StatusesAt(*d, kG22).size() == 2; }));
  CHECK(SenderLifecycle(*d, kG22, id, kH41).value("last_status", 0) == 3);

  // 13 -> 16 with H29: the refusal is shown, the document stays valid.
  REQUIRE(Report(*d, kG22, id, 13, "", kH29).empty());
  CHECK(SenderState(*d, kG22, id, kH29) == "revoke_requested");
  REQUIRE(WaitFor([&] {
    return RecipientLifecycle(*d, kH29, id).value("state", "") ==
           "revoke_requested";
  }));
  REQUIRE(Report(*d, kH29, id, 16, "Văn bản đã được xử lý").empty());
  REQUIRE(WaitFor(
      [&] { return SenderState(*d, kG22, id, kH29) == "revoke_refused"; }));
  CHECK(RecipientLifecycle(*d, kH29, id).value("state", "") ==
        "revoke_refused");
  CHECK(Report(*d, kH29, id, 5).empty());  // still valid: work goes on
  REQUIRE(WaitFor([&] { return StatusesAt(*d, kG22).size() == 4; }));

  // 13 -> 15 with H41: revoked on both sides.
  REQUIRE(Report(*d, kG22, id, 13, "", kH41).empty());
  REQUIRE(WaitFor([&] {
    return RecipientLifecycle(*d, kH41, id).value("state", "") ==
           "revoke_requested";
  }));
  REQUIRE(Report(*d, kH41, id, 15).empty());
  REQUIRE(
      WaitFor([&] { return SenderState(*d, kG22, id, kH41) == "revoked"; }));
  CHECK(RecipientLifecycle(*d, kH41, id).value("state", "") == "revoked");
  CHECK(SenderState(*d, kG22, id, kH29) == "revoke_refused");
  REQUIRE(WaitFor([&] { return StatusesAt(*d, kG22).size() == 5; }));
  CHECK(StatusesAt(*d, kG22) == std::vector<int>{3, 3, 16, 5, 15});

  // Refusals: each with its code, and nothing changes anywhere.
  const Views before = Snapshot(*d, id);
  struct Refused {
    std::string what, agency;
    int code;
    std::string description, to, want;
  };
  const std::vector<Refused> refused = {
      {"a revoke by a recipient", kH29, 13, "", kG22, "403 not_permitted"},
      {"a status after the revocation", kH41, 6, "", "",
       "409 invalid_transition"},
      {"a second revoke once revoked", kG22, 13, "", kH41,
       "409 invalid_transition"},
      {"03 after 05", kH29, 3, "", "", "409 invalid_transition"},
      {"15 without a revoke request", kH29, 15, "", "",
       "409 invalid_transition"},
  };
  for (const Refused& r : refused) {
    INFO(r.what);
    const std::string error =
        Report(*d, r.agency, id, r.code, r.description, r.to);
    CHECK(error.find(r.want) != std::string::npos);
  }
  // 02 without a reason, on a document nothing was reported about yet.
  auto second = d->Send(kG22, MakeDocument({kH29}, 2, 100, &attachment));
  REQUIRE(second.ok());
  REQUIRE(WaitForReceipts(*d, {{kG22, *second, {kH29}}}, kWait));
  CHECK(Report(*d, kH29, *second, 2).find("400 invalid_field") !=
        std::string::npos);
  // A status accepted after the refusals reaches the sender after anything
  // they could have sent: then nothing else may have arrived.
  REQUIRE(Report(*d, kH29, *second, 2, "Sai thể thức").empty());
  REQUIRE(WaitFor([&] { return StatusesAt(*d, kG22).size() == 6; }));
  CHECK(StatusesAt(*d, kG22).back() == 2);
  Views after = Snapshot(*d, id);
  after.sender_statuses.pop_back();
  CHECK(after == before);
  CHECK(StatusesAt(*d, kH29) == before.h29_statuses);

  // An update to H41 and a replacement to H29, both by the sender.
  auto update = d->Send(kG22, ActingOn({kH41}, 3, 2, document_id));
  auto replace = d->Send(kG22, ActingOn({kH29}, 4, 3, document_id));
  REQUIRE(update.ok());
  REQUIRE(replace.ok());
  REQUIRE(WaitForReceipts(
      *d, {{kG22, *update, {kH41}}, {kG22, *replace, {kH29}}}, kWait));
  const json h41 = RecipientLifecycle(*d, kH41, id);
  CHECK(h41.value("state", "") == "revoked");  // revoked stays the headline
  CHECK(h41.value("updated_by", json::array()) == json::array({*update}));
  const json h29 = RecipientLifecycle(*d, kH29, id);
  CHECK(h29.value("state", "") == "replaced_by " + *replace);
  CHECK(h29.value("revoke", "") == "revoke_refused");
  auto listed = d->Get(kH29, "/v1/inbox?after=0");
  REQUIRE(listed.ok());
  bool listed_replaced = false;
  for (const json& s : listed->value("documents", json::array())) {
    if (s.value("message_id", "") == id) {
      listed_replaced =
          s["lifecycle"].value("state", "") == "replaced_by " + *replace;
    }
  }
  CHECK(listed_replaced);

  // Refused by the broker: a new document reusing the DocumentId, and an
  // update by an agency that did not send the document.
  json again = MakeDocument({kH41}, 5, 100, &attachment);
  again["document_id"] = document_id;
  auto duplicate = d->Send(kG22, again);
  REQUIRE(duplicate.ok());
  auto foreign = d->Send(kH41, ActingOn({kH29}, 6, 2, document_id));
  REQUIRE(foreign.ok());
  REQUIRE(WaitFor([&] {
    return StateAt(*d, kG22, *duplicate) == "rejected" &&
           StateAt(*d, kH41, *foreign) == "rejected";
  }));
  CHECK(OutgoingOf(*d, kG22, *duplicate).value("reason", "") ==
        "duplicate_document");
  CHECK(OutgoingOf(*d, kH41, *foreign).value("reason", "") == "not_permitted");
  CHECK(InboxOf(*d, kH41, *duplicate).is_null());
  CHECK(InboxOf(*d, kH29, *foreign).is_null());

  // The auditor's chain: each status with its code and both times, and the
  // documents acting on this one.
  REQUIRE(d->StopAll().ok());
  int code = -1;
  auto replay = d->RunDocbus(
      "audit replay --json '" + (d->broker_data() / "log").string() + "'",
      &code);
  REQUIRE(replay.ok());
  CHECK(code == 0);
  const json chain = json::parse(*replay, nullptr, false);
  REQUIRE_FALSE(chain.is_discarded());
  const json* document = nullptr;
  REQUIRE(chain.is_array());
  for (const json& doc : chain) {
    if (doc.value("message_id", "") == id) document = &doc;
  }
  REQUIRE(document != nullptr);
  std::vector<int> codes;
  for (const json& s : document->value("statuses", json::array())) {
    codes.push_back(s.value("code", 0));
    CHECK(s.value("reported_unix_ms", int64_t{0}) > 0);
    CHECK(s.value("broker_unix_ms", int64_t{0}) > 0);
  }
  CHECK(codes == std::vector<int>{3, 3, 13, 16, 5, 13, 15});
  std::set<std::string> acting;
  for (const json& a : document->value("acted_on_by", json::array())) {
    acting.insert(a.value("message_id", "") + " " + a.value("business", ""));
  }
  CHECK(acting ==
        std::set<std::string>{*update + " update", *replace + " replace"});
}

}  // namespace docbus::e2e
