// The native JSON pull routes of the agent's main API (registered in
// agents/http_api.cc, documented in agents/API.md) for new integrations that
// want the SDK's pull model without the SDK: the same pull state as the SDK
// endpoint, so a packet done through one is done for both.
//
//   GET  /v1/pull?kind=document|status&limit=N  -> {"packets": [...]}
//   POST /v1/pull/<id>  {"state": "done"|"fail"|"processing"}
//
// Free functions over a thread-safe PullQueue.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "agents/vdxp/pull_queue.h"

namespace docbus::agent::vdxp {

// The packets of `kind` ("document", "edoc" or "status"; "" = document) not
// yet done, oldest first. kInvalidField for another kind.
Result<nlohmann::json> ListPullJson(PullQueue& queue, std::string_view kind,
                                    int64_t limit);

// Moves packet `id` to the state `body` names. kMalformed for a body that is
// not {"state": <string>}; kInvalidField for an unknown state; kNotFound /
// kInvalidTransition as PullQueue::Update. Nothing changes on an error.
Result<nlohmann::json> UpdatePullJson(PullQueue& queue, std::string_view id,
                                      std::string_view body);

}  // namespace docbus::agent::vdxp
