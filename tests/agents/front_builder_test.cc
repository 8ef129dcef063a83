// What every front end hands its requests to: the DocumentBuilder signs only
// headers the one validator accepts (the same table of bad headers the
// broker refuses), writes dates in the agency's calendar, and puts the
// message id in each frame as its correlation id.
#include <catch2/catch.hpp>

#include "agents/document_builder.h"
#include "agents/json_codec.h"
#include "tests/agents/agent_test_support.h"
#include "tests/document/bad_headers.h"

namespace docbus::agent {
namespace {

using testing::kAgencyA;
using testing::kAgencyB;
using testing::TestPki;

static_assert(std::string_view(kAgencyA) == document::testing::kSender);
static_assert(std::string_view(kAgencyB) == document::testing::kRecipient);

// 2026-12-05 23:30 UTC: 06:30 on 2026-12-06 in Vietnam.
constexpr int64_t kBeforeSevenVietnamMs = 1'796'513'400'000;

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

struct BuilderFixture {
  BuilderFixture()
      : pki_files{pki.paths().root_certificate(), pki.paths().crl(),
                  pki.paths().registry()} {
    auto loaded = crypto::NationalPki::Load(pki_files, clock);
    REQUIRE(loaded.ok());
    national_pki = std::move(loaded).value();
    signer = pki.SignerFor(kAgencyA);
    auto zone = document::TimeZone::Load(document::kDefaultTimeZone);
    REQUIRE(zone.ok());
    builder = std::make_unique<DocumentBuilder>(
        kAgencyA, *signer, *national_pki, clock, AgentLimits{}, *zone);
  }

  TestPki pki;
  crypto::PkiFiles pki_files;
  FakeClock clock{kBeforeSevenVietnamMs};
  std::unique_ptr<crypto::NationalPki> national_pki;
  std::unique_ptr<crypto::Signer> signer;
  std::unique_ptr<DocumentBuilder> builder;
};

// The good header of the shared table as an agency system submits it.
DocumentRequest RequestOf(v1::DocumentHeader header) {
  header.clear_message_id();
  header.clear_from();
  header.clear_created_unix_ms();
  DocumentRequest request;
  request.header = std::move(header);
  return request;
}

TEST_CASE_METHOD(BuilderFixture,
                 "a document built at 06:30 Vietnam time on a UTC host "
                 "carries that day's date",
                 "[front][builder]") {
  DocumentRequest request = testing::SimpleRequest(kAgencyB);
  request.header.clear_promulgation_info();  // the agent writes today
  auto entry = builder->BuildDocument(std::move(request));
  REQUIRE(entry.ok());
  CHECK(entry->document_id == "000.00.00.G22,2026/12/06,15/VPCP-HC");
}

TEST_CASE_METHOD(BuilderFixture,
                 "a document addressed to its own sender is refused",
                 "[front][builder]") {
  DocumentRequest request = testing::SimpleRequest(kAgencyB);
  request.header.add_to()->set_organ_id(kAgencyA);
  auto entry = builder->BuildDocument(std::move(request));
  REQUIRE_FALSE(entry.ok());
  CHECK(entry.status().code() == Code::kInvalidField);
  CHECK(StartsWith(entry.status().message(),
                   "to[1].organ_id: the document is addressed to its own "
                   "sender"));
}

TEST_CASE_METHOD(BuilderFixture,
                 "the builder and the JSON front end refuse the table's "
                 "headers as the validator does",
                 "[front][builder]") {
  for (const document::testing::BadHeader& bad :
       document::testing::BadHeaders()) {
    if (bad.json_field.empty()) continue;  // fields the agent fills itself
    INFO(bad.what);
    v1::DocumentHeader spoiled = document::testing::GoodHeader();
    bad.spoil(spoiled);
    const DocumentRequest request = RequestOf(spoiled);

    auto built = builder->BuildDocument(request);
    REQUIRE_FALSE(built.ok());
    CHECK(CodeName(built.status().code()) == CodeName(bad.code));
    INFO(built.status().message());
    CHECK(StartsWith(built.status().message(), bad.field + ": "));

    const std::string json = DumpJson(RenderDocumentRequest(request));
    auto parsed = DocumentRequestFromJson(json, clock.NowUnixMillis());
    REQUIRE_FALSE(parsed.ok());
    CHECK(CodeName(parsed.status().code()) == CodeName(bad.code));
    INFO(parsed.status().message());
    CHECK(StartsWith(parsed.status().message(), bad.json_field + ": "));
  }
}

TEST_CASE_METHOD(BuilderFixture,
                 "frames carry their message id as the correlation id",
                 "[front][builder]") {
  auto document = builder->BuildDocument(testing::SimpleRequest(kAgencyB));
  REQUIRE(document.ok());
  v1::Frame frame;
  REQUIRE(frame.ParseFromString(document->frame));
  CHECK(frame.submit().correlation_id() == document->message_id);

  StatusRequest status;
  status.message_id = document->message_id;
  status.code = v1::STATUS_ACCEPTED;
  status.to = kAgencyB;
  auto reported = builder->BuildStatus(status, nullptr);
  REQUIRE(reported.ok());
  REQUIRE(frame.ParseFromString(reported->frame));
  CHECK(frame.submit_status().correlation_id() == reported->message_id);

  status.to = kAgencyA;  // to itself
  CHECK(builder->BuildStatus(status, nullptr).status().code() ==
        Code::kInvalidField);
}

}  // namespace
}  // namespace docbus::agent
