// history-gen: writes a list-append history of any size as EDN, for the
// checker benchmarks (bench/checker_scale) and for trying `faultline check`
// on big inputs. See bench/history_gen.h for its shape.
//
//   history-gen --txns 1000000 [--stale 1/50] [--seed 42] [--processes 8] [--mops 4] [--loop] --out FILE
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "bench/history_gen.h"
#include "history/edn_writer.h"

namespace {

int usage(const std::string& why) {
  std::cerr << "history-gen: " << why
            << "\nusage: history-gen --txns N [--stale A/B] [--seed S] [--processes P] [--mops M] [--loop] --out FILE\n";
  return 2;
}

bool parse_int(const std::string& text, int64_t min, int64_t* out) {
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < min) return false;
  *out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  fl::bench::HistoryShape shape;
  std::string out_path;
  for (int i = 1; i < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--loop") {  // the only option without a value
      shape.loop = true;
      i -= 1;
      continue;
    }
    if (i + 1 >= argc) return usage(flag + " needs a value");
    std::string value = argv[i + 1];
    int64_t n = 0;
    if (flag == "--txns" && parse_int(value, 1, &n)) {
      shape.txns = n;
    } else if (flag == "--seed" && parse_int(value, 0, &n)) {
      shape.seed = static_cast<uint64_t>(n);
    } else if (flag == "--processes" && parse_int(value, 1, &n) && n <= 1024) {
      shape.processes = static_cast<int>(n);
    } else if (flag == "--mops" && parse_int(value, 1, &n) && n <= 64) {
      shape.mops = static_cast<int>(n);
    } else if (flag == "--stale") {
      size_t slash = value.find('/');
      int64_t a = 0, b = 0;
      if (slash == std::string::npos || !parse_int(value.substr(0, slash), 0, &a) ||
          !parse_int(value.substr(slash + 1), 1, &b) || a > b) {
        return usage("--stale: expected A/B with 0 <= A <= B, got \"" + value + "\"");
      }
      shape.stale = fl::Ratio{static_cast<uint64_t>(a), static_cast<uint64_t>(b)};
    } else if (flag == "--out") {
      out_path = value;
    } else {
      return usage("bad option " + flag + " " + value);
    }
  }
  if (out_path.empty()) return usage("--out is required");
  FILE* out = std::fopen(out_path.c_str(), "wb");
  if (out == nullptr) return usage("cannot create " + out_path);
  fl::history::Metadata meta;
  meta.set("workload", fl::history::Value::keyword("list-append"));
  meta.set("generator", fl::history::Value::string("history-gen"));
  std::string line = fl::history::edn_meta_line(meta);
  std::string buffer;
  buffer.reserve(1 << 20);
  buffer += line;
  fl::bench::generate_history(shape, [&](fl::history::Op&& op) {
    fl::history::append_edn_line(buffer, op);
    if (buffer.size() >= (1 << 20)) {
      std::fwrite(buffer.data(), 1, buffer.size(), out);
      buffer.clear();
    }
  });
  std::fwrite(buffer.data(), 1, buffer.size(), out);
  if (std::fclose(out) != 0) return usage("cannot write " + out_path);
  return 0;
}
