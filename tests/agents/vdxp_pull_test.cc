// The SDK pull model's state: a received packet stays listed until the
// agency's system says done, fail lists it again, done is final, and all of
// it survives reopening the file (an agent restart).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "agents/vdxp/pull_queue.h"
#include "agents/vdxp/pull_state_store.h"
#include "tests/agents/front_fake_service.h"
#include "tests/agents/vdxp_test_support.h"
#include "tests/temp_dir.h"

namespace docbus::agent::vdxp {
namespace {

using testing::FakeAgentService;
using testing::ListedIds;
using testing::MakePullQueue;

PulledPacket Packet(std::string id) {
  PulledPacket p;
  p.doc_id = std::move(id);
  p.from = "000.00.00.H41";
  p.to = "000.00.00.G22";
  p.received_unix_ms = 1'780'000'000'000;
  return p;
}

std::unique_ptr<PullStateStore> OpenStore(const std::filesystem::path& file) {
  auto store = PullStateStore::Open(file);
  REQUIRE(store.ok());
  return std::move(store).value();
}

TEST_CASE(
    "a packet stays listed until done; fail lists it again; done is "
    "final",
    "[vdxp][pull]") {
  docbus::testing::TempDir dir;
  auto store = OpenStore(dir.path() / "vdxp.db");
  REQUIRE(
      store->Add(PacketKind::kDocument, {Packet("a"), Packet("b")}, 2).ok());
  CHECK(ListedIds(*store, PacketKind::kDocument) ==
        std::vector<std::string>{"a", "b"});
  CHECK(ListedIds(*store, PacketKind::kStatus).empty());

  REQUIRE(store->Update("a", PullState::kProcessing, 1).ok());
  CHECK(store->Get("a")->state == PullState::kProcessing);
  CHECK(ListedIds(*store, PacketKind::kDocument).size() == 2);

  REQUIRE(store->Update("a", PullState::kFail, 2).ok());
  CHECK(ListedIds(*store, PacketKind::kDocument) ==
        std::vector<std::string>{"a", "b"});

  REQUIRE(store->Update("a", PullState::kDone, 3).ok());
  CHECK(ListedIds(*store, PacketKind::kDocument) ==
        std::vector<std::string>{"b"});
  CHECK(*store->CountListed(PacketKind::kDocument) == 1);

  SECTION(
      "done again (a retried updateStatus) is accepted and changes "
      "nothing") {
    CHECK(store->Update("a", PullState::kDone, 4).ok());
    CHECK(store->Get("a")->updated_unix_ms == 3);
  }
  SECTION("fail or processing after done is refused and changes nothing") {
    for (PullState s : {PullState::kFail, PullState::kProcessing}) {
      CHECK(store->Update("a", s, 5).code() == Code::kInvalidTransition);
    }
    CHECK(store->Get("a")->state == PullState::kDone);
    CHECK(ListedIds(*store, PacketKind::kDocument) ==
          std::vector<std::string>{"b"});
  }
  SECTION("an unknown docId is refused") {
    CHECK(store->Update("zzz", PullState::kDone, 5).code() == Code::kNotFound);
    CHECK(store->Get("zzz").status().code() == Code::kNotFound);
  }
  SECTION("a packet added again keeps its state") {
    REQUIRE(store->Add(PacketKind::kDocument, {Packet("a")}, 2).ok());
    CHECK(ListedIds(*store, PacketKind::kDocument) ==
          std::vector<std::string>{"b"});
  }
}

TEST_CASE("pull state and cursors survive reopening the file", "[vdxp][pull]") {
  docbus::testing::TempDir dir;
  const auto file = dir.path() / "vdxp.db";
  {
    auto store = OpenStore(file);
    REQUIRE(
        store->Add(PacketKind::kDocument, {Packet("a"), Packet("b")}, 7).ok());
    REQUIRE(store->Add(PacketKind::kStatus, {Packet("s1")}, 1).ok());
    REQUIRE(store->Update("a", PullState::kDone, 1).ok());
    REQUIRE(store->Update("b", PullState::kFail, 1).ok());
  }
  auto store = OpenStore(file);
  CHECK(ListedIds(*store, PacketKind::kDocument) ==
        std::vector<std::string>{"b"});
  CHECK(store->Get("b")->state == PullState::kFail);
  CHECK(ListedIds(*store, PacketKind::kStatus) ==
        std::vector<std::string>{"s1"});
  CHECK(*store->Cursor(PacketKind::kDocument) == 7);
  CHECK(*store->Cursor(PacketKind::kStatus) == 1);
}

TEST_CASE(
    "the queue takes what the agent received, documents and statuses "
    "apart, once each",
    "[vdxp][pull]") {
  docbus::testing::TempDir dir;
  const auto file = dir.path() / "vdxp.db";
  FakeAgentService service;
  FakeClock clock;
  service.AddIncoming(testing::MakeIncoming("m1", {}));
  StatusView status;
  status.status_id = "s1";
  status.message_id = "m0";
  status.from = "000.00.00.H41";
  status.to = "000.00.00.G22";
  status.code = 3;
  service.AddStatus(status);
  {
    auto queue_ptr = MakePullQueue(file, service, clock);
    PullQueue& queue = *queue_ptr;
    CHECK(ListedIds(queue, PacketKind::kDocument) ==
          std::vector<std::string>{"m1"});
    CHECK(ListedIds(queue, PacketKind::kStatus) ==
          std::vector<std::string>{"s1"});
    Result<PulledPacket> s1 = queue.Get("s1");
    REQUIRE(s1.ok());
    CHECK(s1->about == "m0");
    CHECK(s1->code == 3);
    CHECK(s1->kind == PacketKind::kStatus);
    REQUIRE(queue.Update("m1", PullState::kDone).ok());
    service.AddIncoming(testing::MakeIncoming("m2", {}));
    CHECK(ListedIds(queue, PacketKind::kDocument) ==
          std::vector<std::string>{"m2"});
  }
  // A restart: a new queue on the same file lists what was not done, and
  // m1, done before, never again.
  auto queue_ptr = MakePullQueue(file, service, clock);
  PullQueue& queue = *queue_ptr;
  CHECK(ListedIds(queue, PacketKind::kDocument) ==
        std::vector<std::string>{"m2"});
  CHECK(*queue.CountListed(PacketKind::kStatus) == 1);
  CHECK(queue.Update("m1", PullState::kFail).code() ==
        Code::kInvalidTransition);
}

}  // namespace
}  // namespace docbus::agent::vdxp
