#include "history/history.h"

#include "base/assert.h"

namespace fl::history {

const Value* Metadata::get(std::string_view key) const {
  for (const Entry& entry : entries_) {
    if (entry.first == key) return &entry.second;
  }
  return nullptr;
}

void Metadata::set(std::string key, Value value) {
  FL_ASSERT(is_keyword_name(key));
  for (Entry& entry : entries_) {
    if (entry.first == key) {
      entry.second = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(key), std::move(value));
}

}  // namespace fl::history
