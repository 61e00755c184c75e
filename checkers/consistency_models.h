// checkers/consistency_models.h: Elle's consistency-model lattice and the
// anomalies each model proscribes, held as data (a port of the relations in
// jepsen-io/elle consistency_model.clj; docs/anomalies.md lists the sources
// and our one extension).
//
// Three directed acyclic graphs, all over names:
//  - implied anomalies: a -> b when every history with a also has b (G0 ->
//    G1c, G-single-item -> G-single, lost-update -> G2-item, ...);
//  - models: a -> b when a history that satisfies a also satisfies b
//    (strict-serializable -> serializable -> repeatable-read -> ...);
//  - direct proscriptions: model -> the anomalies it rules out over the
//    models it implies.
// Models are stored under Elle's canonical names (PL-3, PL-SI, PL-SS, ...)
// and reported under its friendly ones (serializable, snapshot-isolation,
// strict-serializable, ...). Functions accept either.
//
// [cm.1] anomalies_prohibited_by(models) is the set of anomaly types that
//        cannot occur if every one of `models` holds: the anomalies proscribed
//        by the models or anything they imply, closed under "implies".
// [cm.2] impossible_models(anomalies) is every model ruled out by a history
//        exhibiting `anomalies`; violated_models() names, for each, the
//        found anomaly types that rule it out (at least one each).
// [cm.3] boundary(): `not_models` are the weakest impossible models and
//        `also_not` the rest of them, both friendly names, as Elle reports.
// [cm.4] garbage-read (ours: a read of a value nobody wrote) is proscribed by
//        read-uncommitted, so it rules out every model that implies it.
// [cm.5] anomaly_depth() orders anomaly types as Elle searches them: by depth
//        in the implied-anomaly graph merged with Elle's severity graph, then
//        by name.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace fl::checkers {

std::string canonical_model_name(std::string_view model);
std::string friendly_model_name(std::string_view model);
bool is_known_model(std::string_view model);  // friendly or canonical
std::vector<std::string> known_models();      // friendly names, sorted

// Closures over the implied-anomaly graph; both include their input.
std::set<std::string> all_implied_anomalies(const std::set<std::string>& anomalies);
std::set<std::string> all_anomalies_implying(const std::set<std::string>& anomalies);

// [cm.1] REQUIRES: every model is_known_model().
std::set<std::string> anomalies_prohibited_by(const std::vector<std::string>& models);

// [cm.2] Friendly names.
std::set<std::string> impossible_models(const std::set<std::string>& anomalies);
std::map<std::string, std::vector<std::string>> violated_models(const std::set<std::string>& anomalies);

struct Boundary {
  std::set<std::string> not_models;  // weakest impossible models
  std::set<std::string> also_not;    // the other impossible models
};
Boundary boundary(const std::set<std::string>& anomalies);  // [cm.3]

// The strongest models that none of `ruled_out` (friendly or canonical) rules
// out: no returned model implies another returned one. Friendly, sorted.
std::vector<std::string> strongest_possible_models(const std::set<std::string>& ruled_out);

// Canonical names of `model` and every model that implies it: all of them
// are impossible once `model` is (Elle's all-impossible-models).
std::set<std::string> models_implying(std::string_view model);

int anomaly_depth(std::string_view anomaly);  // [cm.5]; unknown types: 0
// Negative, zero or positive as a sorts before, with or after b [cm.5].
int anomaly_depth_compare(std::string_view a, std::string_view b);

}  // namespace fl::checkers
