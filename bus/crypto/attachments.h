// Binds attachment bytes to a signed header: the header's manifest lists
// each attachment's size and SHA-256, and the bytes travel unsigned beside
// it (AttachmentData). Stateless and thread-safe.
#pragma once

#include <google/protobuf/repeated_field.h>

#include <cstddef>
#include <cstdint>

#include "bus/core/status.h"
#include "docbus/v1/document.pb.h"

namespace docbus::crypto {

struct AttachmentLimits {
  size_t max_count = 64;
  uint64_t max_bytes_each = 32ull << 20;
};

// The signed manifest alone, before any attachment byte is read: at most
// max_count entries (else kTooLarge), each digest 32 bytes (else
// kInvalidField), each size at most max_bytes_each (else kTooLarge).
Status CheckManifest(const v1::DocumentHeader& header,
                     const AttachmentLimits& limits);

// CheckManifest, then: ok when every manifest entry has exactly one
// AttachmentData whose bytes have the listed size and SHA-256, and no
// AttachmentData is left over.
//   kTooLarge        more attachments than max_count (manifest or data), or
//                    one larger than max_bytes_each (checked before hashing);
//   kInvalidField    a manifest digest that is not 32 bytes;
//   kDigestMismatch  missing, duplicated, extra or altered attachment bytes.
// The message names the attachment by its index in the manifest, never by
// its name (document contents stay out of logs).
Status CheckAttachments(
    const v1::DocumentHeader& header,
    const google::protobuf::RepeatedPtrField<v1::AttachmentData>& attachments,
    const AttachmentLimits& limits);

// The sizes the manifest lists, summed with each counted as at most
// cap + 1, so that forged sizes cannot overflow: compare the result with cap.
uint64_t ManifestBytes(const v1::DocumentHeader& header, uint64_t cap);

}  // namespace docbus::crypto
