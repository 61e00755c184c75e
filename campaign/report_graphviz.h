// campaign/report_graphviz.h: a cycle's Graphviz DOT as SVG that can sit
// inside an HTML page (for html_report.h).
//
// [graphviz.1] locate_dot(): the `dot` given (an empty string means "do not
//              run dot"), else the first executable `dot` on PATH; nullopt
//              when there is none.
// [graphviz.2] dot_to_svg() runs `dot -Tsvg` with the DOT on stdin, stdin
//              then closed and stdout and stderr captured, as the leader of
//              a new process group, killed (SIGKILL, the group) after
//              kDotTimeoutSeconds. It returns the <svg ...>...</svg>
//              element alone: the XML prolog, the DOCTYPE and comments
//              before it are dropped, and so are the root's xmlns and
//              xmlns:xlink declarations (inline SVG in HTML needs neither,
//              and the page then names no http:// address at all).
// [graphviz.3] Every failure (no dot, input above kDotInputBytesMax, a
//              timeout, a non-zero exit, output without an <svg> element or
//              above kDotSvgBytesMax) is a non-ok Status saying which; the
//              caller shows the DOT source instead. It never throws.
// Timing uses the wall clock: it bounds a real process and never reaches
// the report's content other than through "timed out".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace fl::campaign {

std::optional<std::string> locate_dot(const std::optional<std::string>& dot);  // [graphviz.1]

// [graphviz.2], [graphviz.3]
Result<std::string> dot_to_svg(const std::string& dot_path, std::string_view dot_source);

// [graphviz.2] The <svg> element of `svg_document` (what `dot -Tsvg`
// prints), or nullopt when it holds none.
std::optional<std::string> inline_svg(std::string_view svg_document);

}  // namespace fl::campaign
