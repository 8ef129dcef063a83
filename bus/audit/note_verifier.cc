#include "bus/audit/note_verifier.h"

#include "bus/audit/note_signer.h"
#include "bus/audit/note_util.h"

namespace docbus::audit {

Result<NoteVerifier> NoteVerifier::FromVerifierKey(std::string_view vkey) {
  DOCBUS_ASSIGN_OR_RETURN(
      NoteKey key,
      NoteKey::FromVerifierKey(vkey, kNoteAlgEd25519, "note verifier key"));
  return NoteVerifier(std::move(key));
}

Result<std::string> NoteVerifier::Open(std::string_view note) const {
  DOCBUS_ASSIGN_OR_RETURN(SplitNote split, SplitSignedNote(note));
  for (const NoteSignatureLine& line : split.signatures) {
    // Someone else's, or a repeat of ours: the first one counts.
    if (line.name != name() || line.key_id != key_id()) continue;
    if (!key_.Verify(line.signature, split.text)) {
      return Status(Code::kBadSignature, "the signature of " + name() +
                                             " on the note does not verify");
    }
    return std::string(split.text);
  }
  return Status(Code::kBadSignature,
                "the note carries no signature of " + name());
}

}  // namespace docbus::audit
