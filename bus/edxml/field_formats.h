// The formats of the typed edXML fields the readers check (dates, time
// stamps, small integers), and the readers and writers of the groups both the
// envelope and the status packet carry (an organ, a ResponseFor, a
// StaffInfo). Errors as in element_fields.h. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bus/core/status.h"
#include "bus/edxml/edxml_envelope.h"
#include "bus/edxml/element_fields.h"
#include "bus/edxml/xml_out.h"

namespace docbus::edxml {

// yyyy/MM/dd (a real month and day); with `dashes_too`, yyyy-MM-dd as well.
bool IsEdxmlDate(std::string_view text, bool dashes_too = false);
// yyyy/MM/dd HH:mm:ss.
bool IsEdxmlTimestamp(std::string_view text);
// 1 to 9 ASCII digits, no sign or space.
std::optional<int> SmallInt(std::string_view text);

// "M.<path>: must be yyyy/MM/dd" unless empty or well-formed.
Status CheckDate(std::string_view path, std::string_view text,
                 bool dashes_too = false);
Status CheckTimestamp(std::string_view path, std::string_view text);
Status CheckInteger(std::string_view path, std::string_view text);

// From, To and a status's From; ResponseFor; StaffInfo.
Result<Organ> ReadOrgan(const XmlElement& e, const std::string& path,
                        std::vector<std::string>* unmapped);
Result<ResponseFor> ReadResponseFor(const XmlElement& e,
                                    const std::string& path,
                                    std::vector<std::string>* unmapped);
Result<StaffInfo> ReadStaffInfo(const XmlElement& e, const std::string& path,
                                std::vector<std::string>* unmapped);

void WriteOrgan(XmlOut& out, std::string_view name, const Organ& organ);
void WriteResponseFor(XmlOut& out, const ResponseFor& r);
void WriteStaffInfo(XmlOut& out, const StaffInfo& s);

}  // namespace docbus::edxml
