// Model-based test of the B+tree (engine/btree.h [btree.1]-[btree.6]): random
// sequences of put/erase/get/seek against std::map<std::string, std::string>
// give identical results, and check_tree() (tree order, depth, page
// accounting with the freelist) stays clean throughout.
//
// Method: RapidCheck draws the shape of a run (seed, length, key width, value
// size, key universe); the operations themselves come from a Prng stream of
// that seed, so one run can hold thousands of operations (enough for trees
// three or four levels deep with wide keys) and still take milliseconds.
// A failure prints the drawn parameters, which replay the run exactly.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <string>

#include "base/prng.h"
#include "engine/btree.h"
#include "engine/mem_page_store.h"

namespace fl::engine {
namespace {

struct RunShape {
  uint64_t seed;
  uint32_t op_count;
  uint32_t key_width;   // keys are a zero-padded number, padded to this width
  uint32_t value_max;   // values are 0..value_max bytes
  uint32_t key_space;   // distinct keys drawn from
};

std::string value_bytes(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

std::string make_key(Prng& prng, const RunShape& shape) {
  std::string digits = std::to_string(prng.uniform(shape.key_space));
  const size_t width = prng.chance(Ratio{1, 8}) ? digits.size() : shape.key_width;  // some short keys
  return std::string(width > digits.size() ? width - digits.size() : 0, '0') + digits;
}

std::string make_value(Prng& prng, const RunShape& shape) {
  const size_t length = prng.uniform(uint64_t{shape.value_max} + 1);
  return std::string(length, static_cast<char>('a' + prng.uniform(26)));
}

// One operation: put, erase, get or seek+short scan, compared with the model.
void step(Prng& prng, const RunShape& shape, BTree& tree, std::map<std::string, std::string>& model) {
  const std::string key = make_key(prng, shape);
  const uint64_t kind = prng.uniform(10);
  if (kind < 5) {
    const std::string value = make_value(prng, shape);
    RC_ASSERT(tree.put(as_bytes(key), as_bytes(value)).ok());
    model[key] = value;
  } else if (kind < 8) {
    auto erased = tree.erase(as_bytes(key));
    RC_ASSERT(erased.ok());
    RC_ASSERT(*erased == (model.erase(key) == 1));
  } else if (kind < 9) {
    auto got = tree.get(as_bytes(key));
    RC_ASSERT(got.ok());
    auto it = model.find(key);
    RC_ASSERT(got->has_value() == (it != model.end()));
    if (it != model.end()) RC_ASSERT(value_bytes(**got) == it->second);
  } else {
    BTreeCursor cursor(tree);
    RC_ASSERT(cursor.seek(as_bytes(key)).ok());
    auto it = model.lower_bound(key);
    for (int i = 0; i < 20; ++i, ++it) {
      RC_ASSERT(cursor.valid() == (it != model.end()));
      if (it == model.end()) break;
      RC_ASSERT(value_bytes(cursor.key()) == it->first);
      RC_ASSERT(value_bytes(cursor.value()) == it->second);
      RC_ASSERT(cursor.next().ok());
    }
  }
}

void check_full_scan(BTree& tree, const std::map<std::string, std::string>& model) {
  BTreeCursor cursor(tree);
  RC_ASSERT(cursor.first().ok());
  for (const auto& [key, value] : model) {
    RC_ASSERT(cursor.valid());
    RC_ASSERT(value_bytes(cursor.key()) == key);
    RC_ASSERT(value_bytes(cursor.value()) == value);
    RC_ASSERT(cursor.next().ok());
  }
  RC_ASSERT(!cursor.valid());
}

void run_against_model(const RunShape& shape) {
  MemPageStore store;
  BTree tree(store);
  std::map<std::string, std::string> model;
  Prng prng = Prng::stream(shape.seed, "btree-ops");
  for (uint32_t i = 0; i < shape.op_count; ++i) {
    step(prng, shape, tree, model);
    if (i % 512 == 511) {
      const Status status = check_tree(store);
      RC_ASSERT(status.ok());
    }
  }
  const Status status = check_tree(store);
  RC_ASSERT(status.ok());
  check_full_scan(tree, model);
  // Erase everything: the tree empties and every page it used is free again.
  for (const auto& entry : model) RC_ASSERT(*tree.erase(as_bytes(entry.first)));
  RC_ASSERT(store.meta().root_page == 0u);
  RC_ASSERT(check_tree(store).ok());
}

RC_GTEST_PROP(BTreeModel, SmallRunsMatchStdMap, ()) {
  const RunShape shape{*rc::gen::arbitrary<uint64_t>(), *rc::gen::inRange<uint32_t>(0, 300),
                       *rc::gen::inRange<uint32_t>(1, kKeyBytesMax + 1),
                       *rc::gen::inRange<uint32_t>(0, kValueBytesMax + 1), *rc::gen::inRange<uint32_t>(1, 200)};
  run_against_model(shape);
}

RC_GTEST_PROP(BTreeModel, DeepTreesMatchStdMap, ()) {
  // Wide keys and values so a few thousand keys make three or four levels.
  const RunShape shape{*rc::gen::arbitrary<uint64_t>(), *rc::gen::inRange<uint32_t>(800, 2500),
                       *rc::gen::element<uint32_t>(16, 120, kKeyBytesMax),
                       *rc::gen::element<uint32_t>(64, 400, kValueBytesMax), *rc::gen::inRange<uint32_t>(500, 3000)};
  RC_TAG(shape.key_width);
  run_against_model(shape);
}

}  // namespace
}  // namespace fl::engine
