#include "bus/audit/note_signer.h"

#include <cstdio>
#include <cstdlib>

#include "bus/audit/note_util.h"

namespace docbus::audit {

bool IsValidNoteKeyName(std::string_view name) {
  if (name.empty() || !IsValidUtf8(name)) return false;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '+') return false;
  }
  return true;
}

Status CheckNoteText(std::string_view text) {
  if (text.empty()) return Status(Code::kMalformed, "note text is empty");
  if (text.back() != '\n') {
    return Status(Code::kMalformed, "note text does not end in a newline");
  }
  if (!IsValidUtf8(text)) {
    return Status(Code::kMalformed, "note text is not UTF-8");
  }
  char prev = '\n';
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n') || u == 0x7f) {
      return Status(Code::kMalformed, "note text holds a control character");
    }
    if (c == '\n' && prev == '\n') {
      return Status(Code::kMalformed, "note text holds an empty line");
    }
    prev = c;
  }
  return Status::Ok();
}

Result<NoteSigner> NoteSigner::FromKey(std::string_view skey) {
  DOCBUS_ASSIGN_OR_RETURN(
      NoteKey key,
      NoteKey::FromSignerKey(skey, kNoteAlgEd25519, "note signer key"));
  return NoteSigner(std::move(key));
}

void RequireNoteText(std::string_view text, std::string_view what) {
  const Status valid = CheckNoteText(text);
  if (valid.ok()) return;
  std::fprintf(stderr, "docbus audit: %.*s a malformed note: %s\n",
               static_cast<int>(what.size()), what.data(),
               valid.ToString().c_str());
  std::abort();
}

std::string NoteSigner::SignatureLine(std::string_view text) const {
  RequireNoteText(text, "signing");
  return NoteSignatureLineText(name(), key_id(), key_.Sign(text));
}

std::string NoteSigner::Sign(std::string_view text) const {
  std::string note(text);
  note.push_back('\n');
  note += SignatureLine(text);
  return note;
}

Result<NoteKeys> GenerateNoteKeys(std::string_view name) {
  return NoteKey::Generate(name, kNoteAlgEd25519, "note key");
}

}  // namespace docbus::audit
