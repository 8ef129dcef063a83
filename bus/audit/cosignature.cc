#include "bus/audit/cosignature.h"

#include "bus/audit/note_signer.h"
#include "bus/audit/note_util.h"

namespace docbus::audit {

std::string CosignedMessage(std::string_view text, uint64_t time_s) {
  std::string message = "cosignature/v1\ntime " + std::to_string(time_s) + "\n";
  message.append(text);
  return message;
}

Result<Cosigner> Cosigner::FromKey(std::string_view skey) {
  DOCBUS_ASSIGN_OR_RETURN(
      NoteKey key,
      NoteKey::FromSignerKey(skey, kCosignatureAlgEd25519, "cosigner key"));
  return Cosigner(std::move(key));
}

std::string Cosigner::SignatureLine(std::string_view text,
                                    uint64_t time_s) const {
  RequireNoteText(text, "cosigning");
  std::string signature;
  for (int shift = 56; shift >= 0; shift -= 8) {
    signature.push_back(static_cast<char>(time_s >> shift));
  }
  signature += key_.Sign(CosignedMessage(text, time_s));
  return NoteSignatureLineText(name(), key_id(), signature);
}

Result<CosignatureVerifier> CosignatureVerifier::FromVerifierKey(
    std::string_view vkey) {
  DOCBUS_ASSIGN_OR_RETURN(
      NoteKey key, NoteKey::FromVerifierKey(vkey, kCosignatureAlgEd25519,
                                            "cosigner verifier key"));
  return CosignatureVerifier(std::move(key));
}

Result<uint64_t> CosignatureVerifier::Verify(
    std::string_view signed_note) const {
  DOCBUS_ASSIGN_OR_RETURN(SplitNote note, SplitSignedNote(signed_note));
  for (const NoteSignatureLine& line : note.signatures) {
    if (line.name != name() || line.key_id != key_id()) continue;
    // The first line of our key decides, as NoteVerifier does.
    if (line.signature.size() != 8 + 64) {
      return Status(Code::kMalformed, "the cosignature of " + name() +
                                          " is not 72 bytes");
    }
    uint64_t time_s = 0;
    for (int i = 0; i < 8; ++i) {
      time_s = (time_s << 8) | static_cast<uint8_t>(line.signature[i]);
    }
    if (!key_.Verify(std::string_view(line.signature).substr(8),
                     CosignedMessage(note.text, time_s))) {
      return Status(Code::kBadSignature,
                    "the cosignature of " + name() + " does not verify");
    }
    return time_s;
  }
  return Status(Code::kBadSignature,
                "the checkpoint carries no cosignature of " + name());
}

Result<CosignerKeys> GenerateCosignerKeys(std::string_view name) {
  return NoteKey::Generate(name, kCosignatureAlgEd25519, "cosigner");
}

}  // namespace docbus::audit
