#include "bus/crypto/signed_data_encoder.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <vector>

#include "bus/crypto/openssl_util.h"

namespace docbus::crypto {
namespace {

// DER tags.
constexpr uint8_t kInteger = 0x02;
constexpr uint8_t kOctetString = 0x04;
constexpr uint8_t kUtcTime = 0x17;
constexpr uint8_t kGeneralizedTime = 0x18;
constexpr uint8_t kSequence = 0x30;
constexpr uint8_t kSet = 0x31;
constexpr uint8_t kContextZero = 0xA0;  // [0], constructed

// Encoded OBJECT IDENTIFIERs (tag, length, value).
constexpr std::string_view kOidSignedData(
    "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02", 11);
constexpr std::string_view kOidData(
    "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01", 11);
constexpr std::string_view kOidSha256(
    "\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01", 11);
constexpr std::string_view kOidContentType(
    "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x09\x03", 11);
constexpr std::string_view kOidMessageDigest(
    "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x09\x04", 11);
constexpr std::string_view kOidSigningTime(
    "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x09\x05", 11);
constexpr std::string_view kOidEcdsaSha256(
    "\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02", 10);

void AppendTlv(std::string& out, uint8_t tag, std::string_view value) {
  out.push_back(static_cast<char>(tag));
  const size_t len = value.size();
  if (len < 0x80) {
    out.push_back(static_cast<char>(len));
  } else {
    std::array<uint8_t, sizeof(size_t)> bytes{};
    int n = 0;
    for (size_t v = len; v != 0; v >>= 8) bytes[n++] = static_cast<uint8_t>(v);
    out.push_back(static_cast<char>(0x80 | n));
    while (n > 0) out.push_back(static_cast<char>(bytes[--n]));
  }
  out.append(value);
}

std::string Tlv(uint8_t tag, std::string_view value) {
  std::string out;
  out.reserve(value.size() + 6);
  AppendTlv(out, tag, value);
  return out;
}

std::string Concat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

// RFC 5652 §11.3: UTCTime for 1950..2049, GeneralizedTime otherwise.
std::string SigningTimeValue(int64_t unix_s) {
  const time_t t = static_cast<time_t>(unix_s);
  struct tm tm {};
  gmtime_r(&t, &tm);
  const int year = tm.tm_year + 1900;
  char buf[32];
  if (year >= 1950 && year < 2050) {
    std::strftime(buf, sizeof(buf), "%y%m%d%H%M%SZ", &tm);
    return Tlv(kUtcTime, buf);
  }
  std::strftime(buf, sizeof(buf), "%Y%m%d%H%M%SZ", &tm);
  return Tlv(kGeneralizedTime, buf);
}

std::string Attribute(std::string_view oid, std::string_view value) {
  return Tlv(kSequence, Concat({oid, Tlv(kSet, value)}));
}

}  // namespace

Result<SignedDataEncoder> SignedDataEncoder::ForCertificate(X509* cert) {
  unsigned char* issuer = nullptr;
  const int issuer_len = i2d_X509_NAME(X509_get_issuer_name(cert), &issuer);
  if (issuer_len <= 0)
    return OpenSslError(Code::kInternal, "encoding the issuer");
  std::string issuer_der(reinterpret_cast<char*>(issuer), issuer_len);
  OPENSSL_free(issuer);
  unsigned char* serial = nullptr;
  const int serial_len =
      i2d_ASN1_INTEGER(X509_get0_serialNumber(cert), &serial);
  if (serial_len <= 0)
    return OpenSslError(Code::kInternal, "encoding the serial");
  std::string serial_der(reinterpret_cast<char*>(serial), serial_len);
  OPENSSL_free(serial);
  SignedDataEncoder encoder;
  encoder.issuer_and_serial_ = Tlv(kSequence, issuer_der + serial_der);
  return encoder;
}

std::string SignedDataEncoder::SignedAttributes(
    std::string_view content_sha256, int64_t signing_time_unix_s) const {
  std::vector<std::string> attributes = {
      Attribute(kOidContentType, kOidData),
      Attribute(kOidSigningTime, SigningTimeValue(signing_time_unix_s)),
      Attribute(kOidMessageDigest, Tlv(kOctetString, content_sha256)),
  };
  // DER orders the members of a SET OF by their encodings.
  std::sort(attributes.begin(), attributes.end());
  std::string body;
  for (const std::string& a : attributes) body += a;
  return Tlv(kSet, body);
}

std::string SignedDataEncoder::ContentInfo(
    std::string_view signed_attributes,
    std::string_view ecdsa_signature) const {
  const std::string sha256_algorithm = Tlv(kSequence, kOidSha256);
  // In SignerInfo the attributes are [0] IMPLICIT instead of SET.
  std::string implicit_attributes(signed_attributes);
  implicit_attributes[0] = static_cast<char>(kContextZero);
  const std::string signer_info =
      Tlv(kSequence,
          Concat({Tlv(kInteger, "\x01"), issuer_and_serial_, sha256_algorithm,
                  implicit_attributes, Tlv(kSequence, kOidEcdsaSha256),
                  Tlv(kOctetString, ecdsa_signature)}));
  const std::string signed_data = Tlv(
      kSequence, Concat({Tlv(kInteger, "\x01"), Tlv(kSet, sha256_algorithm),
                         Tlv(kSequence, kOidData), Tlv(kSet, signer_info)}));
  return Tlv(kSequence,
             Concat({kOidSignedData, Tlv(kContextZero, signed_data)}));
}

}  // namespace docbus::crypto
