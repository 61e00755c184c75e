// campaign/html_text.h: text into HTML, for the report (html_report.h).
//
// [html-text.1] html_escape() output holds none of < > & " ' unescaped, so
//               it is safe both as element text and inside a quoted
//               attribute value (HTML and inline SVG alike).
// [html-text.2] html_escape() replaces bytes that are not valid UTF-8 and
//               control characters other than tab, newline and carriage
//               return with U+FFFD: a browser would otherwise show them as
//               it pleases, and a bundle's text comes from files we did not
//               write (a history from another tool).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fl::campaign {

std::string html_escape(std::string_view text);  // [html-text.1], [html-text.2]

// An id attribute value for `text`: [A-Za-z0-9_-] kept, anything else '-'.
std::string html_id(std::string_view text);

// At most `bytes_max` bytes of `text` (cut at a UTF-8 character boundary),
// with "…" appended when cut.
std::string truncated(std::string_view text, size_t bytes_max);

// A number for a person: "1234" -> "1,234".
std::string with_thousands(uint64_t n);

// An SVG/CSS coordinate with at most one decimal: 12.34 -> "12.3".
std::string coord(double x);

}  // namespace fl::campaign
