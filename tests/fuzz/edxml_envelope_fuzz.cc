// What an agency system or the national axis sends as edXML: an envelope
// (edoc) or a status packet. Bad input must come back as an error, never a
// crash or unbounded memory; what parses must write back to a document that
// parses to the same envelope or packet.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bus/edxml/edxml_envelope.h"
#include "bus/edxml/edxml_status.h"

namespace {

docbus::edxml::EnvelopeLimits Limits(size_t max_bytes) {
  docbus::edxml::EnvelopeLimits limits;
  limits.xml.max_document_bytes = max_bytes;
  limits.xml.max_text_bytes = 1 << 16;
  limits.max_attachments = 16;
  return limits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // What is written carries explicit prefixes and may be larger than what
  // was read: it is read back with room for that.
  const docbus::edxml::EnvelopeLimits in = Limits(1 << 20),
                                      back = Limits(8 << 20);
  if (auto env = docbus::edxml::ParseEnvelope(text, in); env.ok()) {
    env->unmapped.clear();
    auto again =
        docbus::edxml::ParseEnvelope(docbus::edxml::WriteEnvelope(*env), back);
    if (!again.ok() || !(*again == *env)) std::abort();
  }
  if (auto status = docbus::edxml::ParseStatus(text, in.xml); status.ok()) {
    status->unmapped.clear();
    auto again = docbus::edxml::ParseStatus(docbus::edxml::WriteStatus(*status),
                                            back.xml);
    if (!again.ok() || !(*again == *status)) std::abort();
  }
  return 0;
}
