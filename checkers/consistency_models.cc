// The tables below restate the relations of Elle's consistency_model.clj
// (implied anomalies, anomaly severity, the model hierarchy and each model's
// direct proscriptions) as plain data; the citations for each relation are in
// Elle's source and summarised in docs/anomalies.md.
#include "checkers/consistency_models.h"

#include <algorithm>
#include <deque>
#include <utility>

#include "base/assert.h"

namespace fl::checkers {
namespace {

struct Relation {
  const char* from;
  std::vector<const char*> to;
};

// a -> b: a history with anomaly a also has anomaly b.
const std::vector<Relation>& implied_anomaly_relations() {
  static const std::vector<Relation> kRelations = {
      {"G0", {"G1c", "G0-process"}},
      {"G0-process", {"G1c-process", "G0-realtime"}},
      {"G0-realtime", {"G1c-realtime"}},
      {"G1a", {"G1"}},
      {"G1b", {"G1"}},
      {"G1c", {"G1", "G1c-process"}},
      {"G1c-process", {"G1c-realtime", "G1-process"}},
      {"G1c-realtime", {"G1-realtime"}},
      {"G1", {"G1-process"}},
      {"G1-process", {"G1-realtime"}},
      {"G-single-item", {"G-single", "G-single-item-process", "G-nonadjacent-item"}},
      {"G-single-item-process", {"G-single-process", "G-single-item-realtime", "G-nonadjacent-item-process"}},
      {"G-single-item-realtime", {"G-single-realtime", "G-nonadjacent-item-realtime"}},
      {"G-single", {"G-nonadjacent", "GSIb", "G-single-process"}},
      {"G-single-process", {"G-nonadjacent-process", "G-single-realtime"}},
      {"G-single-realtime", {"G-nonadjacent-realtime"}},
      {"G-nonadjacent-item", {"G-nonadjacent", "G2-item", "G-nonadjacent-item-process"}},
      {"G-nonadjacent-item-process", {"G-nonadjacent-process", "G2-item-process", "G-nonadjacent-item-realtime"}},
      {"G-nonadjacent-item-realtime", {"G2-item-realtime", "G-nonadjacent-realtime"}},
      {"G-nonadjacent", {"G2", "G-nonadjacent-process"}},
      {"G-nonadjacent-process", {"G2-process", "G-nonadjacent-realtime"}},
      {"G-nonadjacent-realtime", {"G2-realtime"}},
      {"G2", {"G2-process"}},
      {"G2-item", {"G2", "G2-item-process"}},
      {"G2-item-process", {"G2-process", "G2-item-realtime"}},
      {"G2-item-realtime", {"G2-realtime"}},
      {"G2-process", {"G2-realtime"}},
      {"GSIa", {"GSI"}},
      {"GSIb", {"GSI"}},
      {"incompatible-order", {"G1a"}},
      {"future-read", {"G1c"}},
      {"dirty-update", {"G1a"}},
      {"lost-update", {"write-skew", "G2-item"}},
      {"write-skew", {"G2"}},
  };
  return kRelations;
}

// Elle's severity order: not implication, only the order searches run in.
const std::vector<Relation>& severity_relations() {
  static const std::vector<Relation> kRelations = {
      {"G0", {"G1c"}},
      {"G0-process", {"G1c-process"}},
      {"G0-realtime", {"G1c-realtime"}},
      {"G1c", {"G-single", "G2-item"}},
      {"G1c-process", {"G-single-process", "G2-item-process"}},
      {"G1c-realtime", {"G-single-realtime", "G2-item-realtime"}},
      {"G2", {"G0-process"}},
      {"G2-process", {"G0-realtime"}},
  };
  return kRelations;
}

// Friendly name -> canonical name.
const std::vector<std::pair<const char*, const char*>>& canonical_names() {
  static const std::vector<std::pair<const char*, const char*>> kNames = {
      {"consistent-view", "PL-2+"},
      {"conflict-serializable", "PL-3"},
      {"cursor-stability", "PL-CS"},
      {"forward-consistent-view", "PL-FCV"},
      {"monotonic-snapshot-read", "PL-MSR"},
      {"monotonic-view", "PL-2L"},
      {"read-committed", "PL-2"},
      {"read-uncommitted", "PL-1"},
      {"repeatable-read", "PL-2.99"},
      {"serializable", "PL-3"},
      {"snapshot-isolation", "PL-SI"},
      {"strict-serializable", "PL-SS"},
      {"strong-serializable", "PL-SS"},
      {"update-serializable", "PL-3U"},
      {"strong-session-read-uncommitted", "strong-session-PL-1"},
      {"strong-session-read-committed", "strong-session-PL-2"},
      {"strong-read-uncommitted", "strong-PL-1"},
      {"strong-read-committed", "strong-PL-2"},
  };
  return kNames;
}

// a -> b: a history satisfying a satisfies b. Either name form; canonicalised
// when the graph is built.
const std::vector<Relation>& model_relations() {
  static const std::vector<Relation> kRelations = {
      {"causal-cerone", {"read-atomic"}},
      {"consistent-view", {"cursor-stability", "monotonic-view"}},
      {"conflict-serializable", {"view-serializable"}},
      {"cursor-stability", {"read-committed", "PL-2"}},
      {"forward-consistent-view", {"consistent-view"}},
      {"PL-2", {"PL-1"}},
      {"PL-3", {"repeatable-read", "update-serializable"}},
      {"update-serializable", {"forward-consistent-view"}},
      {"monotonic-atomic-view", {"read-committed"}},
      {"monotonic-view", {"PL-2"}},
      {"monotonic-snapshot-read", {"PL-2"}},
      {"parallel-snapshot-isolation", {"causal-cerone", "update-atomic"}},
      {"prefix", {"causal-cerone"}},
      {"read-atomic", {"monotonic-atomic-view"}},
      {"read-committed", {"read-uncommitted"}},
      {"repeatable-read", {"cursor-stability", "monotonic-atomic-view"}},
      {"update-atomic", {"read-atomic"}},
      {"serializable", {"repeatable-read", "snapshot-isolation", "view-serializable"}},
      {"session-serializable", {"1SR"}},
      {"snapshot-isolation",
       {"forward-consistent-view", "monotonic-atomic-view", "monotonic-snapshot-read",
        "parallel-snapshot-isolation", "prefix"}},
      {"strict-serializable",
       {"PL-3", "serializable", "linearizable", "snapshot-isolation", "strong-snapshot-isolation",
        "strong-session-serializable"}},
      {"strong-session-PL-1", {"PL-1"}},
      {"strong-session-PL-2", {"PL-2", "strong-session-PL-1"}},
      {"strong-PL-1", {"strong-session-PL-1"}},
      {"strong-PL-2", {"strong-session-PL-2", "strong-PL-1"}},
      {"strong-session-serializable", {"serializable", "strong-session-snapshot-isolation"}},
      {"strong-session-snapshot-isolation", {"snapshot-isolation", "strong-session-PL-2"}},
      {"strong-serializable", {"session-serializable"}},
      {"strong-snapshot-isolation", {"strong-session-snapshot-isolation", "strong-PL-2"}},
      {"linearizable", {"sequential"}},
      {"sequential", {"causal"}},
      {"causal", {"writes-follow-reads", "PRAM"}},
      {"PRAM", {"monotonic-reads", "monotonic-writes", "read-your-writes"}},
  };
  return kRelations;
}

// Model -> anomalies it rules out over the models it implies.
const std::vector<Relation>& proscription_relations() {
  static const std::vector<Relation> kRelations = {
      {"causal-cerone", {"internal", "G1a"}},
      {"cursor-stability", {"G1", "G-cursor", "lost-update"}},
      {"monotonic-view", {"G1", "G-monotonic"}},
      {"monotonic-snapshot-read", {"G1", "G-MSR"}},
      {"consistent-view", {"G1", "G-single"}},
      {"forward-consistent-view", {"G1", "G-SIb"}},
      {"parallel-snapshot-isolation", {"internal", "G1a"}},
      {"PL-3", {"G1", "G2", "predicate-read-miss", "PL-3-cycle-exists"}},
      {"PL-2", {"G1", "PL-2-cycle-exists"}},
      // garbage-read is ours [cm.4]; the rest of this line is Elle's.
      {"PL-1", {"G0", "duplicate-elements", "cyclic-versions", "PL-1-cycle-exists", "garbage-read"}},
      {"prefix", {"internal", "G1a"}},
      {"serializable", {"internal"}},
      {"snapshot-isolation", {"internal", "G1", "G-SI", "G-nonadjacent", "PL-SI-cycle-exists"}},
      {"read-atomic", {"internal", "G1a", "future-read"}},
      {"repeatable-read", {"G1", "G2-item", "PL-2.99-cycle-exists", "lost-update"}},
      {"update-atomic", {"lost-update"}},
      {"strict-serializable", {"G1", "G1c-realtime", "G2-realtime", "PL-SS-cycle-exists"}},
      {"strong-session-PL-1", {"strong-session-PL-1-cycle-exists", "G0-process"}},
      {"strong-session-PL-2", {"strong-session-PL-2-cycle-exists", "G1c-process"}},
      {"strong-PL-1", {"strong-PL-1-cycle-exists", "G0-realtime"}},
      {"strong-PL-2", {"strong-PL-2-cycle-exists", "G1c-realtime"}},
      {"strong-session-snapshot-isolation",
       {"internal", "G1-process", "G-nonadjacent-process", "strong-session-snapshot-isolation-cycle-exists"}},
      {"strong-snapshot-isolation",
       {"internal", "G1-realtime", "G-nonadjacent-realtime", "strong-snapshot-isolation-cycle-exists"}},
      {"strong-session-serializable", {"G1-process", "G2-process", "strong-session-serializable-cycle-exists"}},
      {"update-serializable", {"G1", "G-update"}},
  };
  return kRelations;
}

using Adjacency = std::map<std::string, std::vector<std::string>>;

struct Digraph {
  Adjacency out;
  Adjacency in;
  std::set<std::string> vertices;

  void link(const std::string& a, const std::string& b) {
    vertices.insert(a);
    vertices.insert(b);
    std::vector<std::string>& o = out[a];
    if (std::find(o.begin(), o.end(), b) == o.end()) o.push_back(b);
    std::vector<std::string>& i = in[b];
    if (std::find(i.begin(), i.end(), a) == i.end()) i.push_back(a);
  }
};

std::string canonical(std::string_view model) {
  for (const auto& [friendly, canon] : canonical_names()) {
    if (model == friendly) return canon;
  }
  return std::string(model);
}

Digraph build(const std::vector<Relation>& relations, bool canonicalize) {
  Digraph g;
  for (const Relation& r : relations) {
    std::string from = canonicalize ? canonical(r.from) : std::string(r.from);
    for (const char* to : r.to) g.link(from, canonicalize ? canonical(to) : std::string(to));
  }
  return g;
}

struct Tables {
  Digraph implied = build(implied_anomaly_relations(), false);
  Digraph models = build(model_relations(), true);
  Digraph proscribes = build(proscription_relations(), true);
  std::map<std::string, int> depths;

  Tables() {
    // [cm.5] Kahn layers of implied + severity; a vertex's depth is the
    // layer it leaves in, i.e. its longest distance from a root.
    Digraph merged = implied;
    for (const Relation& r : severity_relations()) {
      for (const char* to : r.to) merged.link(r.from, to);
    }
    std::map<std::string, size_t> indegree;
    for (const std::string& v : merged.vertices) indegree[v] = merged.in.count(v) ? merged.in.at(v).size() : 0;
    std::vector<std::string> layer;
    for (const auto& [v, d] : indegree) {
      if (d == 0) layer.push_back(v);
    }
    for (int depth = 0; !layer.empty(); ++depth) {
      FL_ASSERT(depth <= static_cast<int>(merged.vertices.size()));  // Invariant: acyclic
      std::vector<std::string> next;
      for (const std::string& v : layer) {
        depths[v] = depth;
        if (!merged.out.count(v)) continue;
        for (const std::string& w : merged.out.at(v)) {
          if (--indegree[w] == 0) next.push_back(w);
        }
      }
      layer = std::move(next);
    }
    FL_ASSERT(depths.size() == merged.vertices.size());
    // Anomalies only a model proscribes (internal, lost-update's kin, ...)
    // count as depth 0, as in Elle.
    for (const auto& [model, anomalies] : proscribes.out) {
      for (const std::string& a : anomalies) depths.try_emplace(a, 0);
    }
  }
};

const Tables& tables() {
  static const Tables kTables;
  return kTables;
}

std::set<std::string> closure(const Adjacency& adjacency, const std::set<std::string>& start) {
  std::set<std::string> seen = start;
  std::deque<std::string> queue(start.begin(), start.end());
  while (!queue.empty()) {
    std::string v = std::move(queue.front());
    queue.pop_front();
    auto it = adjacency.find(v);
    if (it == adjacency.end()) continue;
    for (const std::string& w : it->second) {
      if (seen.insert(w).second) queue.push_back(w);
    }
  }
  return seen;
}

std::set<std::string> canonical_set(const std::set<std::string>& models) {
  std::set<std::string> out;
  for (const std::string& m : models) out.insert(canonical(m));
  return out;
}

std::set<std::string> impossible_canonical(const std::set<std::string>& anomalies) {
  const Tables& t = tables();
  std::set<std::string> direct;
  for (const std::string& a : all_implied_anomalies(anomalies)) {
    auto it = t.proscribes.in.find(a);
    if (it == t.proscribes.in.end()) continue;
    direct.insert(it->second.begin(), it->second.end());
  }
  return closure(t.models.in, direct);
}

// Models of `ms` not covered by another model of `ms` in direction `dir`.
std::set<std::string> most_models(const Adjacency& dir, const std::set<std::string>& ms) {
  std::set<std::string> kept;
  for (const std::string& m : ms) {
    std::set<std::string> reach = closure(dir, {m});
    reach.erase(m);
    bool covered = std::any_of(reach.begin(), reach.end(), [&](const std::string& r) { return ms.count(r) > 0; });
    if (!covered) kept.insert(m);
  }
  return kept;
}

}  // namespace

std::string canonical_model_name(std::string_view model) { return canonical(model); }

std::string friendly_model_name(std::string_view model) {
  if (model == "PL-3") return "serializable";
  if (model == "PL-SS") return "strict-serializable";
  for (const auto& [friendly, canon] : canonical_names()) {
    if (model == canon) return friendly;
  }
  return std::string(model);
}

bool is_known_model(std::string_view model) {
  const Tables& t = tables();
  std::string c = canonical(model);
  return t.models.vertices.count(c) > 0 || t.proscribes.vertices.count(c) > 0;
}

std::vector<std::string> known_models() {
  std::set<std::string> names;
  for (const std::string& m : tables().models.vertices) names.insert(friendly_model_name(m));
  return {names.begin(), names.end()};
}

std::set<std::string> all_implied_anomalies(const std::set<std::string>& anomalies) {
  return closure(tables().implied.out, anomalies);
}

std::set<std::string> all_anomalies_implying(const std::set<std::string>& anomalies) {
  return closure(tables().implied.in, anomalies);
}

std::set<std::string> anomalies_prohibited_by(const std::vector<std::string>& models) {
  const Tables& t = tables();
  std::set<std::string> start;
  for (const std::string& m : models) {
    FL_ASSERT(is_known_model(m));
    start.insert(canonical(m));
  }
  std::set<std::string> direct;
  for (const std::string& m : closure(t.models.out, start)) {
    auto it = t.proscribes.out.find(m);
    if (it == t.proscribes.out.end()) continue;
    direct.insert(it->second.begin(), it->second.end());
  }
  return all_anomalies_implying(direct);
}

std::set<std::string> impossible_models(const std::set<std::string>& anomalies) {
  std::set<std::string> out;
  for (const std::string& m : impossible_canonical(anomalies)) out.insert(friendly_model_name(m));
  return out;
}

std::map<std::string, std::vector<std::string>> violated_models(const std::set<std::string>& anomalies) {
  std::map<std::string, std::vector<std::string>> out;
  for (const std::string& model : impossible_canonical(anomalies)) {
    std::set<std::string> prohibited = anomalies_prohibited_by({model});
    std::vector<std::string>& reasons = out[friendly_model_name(model)];
    for (const std::string& a : anomalies) {
      if (prohibited.count(a)) reasons.push_back(a);
    }
    FL_ASSERT(!reasons.empty());  // [cm.2]
  }
  return out;
}

Boundary boundary(const std::set<std::string>& anomalies) {
  std::set<std::string> impossible = impossible_canonical(anomalies);
  std::set<std::string> weakest = most_models(tables().models.out, impossible);
  Boundary b;
  for (const std::string& m : impossible) {
    (weakest.count(m) ? b.not_models : b.also_not).insert(friendly_model_name(m));
  }
  return b;
}

std::vector<std::string> strongest_possible_models(const std::set<std::string>& ruled_out) {
  std::set<std::string> excluded = canonical_set(ruled_out);
  std::set<std::string> possible;
  for (const std::string& m : tables().models.vertices) {
    if (!excluded.count(m)) possible.insert(m);
  }
  std::set<std::string> names;
  for (const std::string& m : most_models(tables().models.in, possible)) names.insert(friendly_model_name(m));
  return {names.begin(), names.end()};
}

std::set<std::string> models_implying(std::string_view model) {
  return closure(tables().models.in, {canonical(model)});
}

int anomaly_depth(std::string_view anomaly) {
  const auto& depths = tables().depths;
  auto it = depths.find(std::string(anomaly));
  return it == depths.end() ? 0 : it->second;
}

int anomaly_depth_compare(std::string_view a, std::string_view b) {
  int da = anomaly_depth(a);
  int db = anomaly_depth(b);
  if (da != db) return da < db ? -1 : 1;
  return a.compare(b);
}

}  // namespace fl::checkers
