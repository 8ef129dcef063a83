// The one place where Status codes meet wire Reason codes.
#pragma once

#include "bus/core/status.h"
#include "docbus/v1/wire.pb.h"

namespace docbus {

// Reasons for codes that are not refusals (local errors) are INTERNAL, except
// I/O and unavailability, which tell the peer to retry (UNAVAILABLE).
v1::Reason ToWireReason(Code code);
Code FromWireReason(v1::Reason reason);

}  // namespace docbus
