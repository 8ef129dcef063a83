// Cosignatures (bus/audit/cosignature.h): a witness's line on a signed
// checkpoint verifies with its verifier key and gives back its time; a
// forged, truncated, re-timed or other-key line is refused; the keys follow
// sumdb/note's text with the 0x04 type byte.
#include "bus/audit/cosignature.h"

#include <catch2/catch.hpp>

#include "bus/audit/checkpoint.h"
#include "bus/audit/note_signer.h"
#include "bus/audit/note_util.h"
#include "bus/core/base64.h"
#include "bus/crypto/sha256.h"

namespace docbus::audit {
namespace {

constexpr uint64_t kTime = 1'780'000'123;

struct Fixture {
  NoteSigner log = *NoteSigner::FromKey(
      GenerateNoteKeys("docbus.test/axis/2026")->signer_key);
  CosignerKeys keys = *GenerateCosignerKeys("witness.audit-office.test");
  Cosigner cosigner = *Cosigner::FromKey(keys.signer_key);
  CosignatureVerifier verifier =
      *CosignatureVerifier::FromVerifierKey(keys.verifier_key);
  std::string text = FormatCheckpoint(
      Checkpoint{"docbus.test/axis/2026", 42, LeafHash("forty-two")});
  std::string signed_note = log.Sign(text);
  std::string Cosigned(uint64_t time_s = kTime) const {
    return signed_note + cosigner.SignatureLine(text, time_s);
  }
};

// The base64 blob of the last signature line of `note`.
std::string LastBlob(const std::string& note) {
  const size_t line = note.rfind(kNoteSignaturePrefix);
  const size_t space = note.find(' ', line + kNoteSignaturePrefix.size());
  return *Base64Decode(note.substr(space + 1, note.size() - space - 2));
}

std::string ReplaceLastBlob(const std::string& note, const std::string& blob) {
  const size_t line = note.rfind(kNoteSignaturePrefix);
  const size_t space = note.find(' ', line + kNoteSignaturePrefix.size());
  return note.substr(0, space + 1) + Base64Encode(blob) + "\n";
}

TEST_CASE("a cosignature verifies with the witness's key and gives its time") {
  Fixture f;
  auto time_s = f.verifier.Verify(f.Cosigned());
  REQUIRE(time_s.ok());
  CHECK(*time_s == kTime);
  // The log's own signature still opens the note with the line added.
  auto log_verifier = NoteVerifier::FromVerifierKey(f.log.verifier_key());
  CHECK(OpenCheckpoint(*log_verifier, f.Cosigned()).ok());
}

TEST_CASE("the cosignature line is key id, big-endian time, 64-byte sig") {
  Fixture f;
  const std::string blob = LastBlob(f.Cosigned());
  REQUIRE(blob.size() == 4 + 8 + 64);
  uint32_t id = 0;
  for (int i = 0; i < 4; ++i) id = (id << 8) | static_cast<uint8_t>(blob[i]);
  CHECK(id == f.cosigner.key_id());
  uint64_t t = 0;
  for (int i = 4; i < 12; ++i) t = (t << 8) | static_cast<uint8_t>(blob[i]);
  CHECK(t == kTime);
  CHECK(CosignedMessage(f.text, kTime) ==
        "cosignature/v1\ntime 1780000123\n" + f.text);
}

TEST_CASE("the key id is SHA-256(name \\n 0x04 public key)[:4]") {
  Fixture f;
  const std::string vkey = f.keys.verifier_key;
  // After the second "+": the name holds none, the base64 may.
  const std::string b64 = vkey.substr(vkey.find('+', vkey.find('+') + 1) + 1);
  const std::string key = *Base64Decode(b64);
  REQUIRE(key.size() == 33);
  CHECK(static_cast<uint8_t>(key[0]) == 0x04);
  const std::string digest = crypto::Sha256("witness.audit-office.test\n" +
                                            std::string(1, '\x04') +
                                            key.substr(1));
  uint32_t id = 0;
  for (int i = 0; i < 4; ++i) id = (id << 8) | static_cast<uint8_t>(digest[i]);
  CHECK(vkey == "witness.audit-office.test+" + Hex8(id) + "+" + b64);
  CHECK(f.keys.signer_key.starts_with("PRIVATE+KEY+witness.audit-office.test+" +
                                      Hex8(id) + "+"));
}

TEST_CASE("a forged cosignature is refused") {
  Fixture f;
  SECTION("a flipped signature bit") {
    std::string blob = LastBlob(f.Cosigned());
    blob[40] ^= 1;
    CHECK(f.verifier.Verify(ReplaceLastBlob(f.Cosigned(), blob)).status().code() ==
          Code::kBadSignature);
  }
  SECTION("the checkpoint text changed under the cosignature") {
    const std::string other = FormatCheckpoint(
        Checkpoint{"docbus.test/axis/2026", 43, LeafHash("forty-three")});
    const std::string moved = f.log.Sign(other) +
                              f.cosigner.SignatureLine(f.text, kTime);
    CHECK(f.verifier.Verify(moved).status().code() == Code::kBadSignature);
  }
  SECTION("a plain note signature by the same name is not a cosignature") {
    auto note_keys = GenerateNoteKeys("witness.audit-office.test");
    auto signer = NoteSigner::FromKey(note_keys->signer_key);
    const std::string note = f.signed_note + signer->SignatureLine(f.text);
    CHECK(!f.verifier.Verify(note).ok());
  }
}

TEST_CASE("a re-timed cosignature does not verify") {
  Fixture f;
  std::string blob = LastBlob(f.Cosigned());
  blob[11] = static_cast<char>(blob[11] + 1);  // the time's last byte
  CHECK(f.verifier.Verify(ReplaceLastBlob(f.Cosigned(), blob)).status().code() ==
        Code::kBadSignature);
  // Another time signed honestly is another valid cosignature.
  CHECK(*f.verifier.Verify(f.Cosigned(kTime + 60)) == kTime + 60);
}

TEST_CASE("a cosignature of another witness's key is not ours") {
  Fixture f;
  auto other = GenerateCosignerKeys("witness.audit-office.test");
  auto other_verifier = CosignatureVerifier::FromVerifierKey(other->verifier_key);
  REQUIRE(other_verifier.ok());
  CHECK(other_verifier->Verify(f.Cosigned()).status().code() ==
        Code::kBadSignature);
  CHECK(f.verifier.Verify(f.signed_note).status().code() ==
        Code::kBadSignature);
}

TEST_CASE("a truncated cosignature or note is refused, never read past") {
  Fixture f;
  const std::string blob = LastBlob(f.Cosigned());
  for (size_t keep : {size_t{4}, size_t{5}, size_t{12}, size_t{75}}) {
    INFO("bytes kept " << keep);
    auto r = f.verifier.Verify(ReplaceLastBlob(f.Cosigned(), blob.substr(0, keep)));
    CHECK(!r.ok());
  }
  const std::string note = f.Cosigned();
  for (size_t cut = 0; cut < note.size(); cut += 7) {
    CHECK(!f.verifier.Verify(note.substr(0, cut)).ok());
  }
}

TEST_CASE("cosigner keys are checked when read") {
  Fixture f;
  CHECK(CosignatureVerifier::FromVerifierKey(f.keys.verifier_key + "\n").ok());
  // A note key (type 0x01) is not a cosigner key, either way round.
  auto note_keys = GenerateNoteKeys("witness.audit-office.test");
  CHECK(Cosigner::FromKey(note_keys->signer_key).status().code() ==
        Code::kInvalidArgument);
  CHECK(CosignatureVerifier::FromVerifierKey(note_keys->verifier_key)
            .status()
            .code() == Code::kInvalidArgument);
  CHECK(!NoteVerifier::FromVerifierKey(f.keys.verifier_key).ok());
  std::string wrong_id = f.keys.verifier_key;
  const size_t id_at = wrong_id.find('+') + 1;
  wrong_id[id_at] = wrong_id[id_at] == '0' ? '1' : '0';
  CHECK(!CosignatureVerifier::FromVerifierKey(wrong_id).ok());
  CHECK(!Cosigner::FromKey("PRIVATE+KEY+w+00000000").ok());
  CHECK(!GenerateCosignerKeys("two words").ok());
  auto again = Cosigner::FromKey(f.keys.signer_key);
  REQUIRE(again.ok());
  CHECK(again->verifier_key() == f.keys.verifier_key);
  // Ed25519 is deterministic: the same key and time sign the same line.
  CHECK(again->SignatureLine(f.text, kTime) ==
        f.cosigner.SignatureLine(f.text, kTime));
}

}  // namespace
}  // namespace docbus::audit
