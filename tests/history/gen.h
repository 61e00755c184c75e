// tests/history/gen.h: RapidCheck generators for Values, operations and
// histories.
//
// Method: every Value kind appears at every level up to a small depth, and
// the leaves lean towards what breaks codecs: strings with every escape,
// control bytes, NUL and 2-, 3- and 4-byte UTF-8; strings that are keyword
// names (they need {"#str": ...} in JSON) or start with '#' or ':';
// keywords with namespaces and punctuation; doubles from raw bit patterns
// (subnormals, -0.0, the extremes); int64 extremes. Sets and maps drop
// duplicates so the factories' [value.2] holds. Operations mix typed
// transactions with generic values, absent and nemesis processes, and
// extras.
#pragma once

#include <rapidcheck.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "history/history.h"
#include "history/history_format.h"
#include "history/op.h"
#include "history/value.h"

namespace fl::history::gen {

// A uniform choice in [0, n). Unlike rc::gen::inRange it does not scale with
// RapidCheck's size, so every kind appears from the first case on.
inline int pick(int n) {
  std::vector<int> choices(static_cast<size_t>(n));
  for (int i = 0; i < n; i++) choices[static_cast<size_t>(i)] = i;
  return *rc::gen::elementOf(choices);
}

inline const std::vector<std::string>& tricky_keyword_names() {
  static const std::vector<std::string> names = {
      "a", "txn", "append", "r", "w", "index", "type", "value", "meta", "nemesis", "foo/bar", "jepsen.history/op",
      "x?", "*earmuffs*", "<=>", "a-b_c", "-x", "+", "-", ".", "a:b", "a#b", "ns.a/b.c", "set", "str", "nil",
      "true", "info", "ok", "a1", "$%&"};
  return names;
}

inline rc::Gen<std::string> keyword_name() {
  return rc::gen::oneOf(rc::gen::elementOf(tricky_keyword_names()), rc::gen::exec([] {
                          std::string name(1, static_cast<char>('a' + pick(26)));
                          int extra = pick(6);
                          for (int i = 0; i < extra; i++) {
                            name += *rc::gen::element('a', 'q', 'z', '0', '9', '-', '_', '.', '?', '!');
                          }
                          return name;
                        }));
}

// Pieces that strings are glued from; each is valid UTF-8 on its own.
inline const std::vector<std::string>& string_pieces() {
  static const std::vector<std::string> pieces = {
      "a", "Z", " ", "0", "\"", "\\", "\n", "\t", "\r", "\b", "\f", std::string(1, '\0'), "\x01", "\x1f", "\x7f",
      "\xc3\xa9" /* é */, "\xe2\x82\xac" /* € */, "\xf0\x9f\x98\x80" /* U+1F600 */, "#set", ":k", ",", ";", "{",
      "]", "txn", "/", "\\u0041", "nil"};
  return pieces;
}

inline rc::Gen<std::string> utf8_string() {
  return rc::gen::oneOf(rc::gen::elementOf(tricky_keyword_names()),
                        rc::gen::map(rc::gen::container<std::vector<std::string>>(rc::gen::elementOf(string_pieces())),
                                     [](const std::vector<std::string>& parts) {
                                       std::string s;
                                       for (const std::string& p : parts) s += p;
                                       return s;
                                     }));
}

inline rc::Gen<double> finite_double() {
  return rc::gen::oneOf(
      rc::gen::element(0.0, -0.0, 1.0, -1.5, 0.1, 1e100, 1e-300, 5e-324, 123456789012345680.0,
                       std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
                       std::numeric_limits<double>::min()),
      rc::gen::map(rc::gen::arbitrary<uint64_t>(), [](uint64_t bits) {
        double d = std::bit_cast<double>(bits);
        return std::isfinite(d) ? d : 2.5;
      }));
}

inline rc::Gen<int64_t> int64() {
  return rc::gen::oneOf(rc::gen::arbitrary<int64_t>(), rc::gen::element<int64_t>(1, 2, 3, 100, -7),
                        rc::gen::element(int64_t{0}, int64_t{-1}, std::numeric_limits<int64_t>::min(),
                                         std::numeric_limits<int64_t>::max()));
}

inline Value scalar_value() {
  switch (pick(6)) {
    case 0: return Value::nil();
    case 1: return Value::boolean(*rc::gen::arbitrary<bool>());
    case 2: return Value::integer(*int64());
    case 3: return Value::real(*finite_double());
    case 4: return Value::string(*utf8_string());
    default: return Value::keyword(*keyword_name());
  }
}

inline bool contains(const std::vector<Value>& items, const Value& v) {
  for (const Value& item : items) {
    if (item == v) return true;
  }
  return false;
}

// A Value whose collections nest at most `depth` levels.
inline Value any_value(int depth) {
  int kind = pick(depth > 0 ? 10 : 6);
  if (kind < 6) return scalar_value();
  int count = pick(5);
  std::vector<Value> items;
  if (kind == 9) {
    std::vector<MapEntry> entries;
    for (int i = 0; i < count; i++) {
      Value key = pick(4) == 0 ? any_value(depth - 1) : Value::keyword(*keyword_name());
      bool seen = false;
      for (const MapEntry& e : entries) seen = seen || e.key == key;
      if (!seen) entries.push_back(MapEntry{std::move(key), any_value(depth - 1)});
    }
    return Value::map(std::move(entries));
  }
  for (int i = 0; i < count; i++) {
    Value item = any_value(depth - 1);
    if (kind != 8 || !contains(items, item)) items.push_back(std::move(item));
  }
  if (kind == 6) return Value::vector(std::move(items));
  if (kind == 7) return Value::list(std::move(items));
  return Value::set(std::move(items));
}

inline rc::Gen<Value> value(int depth) {
  return rc::gen::exec([depth] { return any_value(depth); });
}

inline rc::Gen<Txn> txn() {
  return rc::gen::exec([] {
    Txn txn;
    int count = pick(6);
    for (int i = 0; i < count; i++) {
      MicroOp micro;
      micro.kind = *rc::gen::element(MicroKind::kAppend, MicroKind::kRead, MicroKind::kWrite);
      micro.key = pick(13) - 3;
      switch (pick(3)) {
        case 0: break;
        case 1: micro.value = *int64(); break;
        default: micro.value = *rc::gen::container<std::vector<int64_t>>(static_cast<size_t>(pick(5)), int64()); break;
      }
      txn.push_back(std::move(micro));
    }
    return txn;
  });
}

inline rc::Gen<Op> op() {
  return rc::gen::exec([] {
    Op op;
    op.index = *int64();
    op.time = *int64();
    op.type = *rc::gen::element(OpType::kInvoke, OpType::kOk, OpType::kFail, OpType::kInfo);
    switch (pick(4)) {
      case 0: break;
      case 1: op.process = Process::nemesis(); break;
      case 2: op.process = Process::keyword(*keyword_name()); break;
      default: op.process = Process::integer(*int64()); break;
    }
    if (pick(5) != 0) op.f = *keyword_name();
    if (pick(2) == 0) {
      op.value = *txn();
    } else {
      op.value = any_value(3);
    }
    int extras = pick(3);
    for (int i = 0; i < extras; i++) {
      std::string key = *keyword_name();
      if (format::is_op_field(key) || op.extra(key) != nullptr) continue;
      op.extras.push_back(Extra{key, any_value(2)});
    }
    return op;
  });
}

inline rc::Gen<Metadata> metadata() {
  return rc::gen::exec([] {
    Metadata meta;
    int count = pick(4);
    for (int i = 0; i < count; i++) meta.set(*keyword_name(), any_value(2));
    return meta;
  });
}

inline rc::Gen<History> history() {
  return rc::gen::exec([] {
    History h;
    h.meta = *metadata();
    h.ops = *rc::gen::container<std::vector<Op>>(static_cast<size_t>(pick(16)), op());
    return h;
  });
}

}  // namespace fl::history::gen
