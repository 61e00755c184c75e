#include "history/edn_writer.h"

#include <cerrno>
#include <charconv>
#include <cstdio>

#include "base/assert.h"
#include "history/history_format.h"
#include "history/internal/op_size.h"
#include "history/limits.h"

namespace fl::history {
namespace {

void append_string(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += escape;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_int(std::string& out, int64_t i) {
  char buf[24];
  auto result = std::to_chars(buf, buf + sizeof buf, i);
  FL_ASSERT(result.ec == std::errc());
  out.append(buf, result.ptr);
}

void append_double(std::string& out, double d) {
  char buf[32];
  auto result = std::to_chars(buf, buf + sizeof buf, d);  // shortest form that reads back exactly
  FL_ASSERT(result.ec == std::errc());
  std::string_view text(buf, static_cast<size_t>(result.ptr - buf));
  out += text;
  // "1" and "1e+100" are what to_chars gives for whole numbers; EDN reads a
  // token without '.' or an exponent as an integer.
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void append_keyword(std::string& out, std::string_view name) {
  out += ':';
  out += name;
}

// `level` is the nesting level `value` would have if it is a collection.
void append_value(std::string& out, const Value& value, int level) {
  switch (value.kind()) {
    case Value::Kind::kNil: out += "nil"; return;
    case Value::Kind::kBool: out += value.as_bool() ? "true" : "false"; return;
    case Value::Kind::kInt: append_int(out, value.as_int()); return;
    case Value::Kind::kDouble: append_double(out, value.as_double()); return;
    case Value::Kind::kString: append_string(out, value.text()); return;
    case Value::Kind::kKeyword: append_keyword(out, value.text()); return;
    default: break;
  }
  FL_ASSERT(level <= kNestingDepthMax);  // the reader would reject it
  if (value.kind() == Value::Kind::kMap) {
    out += '{';
    bool first = true;
    for (const MapEntry& entry : value.entries()) {
      if (!first) out += ", ";
      first = false;
      append_value(out, entry.key, level + 1);
      out += ' ';
      append_value(out, entry.value, level + 1);
    }
    out += '}';
    return;
  }
  const char* open = value.kind() == Value::Kind::kVector ? "[" : (value.kind() == Value::Kind::kList ? "(" : "#{");
  out += open;
  const char close = value.kind() == Value::Kind::kVector ? ']' : (value.kind() == Value::Kind::kList ? ')' : '}');
  bool first = true;
  for (const Value& item : value.items()) {
    if (!first) out += ' ';
    first = false;
    append_value(out, item, level + 1);
  }
  out += close;
}

void append_txn(std::string& out, const Txn& txn) {
  out += '[';
  bool first = true;
  for (const MicroOp& micro : txn) {
    if (!first) out += ' ';
    first = false;
    out += "[:";
    out += micro_kind_name(micro.kind);
    out += ' ';
    append_int(out, micro.key);
    out += ' ';
    if (const auto* i = std::get_if<int64_t>(&micro.value)) {
      append_int(out, *i);
    } else if (const auto* ints = std::get_if<std::vector<int64_t>>(&micro.value)) {
      out += '[';
      for (size_t k = 0; k < ints->size(); k++) {
        if (k > 0) out += ' ';
        append_int(out, (*ints)[k]);
      }
      out += ']';
    } else {
      out += "nil";
    }
    out += ']';
  }
  out += ']';
}

void append_field(std::string& out, std::string_view name) {
  out += ", :";
  out += name;
  out += ' ';
}

}  // namespace

void append_edn(std::string& out, const Value& value) { append_value(out, value, 1); }

std::string to_edn(const Value& value) {
  std::string out;
  append_edn(out, value);
  return out;
}

void append_edn_line(std::string& out, const Op& op) {
  FL_ASSERT(internal::within_limits(internal::op_size(op)));  // [size.1]: the readers would reject it
  out += "{:";
  out += format::kIndex;
  out += ' ';
  append_int(out, op.index);
  append_field(out, format::kTime);
  append_int(out, op.time);
  append_field(out, format::kType);
  append_keyword(out, op_type_name(op.type));
  if (op.process.present()) {
    append_field(out, format::kProcess);
    if (std::optional<int64_t> id = op.process.id()) {
      append_int(out, *id);
    } else {
      append_keyword(out, op.process.name());
    }
  }
  if (!op.f.empty()) {
    FL_ASSERT(is_keyword_name(op.f));
    append_field(out, format::kF);
    append_keyword(out, op.f);
  }
  append_field(out, format::kValue);
  if (const Txn* txn = op.txn()) {
    append_txn(out, *txn);
  } else {
    append_value(out, std::get<Value>(op.value), 2);  // the op map is level 1
  }
  for (const Extra& extra : op.extras) {
    FL_ASSERT(is_keyword_name(extra.key));
    FL_ASSERT(!format::is_op_field(extra.key));  // [op.2]: it would read back as the field
    append_field(out, extra.key);
    append_value(out, extra.value, 2);
  }
  out += "}\n";
}

std::string edn_line(const Op& op) {
  std::string out;
  append_edn_line(out, op);
  return out;
}

std::string edn_meta_line(const Metadata& meta) {
  FL_ASSERT(!meta.empty());
  FL_ASSERT(internal::within_limits(internal::metadata_size(meta)));  // [size.1]
  std::string out = "; ";
  out += format::kEdnMetaMarker;
  out += " {";
  bool first = true;
  for (const Metadata::Entry& entry : meta.entries()) {
    if (!first) out += ", ";
    first = false;
    append_keyword(out, entry.first);
    out += ' ';
    append_value(out, entry.second, 2);  // the metadata map is level 1
  }
  out += "}\n";
  return out;
}

std::string to_edn(const History& history) {
  std::string out;
  if (!history.meta.empty()) out += edn_meta_line(history.meta);
  for (const Op& op : history.ops) append_edn_line(out, op);
  return out;
}

Status write_edn(std::ostream& out, const History& history, std::string_view where) {
  std::string line;
  if (!history.meta.empty()) line = edn_meta_line(history.meta);
  out.write(line.data(), static_cast<std::streamsize>(line.size()));
  for (const Op& op : history.ops) {
    line.clear();
    append_edn_line(line, op);
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
    if (!out) break;
  }
  out.flush();
  if (!out) return Status::io_error(where, EIO);
  return Status::success();
}

}  // namespace fl::history
