// AnswerWatch (agents/answer_watch.h), behind POST /v1/documents with
// Prefer: wait: an answer wakes the caller watching its id, an answer that
// came between Watch and the wait is not lost, and nothing is left behind
// once the watchers are gone.
#include "agents/answer_watch.h"

#include <catch2/catch.hpp>
#include <thread>

namespace docbus::agent {
namespace {

using std::chrono::steady_clock;

TEST_CASE("an answer from the loop's thread wakes the caller watching its id") {
  AnswerWatch watch;
  AnswerWatch::Ticket ticket = watch.Watch("m1");
  std::thread loop([&] { watch.Answered({"m0", "m1"}); });
  // Woken by the answer, not by the deadline: a lost wake-up hangs here
  // until the test's timeout fails it.
  CHECK(ticket.WaitUntil(steady_clock::now() + std::chrono::hours(1)));
  loop.join();
}

TEST_CASE("an answer committed after Watch and before the wait is kept") {
  AnswerWatch watch;
  AnswerWatch::Ticket ticket = watch.Watch("m1");
  watch.Answered({"m1"});
  CHECK(ticket.WaitUntil(steady_clock::now()));
}

TEST_CASE("an answer to another document leaves the wait to its deadline") {
  AnswerWatch watch;
  AnswerWatch::Ticket ticket = watch.Watch("m1");
  watch.Answered({"m2"});
  CHECK_FALSE(ticket.WaitUntil(steady_clock::now() + std::chrono::milliseconds(20)));
}

TEST_CASE("once its watchers are gone an id's answer is forgotten") {
  AnswerWatch watch;
  {
    AnswerWatch::Ticket first = watch.Watch("m1");
    AnswerWatch::Ticket second = watch.Watch("m1");
    watch.Answered({"m1"});
    CHECK(first.WaitUntil(steady_clock::now()));
    CHECK(second.WaitUntil(steady_clock::now()));
  }
  AnswerWatch::Ticket later = watch.Watch("m1");
  CHECK_FALSE(later.WaitUntil(steady_clock::now()));
}

}  // namespace
}  // namespace docbus::agent
