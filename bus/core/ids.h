// Identifiers of the domain and their strict validation:
// - bus message ids: UUIDv7 text (time-ordered, 122 bits of which 74 random);
// - QCVN 102 agency (organ) ids: NNN.NN.NN.Xnn, e.g. 000.00.00.G22;
// - edXML DocumentIds: <OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>.
// Validators return kInvalidField with a message naming what is wrong.
#pragma once

#include <optional>
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
// The 32 bytes a SHA-256 written as 64 lowercase hex digits stands for;
// nullopt for anything else.
std::optional<std::string> Sha256FromHex(std::string_view hex);

}  // namespace docbus
