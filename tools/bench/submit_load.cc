#include "tools/bench/submit_load.h"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "bus/core/base64.h"
#include "tools/bench/load_client.h"
#include "tools/bench/offered_load.h"

namespace docbus::bench {
namespace {

using Clock = std::chrono::steady_clock;

// The request body of document `i` to `to`: the API's JSON, with the
// attachment as base64 inside it or, multipart, as a part of its own.
struct Request {
  std::string content_type, body;
};
Request RenderRequest(int i, const std::string& to, const std::string& payload,
                      bool multipart) {
  const std::string n = std::to_string(i);
  std::string json =
      "{\"to\":[\"" + to + "\"],\"subject\":\"Benchmark document " + n +
      "\",\"code\":{\"number\":\"" + std::to_string(i + 1) +
      "\",\"notation\":\"BENCH\"},\"attachments\":[{\"name\":\"body.bin\","
      "\"media_type\":\"application/octet-stream\",";
  if (!multipart) {
    json += "\"data_base64\":\"" + Base64Encode(payload) + "\"}]}";
    return {"application/json", std::move(json)};
  }
  json += "\"file\":\"body.bin\"}]}";
  const std::string boundary = "docbus-bench-boundary-" + n;
  std::string body =
      "--" + boundary +
      "\r\nContent-Disposition: form-data; name=\"document\"\r\n"
      "Content-Type: application/json\r\n\r\n" +
      json + "\r\n--" + boundary +
      "\r\nContent-Disposition: form-data; name=\"body.bin\"; "
      "filename=\"body.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n";
  body += payload;
  body += "\r\n--" + boundary + "--\r\n";
  return {"multipart/form-data; boundary=" + boundary, std::move(body)};
}

// The broker's answer to `id` as the sender's agent shows it, read until it
// is not pending any more (at most a minute): "accepted", "rejected", or ""
// when it could not be read.
std::string PollAnswer(LoadClient& client, const std::string& id) {
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    Result<Answer> res = client.Get("/v1/documents/" + id);
    if (!res.ok() || res->status != 200) return "";
    const nlohmann::json view = nlohmann::json::parse(res->body, nullptr, false);
    const std::string state = view.is_object() ? view.value("state", "") : "";
    if (state != "pending") return state;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return "";
}

}  // namespace

void SendRange(const std::vector<AgentApi>& agents, int begin, int end,
               int step, const SubmitLoad& load, Clock::time_point start,
               std::vector<std::vector<std::string>>& ids,
               std::vector<double>& accepted_ms, SubmitCounts& counts) {
  std::vector<std::unique_ptr<LoadClient>> clients;
  for (const auto& a : agents)
    clients.push_back(std::make_unique<LoadClient>(a.url, a.token));
  std::mt19937_64 random(begin);
  std::string payload(load.size, '\0');
  for (int i = begin; i < end; i += step) {
    WaitForTurn(start, i, load.rate);
    Randomize(payload, random);
    const size_t from = i % agents.size();
    const std::string to =
        load.offline ? "000.00.00.H99" : agents[(from + 1) % agents.size()].id;
    const Request request = RenderRequest(i, to, payload, load.multipart);
    const auto sent = Clock::now();
    Result<Answer> res = clients[from]->Post(
        "/v1/documents", request.content_type, request.body, "Prefer: wait=60\r\n");
    while (res.ok() && res->status == 503) {
      ++counts.overloaded;
      std::this_thread::sleep_for(std::chrono::seconds(1));
      res = clients[from]->Post("/v1/documents", request.content_type,
                                request.body, "Prefer: wait=60\r\n");
    }
    const nlohmann::json answer =
        res.ok() ? nlohmann::json::parse(res->body, nullptr, false) : nlohmann::json();
    std::string state;
    if (res.ok() && res->status == 202 && answer.is_object()) {
      state = answer.value("state", "");
      if (state.empty()) {
        ++counts.unwaited;
        state = PollAnswer(*clients[from], answer.value("message_id", ""));
      }
    }
    const auto answered = Clock::now();
    if (state != "accepted") {
      if (counts.failures++ == 0) {
        std::fprintf(
            stderr, "first refused submission: %s\n",
            res.ok() ? (std::to_string(res->status) + " " + res->body).c_str()
                     : res.status().ToString().c_str());
      }
      continue;
    }
    accepted_ms.push_back(
        std::chrono::duration<double, std::milli>(answered - sent).count());
    ids[from].push_back(answer.value("message_id", ""));
  }
}

}  // namespace docbus::bench
