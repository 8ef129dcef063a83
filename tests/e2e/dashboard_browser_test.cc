// The broker's dashboard as a person sees it: headless Chromium (Debian's
// `chromium`) renders the page against a running bus with three agencies,
// one of them offline with a document queued for it, and the test reads the
// rendered page: who is online, the queue, the offline agency highlighted,
// names beside ids, the activity chart. The screenshot is kept as
// <build>/tests/e2e/dashboard.png. Opt-in (hidden from ctest, needs
// chromium): `e2e_test "[browser]"`.
#include <catch2/catch.hpp>
#include <regex>

#include "bus/core/files.h"
#include "tests/e2e/e2e_support.h"
#include "tests/support/shell.h"

namespace docbus::e2e {
namespace {

namespace fs = std::filesystem;

// Chromium as the machine's probe starts it: no sandbox (root), no network
// of its own, a fresh profile.
std::string Chromium(const fs::path& profile) {
  return "chromium --headless --no-sandbox --disable-gpu --disable-quic "
         "--no-first-run --disable-background-networking "
         "--disable-component-update --disable-sync --hide-scrollbars "
         "--user-data-dir='" + profile.string() + "' --virtual-time-budget=8000 ";
}

// The rendered row (<tr ...>...</tr>) of `agency` in the agencies table.
std::string RowOf(const std::string& dom, const std::string& agency) {
  const size_t cell = dom.find(">" + agency + "</td>");
  if (cell == std::string::npos) return "";
  const size_t start = dom.rfind("<tr", cell);
  const size_t end = dom.find("</tr>", cell);
  return dom.substr(start, end - start);
}

}  // namespace

TEST_CASE("the dashboard in a real browser shows who is online, the queue "
          "and the offline agency highlighted",
          "[.browser]") {
  std::string where;
  if (testing::RunShell("command -v chromium", &where) != 0) {
    FAIL("chromium not found: apt-get install chromium");
  }
  auto d = MakeDeployment({kG22, kH41, kH29});
  REQUIRE(d->StartBroker().ok());
  REQUIRE(d->StartAgent(kG22).ok());
  REQUIRE(d->StartAgent(kH41).ok());  // H29 stays offline
  std::string attachment;
  auto delivered = d->Send(kG22, MakeDocument({kH41}, 1, 100, &attachment));
  REQUIRE(delivered.ok());
  REQUIRE(d->Send(kG22, MakeDocument({kH29}, 2, 100, &attachment)).ok());
  REQUIRE(WaitForReceipts(*d, {{kG22, *delivered, {kH41}}},
                          std::chrono::seconds(30)));
  auto url = d->BrokerHttpUrl(0);
  REQUIRE(url.ok());

  const fs::path profile = d->dir() / "chromium";
  const fs::path rendered = d->dir() / "dashboard.html";
  std::string out;
  const int code = testing::RunShell(
      "{ " + Chromium(profile) + "--dump-dom '" + *url + "/' > '" +
          rendered.string() + "' 2>> '" + (d->dir() / "chromium.log").string() +
          "'; }",
      &out);
  REQUIRE(code == 0);
  auto page = ReadFileLimited(rendered, 16 << 20);
  REQUIRE(page.ok());
  const std::string& dom = *page;
  INFO(dom.substr(0, 4000));

  const std::string g22 = RowOf(dom, kG22), h41 = RowOf(dom, kH41),
                    h29 = RowOf(dom, kH29);
  CHECK_THAT(g22, Catch::Contains(">online</td>"));
  CHECK_THAT(h41, Catch::Contains(">online</td>"));
  CHECK_THAT(h29, Catch::Contains(">offline</td>"));
  CHECK_THAT(h29, Catch::Contains("class=\"offline queued\""));
  CHECK_THAT(h29, Catch::Contains(">Agency " + kH29 + "</td>"));
  CHECK_THAT(g22, Catch::Contains(">Agency " + kG22 + "</td>"));
  CHECK_THAT(g22, Catch::Contains("class=\"online\""));
  // H29's queue: one document waits.
  CHECK(std::regex_search(h29, std::regex(">offline</td><td>1</td>")));
  CHECK_THAT(dom, Catch::Contains("2 agencies online"));
  // The delivery shows as a bar of the activity chart.
  CHECK(std::regex_search(dom, std::regex("<rect[^>]*height=\"[1-9][^>]*class=\"rate\"")));
  CHECK_THAT(dom, Catch::Contains("deliveries/s"));

  const fs::path screenshot = fs::path(DOCBUS_BINARY_DIR) / "tests/e2e/dashboard.png";
  out.clear();
  REQUIRE(testing::RunShell("{ " + Chromium(profile) +
                                "--window-size=1200,1000 --screenshot='" +
                                screenshot.string() + "' '" + *url + "/' 2>> '" +
                                (d->dir() / "chromium.log").string() + "'; }",
                            &out) == 0);
  auto png = ReadFileLimited(screenshot, 64 << 20);
  REQUIRE(png.ok());
  CHECK(png->substr(1, 3) == "PNG");
}

}  // namespace docbus::e2e
