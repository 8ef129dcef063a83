// Attachments travel beside the signed header and are bound to it by their
// digests: altered, missing, extra or oversized attachments are refused.
#include "bus/crypto/attachments.h"

#include <catch2/catch.hpp>

#include "bus/core/ids.h"
#include "bus/crypto/sha256.h"

namespace docbus::crypto {
namespace {

struct Document {
  v1::DocumentHeader header;
  google::protobuf::RepeatedPtrField<v1::AttachmentData> attachments;

  void Attach(const std::string& name, const std::string& bytes) {
    v1::AttachmentManifest* entry = header.add_attachments();
    entry->set_name(name);
    entry->set_media_type("application/pdf");
    entry->set_size(bytes.size());
    entry->set_sha256(Sha256(bytes));
    v1::AttachmentData* data = attachments.Add();
    data->set_sha256(Sha256(bytes));
    data->set_data(bytes);
  }
};

const AttachmentLimits kLimits{4, 1 << 20};

std::string Code(const Status& s) { return std::string(CodeName(s.code())); }

TEST_CASE("SHA-256 matches the FIPS 180-2 test vectors", "[sha256]") {
  CHECK(Hex(Sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Hex(Sha256("")) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("attachments that match the signed manifest are accepted",
          "[attachments]") {
  Document doc;
  CHECK(CheckAttachments(doc.header, doc.attachments, kLimits).ok());  // none
  doc.Attach("cong-van.pdf", std::string(5000, 'p'));
  doc.Attach("phu-luc.docx", "phụ lục");
  doc.Attach("empty.txt", "");
  Status s = CheckAttachments(doc.header, doc.attachments, kLimits);
  INFO(s.ToString());
  CHECK(s.ok());
}

TEST_CASE("one changed byte of an attachment is refused as digest_mismatch",
          "[attachments]") {
  Document doc;
  doc.Attach("cong-van.pdf", std::string(5000, 'p'));
  doc.Attach("phu-luc.pdf", std::string(300, 'q'));
  (*doc.attachments.Mutable(1)->mutable_data())[150] ^= 0x01;
  Status s = CheckAttachments(doc.header, doc.attachments, kLimits);
  CHECK(Code(s) == "digest_mismatch");
  // The message names the attachment by position, never by its file name.
  CHECK(s.message().find("phu-luc") == std::string::npos);
}

TEST_CASE(
    "missing, extra, repeated or resized attachments are refused as "
    "digest_mismatch",
    "[attachments]") {
  Document doc;
  doc.Attach("a.pdf", "first attachment");
  doc.Attach("b.pdf", "second attachment");

  Document missing = doc;
  missing.attachments.RemoveLast();
  CHECK(Code(CheckAttachments(missing.header, missing.attachments, kLimits)) ==
        "digest_mismatch");

  Document extra = doc;
  v1::AttachmentData* unsigned_data = extra.attachments.Add();
  unsigned_data->set_data("not in the manifest");
  unsigned_data->set_sha256(Sha256("not in the manifest"));
  CHECK(Code(CheckAttachments(extra.header, extra.attachments, kLimits)) ==
        "digest_mismatch");

  Document repeated = doc;
  *repeated.attachments.Add() = repeated.attachments.Get(0);
  CHECK(Code(CheckAttachments(repeated.header, repeated.attachments,
                              kLimits)) == "digest_mismatch");

  Document resized = doc;
  resized.header.mutable_attachments(0)->set_size(3);
  CHECK(Code(CheckAttachments(resized.header, resized.attachments, kLimits)) ==
        "digest_mismatch");

  Document short_digest = doc;
  short_digest.header.mutable_attachments(1)->set_sha256("short");
  CHECK(Code(CheckAttachments(short_digest.header, short_digest.attachments,
                              kLimits)) == "invalid_field");
}

TEST_CASE("too many or too large attachments are refused as too_large",
          "[attachments]") {
  Document many;
  for (int i = 0; i < 5; ++i)
    many.Attach("f" + std::to_string(i), std::to_string(i));
  CHECK(Code(CheckAttachments(many.header, many.attachments, kLimits)) ==
        "too_large");

  Document big;
  big.Attach("big.bin", std::string((1 << 20) + 1, 'x'));
  CHECK(Code(CheckAttachments(big.header, big.attachments, kLimits)) ==
        "too_large");

  // A manifest that understates the size still cannot smuggle large bytes.
  Document lying;
  lying.Attach("big.bin", std::string((1 << 20) + 1, 'x'));
  lying.header.mutable_attachments(0)->set_size(10);
  CHECK(Code(CheckAttachments(lying.header, lying.attachments, kLimits)) ==
        "too_large");
}

}  // namespace
}  // namespace docbus::crypto
