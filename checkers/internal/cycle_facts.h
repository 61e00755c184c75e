// checkers/internal/cycle_facts.h: what one component's passes have found
// out about cycles, shared by the classified search (txn_graph.cc) and the
// closed-walk checks (cycle_exists.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace fl::checkers::internal {

// What is known of cycles over sets of relations, to spare passes over one
// component: a set with no cycle has none in any of its subsets, and a set
// with a cycle has one in every superset. (Only within one reading of the
// edges: the classified search follows each edge's label, the closed-walk
// checks all its relations.)
class CycleFacts {
 public:
  std::optional<bool> known(uint8_t rels) const {
    for (uint8_t acyclic : acyclic_) {
      if ((rels & ~acyclic) == 0) return false;
    }
    for (uint8_t cyclic : cyclic_) {
      if ((cyclic & ~rels) == 0) return true;
    }
    return std::nullopt;
  }
  void note(uint8_t rels, bool cyclic) { (cyclic ? cyclic_ : acyclic_).push_back(rels); }

 private:
  std::vector<uint8_t> acyclic_;
  std::vector<uint8_t> cyclic_;
};

}  // namespace fl::checkers::internal
