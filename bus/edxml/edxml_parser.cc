#include "bus/edxml/edxml_parser.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>

#include "bus/document/text_rules.h"
#include "bus/edxml/base64_stream.h"

namespace docbus::edxml {
namespace {

std::string_view View(const xmlChar* s) {
  return s == nullptr ? std::string_view()
                      : std::string_view(reinterpret_cast<const char*>(s));
}

// What the SAX callbacks build: the tree, the stack of open elements, and
// the first refusal (after which libxml2 is stopped).
struct ParseState {
  std::string_view bytes;
  const XmlLimits& limits;
  const XmlRules& rules;
  xmlParserCtxtPtr ctxt = nullptr;
  std::optional<XmlElement> root;
  std::vector<XmlElement*> open;
  // Per open element: where its raw bytes start (raw elements), its decoder
  // (base64 elements).
  std::vector<size_t> raw_start;
  std::vector<std::unique_ptr<Base64Stream>> decoders;
  size_t elements = 0;
  std::optional<Status> refusal;
  std::optional<std::string> xml_error;

  std::string Path() const {
    std::string path;
    for (const XmlElement* e : open) {
      if (!path.empty()) path += '.';
      path += e->name;
    }
    return path.empty() ? "xml" : path;
  }

  void Refuse(Code code, std::string message) {
    if (!refusal) refusal = Status(code, std::move(message));
    xmlStopParser(ctxt);
  }

  // Offset of libxml2's read position in the caller's bytes (it reads UTF-8
  // unconverted, so its byte count is theirs).
  std::optional<size_t> Offset() const {
    if (ctxt == nullptr) return std::nullopt;
    const long consumed = xmlByteConsumed(ctxt);
    if (consumed < 0 || static_cast<size_t>(consumed) > bytes.size()) {
      return std::nullopt;
    }
    return static_cast<size_t>(consumed);
  }
};

ParseState& State(void* ctx) { return *static_cast<ParseState*>(ctx); }

bool Named(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

void OnStart(void* ctx, const xmlChar* localname, const xmlChar* prefix,
             const xmlChar* uri, int, const xmlChar**, int, int,
             const xmlChar**) {
  ParseState& s = State(ctx);
  if (s.refusal) return;
  if (static_cast<int>(s.open.size()) >= s.limits.max_depth) {
    s.Refuse(Code::kMalformed, "R.depth: elements nested deeper than " +
                                   std::to_string(s.limits.max_depth) +
                                   " (inside " + s.Path() + ")");
    return;
  }
  if (++s.elements > s.limits.max_elements) {
    s.Refuse(Code::kMalformed, "R.elements: more than " +
                                   std::to_string(s.limits.max_elements) +
                                   " elements");
    return;
  }
  XmlElement e;
  e.ns = View(uri);
  e.prefix = View(prefix);
  e.name = View(localname);
  e.line = xmlSAX2GetLineNumber(s.ctxt);
  XmlElement* placed;
  if (s.open.empty()) {
    s.root = std::move(e);
    placed = &*s.root;
  } else {
    s.open.back()->children.push_back(std::move(e));
    placed = &s.open.back()->children.back();
  }
  s.open.push_back(placed);

  size_t raw_start = std::string_view::npos;
  if (Named(s.rules.raw_elements, placed->name)) {
    // At this callback libxml2 stands on the start tag's closing '>' (or
    // "/>"); the tag began at the last '<' before it, since no '<' can occur
    // inside a tag.
    const std::optional<size_t> at = s.Offset();
    const size_t lt =
        at ? s.bytes.substr(0, *at).rfind('<') : std::string_view::npos;
    if (lt == std::string_view::npos) {
      s.Refuse(Code::kInternal, "M." + s.Path() + ": position not found");
      return;
    }
    raw_start = lt;
  }
  s.raw_start.push_back(raw_start);

  std::unique_ptr<Base64Stream> decoder;
  if (Named(s.rules.base64_elements, placed->name)) {
    // Reserve what the text up to the next '<' decodes to, so the decoded
    // bytes are never copied while they grow.
    if (const std::optional<size_t> at = s.Offset()) {
      const size_t next = s.bytes.find('<', *at);
      const size_t span =
          (next == std::string_view::npos ? s.bytes.size() : next) - *at;
      placed->text.reserve(span / 4 * 3 + 3);
    }
    decoder = std::make_unique<Base64Stream>(&placed->text);
  }
  s.decoders.push_back(std::move(decoder));
}

void OnEnd(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  ParseState& s = State(ctx);
  if (s.refusal || s.open.empty()) return;
  XmlElement* e = s.open.back();
  if (s.decoders.back() && !s.decoders.back()->Finish()) {
    s.Refuse(Code::kMalformed, "M." + s.Path() + ": not base64");
    return;
  }
  if (s.raw_start.back() != std::string_view::npos) {
    const std::optional<size_t> end = s.Offset();
    if (!end || *end < s.raw_start.back()) {
      s.Refuse(Code::kInternal, "M." + s.Path() + ": position not found");
      return;
    }
    e->raw = std::string(
        s.bytes.substr(s.raw_start.back(), *end - s.raw_start.back()));
  }
  // Whitespace between child elements is layout, not content.
  if (!e->children.empty() &&
      e->text.find_first_not_of(" \t\r\n") == std::string::npos) {
    e->text.clear();
  }
  s.open.pop_back();
  s.raw_start.pop_back();
  s.decoders.pop_back();
}

void OnText(void* ctx, const xmlChar* chars, int len) {
  ParseState& s = State(ctx);
  if (s.refusal || s.open.empty()) return;
  const std::string_view chunk(reinterpret_cast<const char*>(chars),
                               static_cast<size_t>(len));
  if (Base64Stream* decoder = s.decoders.back().get()) {
    if (!decoder->Feed(chunk)) {
      s.Refuse(Code::kMalformed, "M." + s.Path() + ": not base64");
    }
    return;
  }
  XmlElement* e = s.open.back();
  if (e->text.size() + chunk.size() > s.limits.max_text_bytes) {
    s.Refuse(Code::kMalformed, "R." + s.Path() + ": text longer than " +
                                   std::to_string(s.limits.max_text_bytes) +
                                   " bytes");
    return;
  }
  e->text.append(chunk);
}

void OnDoctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  State(ctx).Refuse(Code::kMalformed,
                    "M.DOCTYPE: a document type declaration is refused "
                    "(edXML uses no DTD; entities are never expanded)");
}

xmlEntityPtr OnGetEntity(void*, const xmlChar*) { return nullptr; }

void OnReference(void* ctx, const xmlChar*) {
  State(ctx).Refuse(Code::kMalformed, "M.xml: entity references are refused");
}

void OnError(void* ctx, xmlErrorPtr error) {
  ParseState& s = State(ctx);
  if (s.xml_error || error == nullptr || error->level < XML_ERR_ERROR) return;
  std::string message = error->message != nullptr ? error->message : "error";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
    message.pop_back();
  s.xml_error = message + " (line " + std::to_string(error->line) + ")";
}

// Refuses a byte order mark or an XML declaration naming an encoding other
// than UTF-8: libxml2 would convert the text (a copy) and read it otherwise.
Status CheckDeclaredEncoding(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (bytes.substr(0, 5) != "<?xml") return Status::Ok();
  const size_t end = bytes.find("?>");
  if (end == std::string_view::npos || end > 1024) return Status::Ok();
  const std::string_view decl = bytes.substr(0, end);
  const size_t key = decl.find("encoding");
  if (key == std::string_view::npos) return Status::Ok();
  const size_t open = decl.find_first_of("\"'", key);
  if (open == std::string_view::npos) return Status::Ok();
  const size_t close = decl.find(decl[open], open + 1);
  if (close == std::string_view::npos) return Status::Ok();
  std::string name(decl.substr(open + 1, close - open - 1));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (name != "UTF-8" && name != "UTF8") {
    return Status(Code::kMalformed,
                  "M.encoding: the XML declaration names an encoding other "
                  "than UTF-8");
  }
  return Status::Ok();
}

void InitLibxml2() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

}  // namespace

Result<XmlElement> ParseXml(std::string_view bytes, const XmlLimits& limits,
                            const XmlRules& rules) {
  const size_t max_bytes = std::min<size_t>(limits.max_document_bytes, INT_MAX);
  if (bytes.size() > max_bytes) {
    return Status(Code::kTooLarge, "R.size: " + std::to_string(bytes.size()) +
                                       " bytes, more than the limit of " +
                                       std::to_string(max_bytes));
  }
  if (!document::IsValidUtf8(bytes)) {
    return Status(Code::kMalformed, "M.encoding: not valid UTF-8");
  }
  if (bytes.find('\0') != std::string_view::npos) {
    return Status(Code::kMalformed, "M.encoding: a NUL byte");
  }
  DOCBUS_RETURN_IF_ERROR(CheckDeclaredEncoding(bytes));
  InitLibxml2();

  ParseState state{bytes, limits, rules};
  xmlSAXHandler sax;
  std::memset(&sax, 0, sizeof(sax));
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = OnStart;
  sax.endElementNs = OnEnd;
  sax.characters = OnText;
  sax.ignorableWhitespace = OnText;
  sax.cdataBlock = OnText;
  sax.internalSubset = OnDoctype;
  sax.externalSubset = OnDoctype;
  sax.getEntity = OnGetEntity;
  sax.getParameterEntity = OnGetEntity;
  sax.reference = OnReference;
  sax.serror = OnError;

  // libxml2's push parser, fed the caller's bytes in small chunks: it keeps
  // only what it has not consumed yet, and hands character data over as it
  // goes, so nothing of the document's size is copied.
  std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)> ctxt(
      xmlCreatePushParserCtxt(&sax, &state, nullptr, 0, nullptr),
      xmlFreeParserCtxt);
  if (!ctxt) return Status(Code::kInternal, "libxml2: no parser context");
  state.ctxt = ctxt.get();
  // Never XML_PARSE_NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE or HUGE.
  xmlCtxtUseOptions(ctxt.get(),
                    XML_PARSE_NONET | XML_PARSE_IGNORE_ENC | XML_PARSE_NOCDATA);
  constexpr size_t kChunk = 64 * 1024;
  int rc = 0;
  for (size_t at = 0; rc == 0 && !state.refusal; at += kChunk) {
    const size_t n =
        std::min(kChunk, bytes.size() - std::min(at, bytes.size()));
    const bool last = at + n >= bytes.size();
    rc = xmlParseChunk(ctxt.get(), bytes.data() + at, static_cast<int>(n),
                       last ? 1 : 0);
    if (last) break;
  }
  if (state.refusal) return *state.refusal;
  // A namespace error (an undeclared prefix) leaves libxml2's wellFormed
  // set; such a document is refused all the same.
  if (rc != 0 || !ctxt->wellFormed || !ctxt->nsWellFormed || !state.root ||
      !state.open.empty()) {
    return Status(Code::kMalformed,
                  "M.xml: " + state.xml_error.value_or("not well-formed XML"));
  }
  return std::move(*state.root);
}

}  // namespace docbus::edxml
