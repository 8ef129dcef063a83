#include "bus/crypto/attachments.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "bus/crypto/sha256.h"

namespace docbus::crypto {

uint64_t ManifestBytes(const v1::DocumentHeader& header, uint64_t cap) {
  uint64_t total = 0;
  for (const v1::AttachmentManifest& a : header.attachments()) {
    total += std::min<uint64_t>(a.size(), cap + 1);
  }
  return total;
}

Status CheckManifest(const v1::DocumentHeader& header,
                     const AttachmentLimits& limits) {
  const auto& manifest = header.attachments();
  if (static_cast<size_t>(manifest.size()) > limits.max_count) {
    return Status(
        Code::kTooLarge,
        "more than " + std::to_string(limits.max_count) + " attachments");
  }
  for (int i = 0; i < manifest.size(); ++i) {
    const v1::AttachmentManifest& entry = manifest[i];
    const std::string which = "attachment " + std::to_string(i);
    if (entry.sha256().size() != 32) {
      return Status(Code::kInvalidField, which + " digest is not 32 bytes");
    }
    if (entry.size() > limits.max_bytes_each) {
      return Status(Code::kTooLarge, which + " is over " +
                                         std::to_string(limits.max_bytes_each) +
                                         " bytes");
    }
  }
  return Status::Ok();
}

Status CheckAttachments(
    const v1::DocumentHeader& header,
    const google::protobuf::RepeatedPtrField<v1::AttachmentData>& attachments,
    const AttachmentLimits& limits) {
  DOCBUS_RETURN_IF_ERROR(CheckManifest(header, limits));
  const auto& manifest = header.attachments();
  if (static_cast<size_t>(attachments.size()) > limits.max_count) {
    return Status(
        Code::kTooLarge,
        "more than " + std::to_string(limits.max_count) + " attachments");
  }
  // Attachment bytes by their claimed digest; a claim is checked against the
  // bytes below, once for each manifest entry that refers to it.
  std::unordered_map<std::string_view, int> by_digest;
  for (int i = 0; i < attachments.size(); ++i) {
    if (!by_digest.emplace(attachments[i].sha256(), i).second) {
      return Status(Code::kDigestMismatch,
                    "attachment data " + std::to_string(i) + " is sent twice");
    }
  }
  std::vector<bool> used(attachments.size(), false);
  for (int i = 0; i < manifest.size(); ++i) {
    const v1::AttachmentManifest& entry = manifest[i];
    const std::string which = "attachment " + std::to_string(i);
    auto it = by_digest.find(entry.sha256());
    if (it == by_digest.end()) {
      return Status(Code::kDigestMismatch, which + " is missing");
    }
    const std::string& data = attachments[it->second].data();
    if (data.size() > limits.max_bytes_each) {
      return Status(Code::kTooLarge, which + " is over " +
                                         std::to_string(limits.max_bytes_each) +
                                         " bytes");
    }
    if (data.size() != entry.size()) {
      return Status(Code::kDigestMismatch,
                    which + " has " + std::to_string(data.size()) +
                        " bytes, the signed header says " +
                        std::to_string(entry.size()));
    }
    if (!used[it->second]) {
      if (Sha256(data) != entry.sha256()) {
        return Status(Code::kDigestMismatch,
                      which + " bytes do not match the signed digest");
      }
      used[it->second] = true;
    }
  }
  for (size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) {
      return Status(Code::kDigestMismatch,
                    "attachment data " + std::to_string(i) +
                        " is not in the signed manifest");
    }
  }
  return Status::Ok();
}

}  // namespace docbus::crypto
