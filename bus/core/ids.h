// Identifiers of the domain and their strict validation:
// - bus message ids: UUIDv7 text (time-ordered, 122 bits of which 74 random);
// - QCVN 102 agency (organ) ids: NNN.NN.NN.Xnn, e.g. 000.00.00.G22;
// - edXML DocumentIds: <OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>.
// Validators return kInvalidField with a message naming what is wrong.
#pragma once

#include <string>
#include <string_view>

#include "bus/core/clock.h"
#include "bus/core/status.h"

namespace docbus {

// A fresh UUIDv7 ("0190f3a2-7c1e-7abc-9def-0123456789ab"), random bits from
// the OS CSPRNG. Thread-safe.
std::string NewMessageId(const Clock& clock);
Status ValidateMessageId(std::string_view id);

Status ValidateAgencyId(std::string_view id);
// yyyy/MM/dd naming a real calendar date.
Status ValidateEdxmlDate(std::string_view date);
Status ValidateDocumentId(std::string_view id);

// 16 random bytes from the OS CSPRNG (audit event ids).
std::string RandomBytes16();

// Lowercase hex of arbitrary bytes.
std::string Hex(std::string_view bytes);

}  // namespace docbus
