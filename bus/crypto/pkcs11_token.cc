#include "bus/crypto/pkcs11_token.h"

#include <libp11.h>
#include <openssl/crypto.h>

#include <cstring>

namespace docbus::crypto {
namespace {

// The libp11 context, its slot list and the logged-in slot; freed in the
// reverse order of their making.
class Pkcs11Session {
 public:
  Pkcs11Session() : ctx_(PKCS11_CTX_new()) {}
  ~Pkcs11Session() {
    if (slots_ != nullptr) PKCS11_release_all_slots(ctx_, slots_, slot_count_);
    if (loaded_) PKCS11_CTX_unload(ctx_);
    if (ctx_ != nullptr) PKCS11_CTX_free(ctx_);
  }
  Pkcs11Session(const Pkcs11Session&) = delete;
  Pkcs11Session& operator=(const Pkcs11Session&) = delete;

  Status Load(const std::string& module) {
    if (ctx_ == nullptr) return OpenSslError(Code::kInternal, "PKCS11_CTX_new");
    if (PKCS11_CTX_load(ctx_, module.c_str()) != 0) {
      return OpenSslError(Code::kInvalidArgument,
                          "PKCS#11 module " + module + " does not load");
    }
    loaded_ = true;
    if (PKCS11_enumerate_slots(ctx_, &slots_, &slot_count_) != 0) {
      return OpenSslError(Code::kInvalidArgument,
                          "PKCS#11 module " + module + ": listing its slots");
    }
    return Status::Ok();
  }

  PKCS11_SLOT* slots() const { return slots_; }
  unsigned int slot_count() const { return slot_count_; }

 private:
  PKCS11_CTX* ctx_;
  bool loaded_ = false;
  PKCS11_SLOT* slots_ = nullptr;
  unsigned int slot_count_ = 0;
};

bool Matches(const char* actual, const std::string& wanted) {
  return wanted.empty() || (actual != nullptr && wanted == actual);
}

Result<PKCS11_SLOT*> FindToken(const Pkcs11Session& session,
                               const Pkcs11Uri& uri) {
  PKCS11_SLOT* found = nullptr;
  for (unsigned int i = 0; i < session.slot_count(); ++i) {
    PKCS11_SLOT* slot = &session.slots()[i];
    const PKCS11_TOKEN* token = slot->token;
    if (token == nullptr || !token->initialized) continue;
    if (!Matches(token->label, uri.token) ||
        !Matches(token->manufacturer, uri.manufacturer) ||
        !Matches(token->model, uri.model) ||
        !Matches(token->serialnr, uri.serial)) {
      continue;
    }
    if (found != nullptr) {
      return Status(Code::kInvalidArgument,
                    uri.Redacted() + ": more than one token matches");
    }
    found = slot;
  }
  if (found == nullptr) {
    return Status(Code::kInvalidArgument,
                  uri.Redacted() + ": no such token in the PKCS#11 module");
  }
  return found;
}

Result<PKCS11_KEY*> FindKey(PKCS11_SLOT* slot, const Pkcs11Uri& uri) {
  PKCS11_KEY* keys = nullptr;
  unsigned int count = 0;
  if (PKCS11_enumerate_keys(slot->token, &keys, &count) != 0) {
    return OpenSslError(Code::kInvalidArgument,
                        uri.Redacted() + ": listing the token's keys");
  }
  PKCS11_KEY* found = nullptr;
  for (unsigned int i = 0; i < count; ++i) {
    PKCS11_KEY* key = &keys[i];
    if (!key->isPrivate || !Matches(key->label, uri.object)) continue;
    if (!uri.id.empty() &&
        (key->id_len != uri.id.size() ||
         std::memcmp(key->id, uri.id.data(), key->id_len) != 0)) {
      continue;
    }
    if (found != nullptr) {
      return Status(Code::kInvalidArgument,
                    uri.Redacted() + ": more than one private key matches");
    }
    found = key;
  }
  if (found == nullptr) {
    return Status(Code::kInvalidArgument,
                  uri.Redacted() + ": no such private key on the token");
  }
  return found;
}

bool IsP256(EVP_PKEY* key) {
  char group[64] = {};
  size_t len = 0;
  return EVP_PKEY_get_base_id(key) == EVP_PKEY_EC &&
         EVP_PKEY_get_group_name(key, group, sizeof(group), &len) == 1 &&
         std::string_view(group, len) == "prime256v1";
}

}  // namespace

Result<TokenKey> OpenTokenKey(const Pkcs11Uri& uri, std::string_view module) {
  const std::string module_path =
      !uri.module_path.empty()
          ? uri.module_path
          : std::string(module.empty() ? kDefaultPkcs11Module : module);
  auto session = std::make_shared<Pkcs11Session>();
  DOCBUS_RETURN_IF_ERROR(session->Load(module_path));
  DOCBUS_ASSIGN_OR_RETURN(PKCS11_SLOT * slot, FindToken(*session, uri));
  DOCBUS_ASSIGN_OR_RETURN(std::string pin, uri.Pin());
  if (slot->token->loginRequired) {
    if (pin.empty()) {
      return Status(Code::kInvalidArgument,
                    uri.Redacted() +
                        ": the token needs a PIN (pin-source=file:… or "
                        "pin-value=… in the URI)");
    }
    const int login = PKCS11_login(slot, 0, pin.c_str());
    OPENSSL_cleanse(pin.data(), pin.size());
    if (login != 0) {
      return OpenSslError(Code::kInvalidArgument,
                          uri.Redacted() + ": login refused");
    }
  }
  DOCBUS_ASSIGN_OR_RETURN(PKCS11_KEY * key, FindKey(slot, uri));
  EvpPkeyPtr pkey(PKCS11_get_private_key(key));
  if (!pkey) {
    return OpenSslError(Code::kInvalidArgument,
                        uri.Redacted() + ": the key cannot be used");
  }
  if (!IsP256(pkey.get())) {
    return Status(Code::kInvalidArgument,
                  uri.Redacted() + ": not an ECDSA P-256 key");
  }
  return TokenKey{std::move(session), std::move(pkey)};
}

}  // namespace docbus::crypto
