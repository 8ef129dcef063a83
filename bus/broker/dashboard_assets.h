// The operators' dashboard (dashboard.html, dashboard.js beside this file),
// compiled into the broker so that it serves them itself: no files to
// install, nothing fetched from elsewhere. CMake embeds both files.
#pragma once

#include <string_view>

namespace docbus::broker {

std::string_view DashboardHtml();
std::string_view DashboardScript();

}  // namespace docbus::broker
