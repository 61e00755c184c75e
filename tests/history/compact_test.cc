// CompactHistory ([compact.1]..[compact.3]) and the compact reader
// ([compact-r.1]..[compact-r.3]): same history and same errors as the
// general readers, whatever the thread count and block size.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <string>
#include <thread>

#include <sys/stat.h>

#include "history/compact.h"
#include "history/compact_reader.h"
#include "history/edn_reader.h"
#include "history/edn_writer.h"
#include "tests/history/gen.h"

namespace fl::history {
namespace {

History expect_same(std::string_view text, unsigned threads) {
  Result<History> general = read_edn(text);
  Result<CompactHistory> compact = read_compact_edn(text, "history.edn", threads);
  EXPECT_EQ(general.ok(), compact.ok()) << text;
  if (!general.ok() || !compact.ok()) {
    if (!general.ok() && !compact.ok()) {
      EXPECT_EQ(general.status().to_string(), compact.status().to_string());
    }
    return {};
  }
  History back = compact->to_history();
  EXPECT_EQ(back, *general) << text;
  return back;
}

RC_GTEST_PROP(CompactHistory, RoundTripsEveryHistory, ()) {
  const History h = *gen::history();
  Result<CompactHistory> c = CompactHistory::from_history(h);
  RC_ASSERT(c.ok());
  RC_ASSERT(c->to_history() == h);
  for (size_t i = 0; i < h.ops.size(); ++i) RC_ASSERT(c->op(i) == h.ops[i]);
}

RC_GTEST_PROP(CompactReader, ReadsWhatTheGeneralReaderReads, ()) {
  const History h = *gen::history();
  const std::string text = to_edn(h);
  const unsigned threads = *rc::gen::inRange(1u, 4u);
  Result<CompactHistory> c = read_compact_edn(text, "history.edn", threads);
  RC_ASSERT(c.ok());
  RC_ASSERT(c->to_history() == h);
}

// A corrupted file gives exactly the general reader's result: the same
// history, or the same error.
RC_GTEST_PROP(CompactReader, CorruptionGivesTheGeneralReadersResult, ()) {
  const History h = *gen::history();
  std::string text = to_edn(h);
  RC_PRE(!text.empty());
  const int edits = *rc::gen::inRange(1, 4);
  for (int i = 0; i < edits; ++i) {
    size_t at = *rc::gen::inRange<size_t>(0, text.size());
    const char replacement = *rc::gen::element('{', '}', '[', ']', ' ', '\n', ':', '-', '0', '9', ';', 'x', ',');
    text[at] = replacement;
  }
  Result<History> general = read_edn(text);
  Result<CompactHistory> compact = read_compact_edn(text, "history.edn", *rc::gen::inRange(1u, 4u));
  RC_ASSERT(general.ok() == compact.ok());
  if (general.ok()) {
    RC_ASSERT(compact->to_history() == *general);
  } else {
    RC_ASSERT(general.status().to_string() == compact.status().to_string());
  }
}

TEST(CompactReader, FastLinesAndGeneralLinesMix) {
  const std::string text =
      "; faultline-meta {:workload :list-append, :seed 7}\n"
      "\n"
      "{:index 0, :time 5, :type :invoke, :process 0, :f :txn, :value [[:append 1 2] [:r 1 nil]]}\r\n"
      "{:index 1, :time 6, :type :invoke, :process :nemesis, :f :crash, :value nil}\n"
      "; a comment\n"
      "{:index 2 :time 7 :type :ok :process 0 :f :txn :value [[:append 1 2] [:r 1 [2]]]} ; trailing\n"
      "{:index 3, :time 8, :type :info, :process 1, :f :txn, :value [[:w 4 -9223372036854775808]], :error :timeout}\n"
      "{:index 4, :time 9, :type :ok, :process 1, :f :txn, :value []}\n"
      "{:index 5, :time 9, :type :ok, :process 1, :f :txn, :value [[:r 3 [0 -1 007]]]}\n";
  // The last line has a leading zero, which EDN forbids: the general error.
  History none = expect_same(text, 2);
  EXPECT_TRUE(none.ops.empty());
  const std::string good = text.substr(0, text.rfind("{:index 5"));
  for (unsigned threads : {1u, 2u, 3u}) {
    History h = expect_same(good, threads);
    ASSERT_EQ(h.ops.size(), 5u);
    EXPECT_EQ(h.ops[1].process, Process::nemesis());
    ASSERT_NE(h.ops[3].extra("error"), nullptr);
    ASSERT_NE(h.meta.get("seed"), nullptr);
  }
}

TEST(CompactReader, ShapesOnlyTheSequentialReaderHandles) {
  // Missing :index (the stream position), a form over two lines, a history
  // that is one vector, two forms on a line, a duplicate key.
  expect_same("{:type :invoke, :process 0, :value [[:r 1 nil]]}\n{:type :ok, :process 0, :value [[:r 1 []]]}\n", 2);
  expect_same("{:index 0, :type :invoke,\n :process 0, :value [[:r 1 nil]]}\n{:index 1 :type :ok :value []}\n", 2);
  expect_same("[{:index 0, :type :invoke, :value []}\n {:index 1, :type :ok, :value []}]\n", 2);
  expect_same("{:index 0, :type :invoke, :value []} {:index 1, :type :ok, :value []}\n", 1);
  expect_same("{:index 0, :index 1, :type :invoke, :value []}\n", 1);
  expect_same("{:index 0, :type :invoke, :value [[:r 1 +5]]}\n{:index 1, :type :ok, :value [[:r 1 -0]]}\n", 1);
  expect_same("{:index 0, :type :bogus, :value []}\n", 1);
  expect_same("{:index 99999999999999999999, :type :ok, :value []}\n", 1);
  // A last metadata line without its newline is still the metadata: a
  // malformed one is an error, a good one is read (found by fuzzing).
  expect_same("; faultline-meta {:durability eakd:c, :is", 2);
  History meta_only = expect_same("; a comment\n; faultline-meta {:seed 7}", 2);
  EXPECT_NE(meta_only.meta.get("seed"), nullptr);
}

// The writer's exact line shape has a faster path [compact-r.1]; lines one
// byte away from it must read as the general reader reads them.
// Integers are read eight bytes at a time when they are short: every
// length around that cut, leading zeros, signs and what follows a number
// read as the general reader reads them.
TEST(CompactReader, IntegersOfEveryLength) {
  const std::string head = "{:index 3, :time 9, :type :ok, :process 2, :f :txn, :value [[:r 1 [";
  std::vector<std::string> numbers = {"0", "00", "07", "-0", "-7", "+7", "0x1", "1e3", "9223372036854775807",
                                      "9223372036854775808", "-9223372036854775808", "18446744073709551616"};
  std::string digits;
  for (int n = 1; n <= 20; ++n) {
    digits += static_cast<char>('0' + n % 10);
    numbers.push_back(digits);               // 1, 12, 123, ... (starts with 1)
    numbers.push_back("9" + digits);         // one digit longer
    numbers.push_back("-" + digits);
    numbers.push_back(digits + "a");         // a number glued to a name
  }
  for (const std::string& number : numbers) {
    for (const char* after : {"]]]}", " 5]]]}", "]]] }", " ]]]}"}) {
      expect_same(head + number + after + "\n", 1);
      expect_same(head + "1 " + number + after, 1);  // no newline: the line ends inside the eight bytes
    }
  }
}

TEST(CompactReader, CanonicalLinesAndTheirNearMisses) {
  const std::string head = "{:index 3, :time 9, :type :ok, :process 2, :f :txn, :value ";
  for (const char* value : {"[]}", "[[:append 1 2] [:r 1 [2]] [:r 5 nil] [:w 7 -3] [:r 7 []]]}",
                            "[[:r 1 [9223372036854775807 -9223372036854775808 0]]]}",
                            "[[:r 1 [1 2]]]} ; a comment", "[[:r 1 [1 2]]]}\r", "[[:r 1 [1 2]]]}  ",
                            "[[:r 1 [1  2]]]}", "[[:r 1 [ 1 2]]]}", "[[:r 1 [1 2] ]]}", "[[:r 1 [01 2]]]}",
                            "[[:r 1 [-0]]]}", "[[:r 1 [+1]]]}", "[[:r 1 [99999999999999999999]]]}",
                            "[[:r 1 [9223372036854775808]]]}", "[[:r 1 [1 2]]], :error :timeout}",
                            "[[:r 1 [1 2]]]} {:index 4}", "[[:R 1 [1]]]}", "[[:append 1 2]]]", "[[:append 1 2]]}}",
                            "[[:append 1 2] ]}", "[[:append 1 2]  [:r 1 nil]]}", "[[:append 1 nil2]]}"}) {
    expect_same(head + value + "\n", 1);
  }
  for (const char* line :
       {"{:index 3, :time 9, :type :bogus, :process 2, :f :txn, :value []}",
        "{:index 3, :time 9, :type :ok, :process :nemesis, :f :crash, :value nil}",
        "{:index 3, :time 9, :type :ok, :process 2, :f :Txn, :value []}",
        "{:index 3, :time 9, :type :ok, :process 2, :f :txn-2, :value []}",
        "{:index 3, :time 9, :type :ok, :process 2, :value []}",
        "{:time 9, :index 3, :type :ok, :process 2, :f :txn, :value []}",
        "{:index 3 :time 9 :type :ok :process 2 :f :txn :value []}",
        "{:index 03, :time 9, :type :ok, :process 2, :f :txn, :value []}",
        "{:index 3, :time -9, :type :info, :process -2, :f :txn, :value []}"}) {
    expect_same(std::string(line) + "\n", 1);
  }
}

// Operation `i` of a file test's history: an invocation at even i, its :ok
// completion at odd i.
Op txn_op(int64_t i, int64_t process, Txn txn) {
  Op op;
  op.index = i;
  op.type = i % 2 == 0 ? OpType::kInvoke : OpType::kOk;
  op.process = Process::integer(process);
  op.f = "txn";
  op.value = std::move(txn);
  return op;
}

// Writes `h` to a file and reads it back with every block size, thread
// count and way of reading (mapped, buffered) given: each is `h`, and was
// read that way when every line fits in a block. (With blocks shorter than
// a line, the mapped path gives the file to the general reader; the
// buffered one may still read it, a line carried over from one block
// joining the next.)
void expect_file_reads_back(const History& h, const std::string& name, std::initializer_list<size_t> blocks,
                            std::initializer_list<unsigned> threads) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / name;
  const std::string text = to_edn(h);
  std::ofstream(path) << text;
  size_t longest_line = 0;
  for (size_t begin = 0; begin < text.size();) {
    const size_t end = std::min(text.find('\n', begin), text.size());
    longest_line = std::max(longest_line, end + 1 - begin);
    begin = end + 1;
  }
  for (size_t block : blocks) {
    for (unsigned t : threads) {
      for (bool map : {true, false}) {
        ReadStats stats;
        Result<CompactHistory> c = read_compact_edn_file(path.string(), t, block, map, &stats);
        ASSERT_TRUE(c.ok()) << c.status().to_string();
        EXPECT_EQ(c->to_history(), h) << "block " << block << " threads " << t << " map " << map;
        const ReadStats::Path way = map ? ReadStats::Path::kMapped : ReadStats::Path::kBuffered;
        if (block >= longest_line) {
          EXPECT_EQ(stats.path, way) << "block " << block << " threads " << t << " map " << map;
        } else if (map) {
          EXPECT_EQ(stats.path, ReadStats::Path::kGeneral) << "block " << block << " threads " << t;
        } else {
          EXPECT_TRUE(stats.path == way || stats.path == ReadStats::Path::kGeneral) << "block " << block << " threads " << t;
        }
      }
    }
  }
  std::filesystem::remove(path);
}

TEST(CompactReader, FileBlocksSplitLinesAnywhere) {
  History h;
  h.meta.set("workload", Value::keyword("list-append"));
  for (int64_t i = 0; i < 300; ++i) {
    Op op = txn_op(i, i % 5,
                   Txn{{MicroKind::kAppend, i % 7, i}, {MicroKind::kRead, i % 3, std::vector<int64_t>{1, 2, i}}});
    if (i % 50 == 0) op.extras.push_back({"note", Value::string("x")});
    h.ops.push_back(std::move(op));
  }
  expect_file_reads_back(h, "compact_blocks_test.edn", {97, 1000, 4096, 5000, kBlockBytes}, {1, 2});
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "compact_blocks_test.edn";
  Result<CompactHistory> missing = read_compact_edn_file(path.string());
  EXPECT_EQ(missing.status().code(), read_edn_file(path.string()).status().code());
}

// A file past the first lines the reader sizes its arrays from, whose later
// lines hold far more than its first (so the estimate falls short and the
// arrays grow), reads the same in any blocks.
TEST(CompactReader, AFileDenserThanItsFirstLinesReadsWhole) {
  History h;
  for (int64_t i = 0; i < 6000; ++i) {
    std::vector<int64_t> list(static_cast<size_t>(i < 3000 ? 1 : i % 97));
    for (size_t j = 0; j < list.size(); ++j) list[j] = static_cast<int64_t>(j);
    h.ops.push_back(txn_op(i, i % 4, Txn{{MicroKind::kAppend, i % 11, i}, {MicroKind::kRead, i % 5, std::move(list)}}));
  }
  ASSERT_GT(to_edn(h).size(), size_t{512} << 10);  // past the first lines sampled
  expect_file_reads_back(h, "compact_dense_test.edn", {100000, kBlockBytes}, {2});
}

// Read lists grow along a list-append history, so the first lines hold
// fewer elements per byte than the rest. The arrays are sized before each
// block from all that was read so far, with room for that growth: none is
// regrown (copied whole) while a block is parsed, mapped or buffered.
TEST(CompactReader, ArraysAreSizedFromAllThatWasReadNotJustTheFirstLines) {
  History h;
  for (int64_t i = 0; i < 12000; ++i) {
    std::vector<int64_t> list(static_cast<size_t>(4 + i / 2000));  // 4 elements at first, 9 at the end
    for (size_t j = 0; j < list.size(); ++j) list[j] = static_cast<int64_t>(j);
    h.ops.push_back(txn_op(i, i % 4, Txn{{MicroKind::kAppend, i % 11, i}, {MicroKind::kRead, i % 5, std::move(list)}}));
  }
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "compact_growing_test.edn";
  std::ofstream(path) << to_edn(h);
  ASSERT_GT(std::filesystem::file_size(path), size_t{1} << 20);  // several blocks
  for (bool map : {true, false}) {
    ReadStats stats;
    Result<CompactHistory> c = read_compact_edn_file(path.string(), 2, size_t{256} << 10, map, &stats);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    EXPECT_EQ(c->to_history(), h);
    EXPECT_EQ(stats.path, map ? ReadStats::Path::kMapped : ReadStats::Path::kBuffered);
    EXPECT_GE(stats.blocks, 4u) << "map " << map;
    EXPECT_EQ(stats.parts_regrown, 0u) << "map " << map;
    // Room to grow into: the history's own array has room for every
    // element of the file (its thread may parse any share of each block,
    // [compact-r.3]) with half again to spare for lists that lengthen; not
    // more than that. (Room never used is address space, not memory.)
    EXPECT_LT(static_cast<double>(c->capacity().elements), 2.5 * static_cast<double>(c->mark().elements))
        << "map " << map;
  }
  std::filesystem::remove(path);
}

// List elements of every length the scanner reads by a different route
// (one digit, two, up to seven, eight and more, signed, with leading
// zeros, at a line's end), read as the general reader reads them, or
// refused as it refuses them.
TEST(CompactReader, ListNumbersOfEveryShapeReadAsTheGeneralReaderReadsThem) {
  const std::string head = "{:index 1, :time 2, :type :ok, :process 0, :f :txn, :value [[:r 1 [";
  for (std::string list : {"0 1 9 10 99 5", "7 12 3 45 6 78 9 10 11 12 13 14 15 16 17 18 19 20",
                           "100 999 1000 1234567 12345678 9223372036854775807 1", "05 1", "1 05", "00", "0 0",
                           "1 -2 3", "-0", "1 2x 3", "12 3", "1 23", "9]", "1  2", " 1 2 ", "1 2 ", "99999999 5"}) {
    for (const std::string& tail : {std::string("]]]}\n"), std::string("]] [:append 2 3]]}\n")}) {
      SCOPED_TRACE(list + tail);
      expect_same(head + list + tail, 1);
    }
  }
}

// A block is cut into chunks of 256 KiB that the threads take as they
// come [compact-r.3]: however they were shared, the history reads back in
// order, with its lists (each helper's chunk is joined as segments).
TEST(CompactReader, BlocksOfManyChunksReadBackInOrderWhoeverParsedThem) {
  History h;
  for (int64_t i = 0; i < 30000; ++i) {
    std::vector<int64_t> list(static_cast<size_t>(1 + i % 9));
    for (size_t j = 0; j < list.size(); ++j) list[j] = i * 10 + static_cast<int64_t>(j);
    h.ops.push_back(txn_op(i, i % 8, Txn{{MicroKind::kAppend, i % 13, i}, {MicroKind::kRead, i % 7, std::move(list)}}));
  }
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "compact_chunks_test.edn";
  std::ofstream(path) << to_edn(h);
  ASSERT_GT(std::filesystem::file_size(path), size_t{2} << 20);  // 8 chunks and more
  size_t by_helpers = 0;
  for (unsigned threads : {1u, 2u, 3u, 5u}) {
    for (int run = 0; run < 3; ++run) {
      ReadStats stats;
      Result<CompactHistory> c = read_compact_edn_file(path.string(), threads, kBlockBytes, true, &stats);
      ASSERT_TRUE(c.ok()) << c.status().to_string();
      EXPECT_EQ(stats.path, ReadStats::Path::kMapped);
      EXPECT_EQ(c->to_history(), h) << "threads " << threads;
      if (threads == 1) {
        EXPECT_EQ(stats.chunks_by_helpers, 0u);
      }
      by_helpers += stats.chunks_by_helpers;
    }
  }
  // Helpers start within milliseconds and the parse takes several: over
  // nine runs with helpers, some chunks were theirs (so the joins ran).
  if (std::thread::hardware_concurrency() >= 2) {
    EXPECT_GT(by_helpers, 0u);
  }
  std::filesystem::remove(path);
}

// Mapped or read into a buffer, in blocks of any size, a file with a bad
// line gets read_edn_file's error word for word, and an empty file is an
// empty history.
TEST(CompactReader, FileErrorsAreTheGeneralReadersWhateverTheBlocks) {
  std::string text = "; faultline-meta {:workload :list-append}\n";
  for (int i = 0; i < 200; ++i) {
    text += "{:index " + std::to_string(i) + ", :time 1, :type :invoke, :process 0, :f :txn, :value [[:r 1 nil]]}\n";
    if (i == 150) text += "{:index 999, :type :invoke, :value [[:r 1 nil]}\n";  // a bracket short
  }
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "compact_file_error_test.edn";
  std::ofstream(path) << text;
  const Status expected = read_edn_file(path.string()).status();
  ASSERT_FALSE(expected.ok());
  for (size_t block : {size_t{300}, size_t{4096}, size_t{5000}, kBlockBytes}) {
    for (bool map : {true, false}) {
      Result<CompactHistory> c = read_compact_edn_file(path.string(), 2, block, map);
      EXPECT_EQ(c.status().to_string(), expected.to_string()) << "block " << block << " map " << map;
    }
  }
  std::ofstream(path, std::ios::trunc).flush();
  for (bool map : {true, false}) {
    Result<CompactHistory> empty = read_compact_edn_file(path.string(), 2, kBlockBytes, map);
    ASSERT_TRUE(empty.ok()) << empty.status().to_string();
    EXPECT_EQ(empty->size(), 0u);
  }
  std::filesystem::remove(path);
}

// A pipe cannot be measured or read twice: it is read whole, not taken for
// an empty file (it was, before).
TEST(CompactReader, ReadsAPipe) {
  History h;
  for (int64_t i = 0; i < 50; ++i) h.ops.push_back(txn_op(i, 0, Txn{{MicroKind::kAppend, 1, i}}));
  const std::string text = to_edn(h);
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "compact_pipe_test.edn";
  std::filesystem::remove(path);
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  std::thread writer([&] { std::ofstream(path, std::ios::binary) << text; });
  Result<CompactHistory> c = read_compact_edn_file(path.string(), 2);
  writer.join();
  std::filesystem::remove(path);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->to_history(), h);
}

// A block of zero bytes is one byte: no block size stops the reader.
TEST(CompactReader, AZeroBlockSizeStillReads) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "compact_zero_block_test.edn";
  std::ofstream(path) << "{:index 0, :time 1, :type :invoke, :process 0, :f :txn, :value [[:r 1 nil]]}\n";
  Result<CompactHistory> c = read_compact_edn_file(path.string(), 1, 0);
  std::filesystem::remove(path);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->size(), 1u);
}

// [compact.4] on clients of every kind of id: small ones (an array),
// large and negative ones (a set), and keyword processes (not clients).
TEST(CompactHistory, WellFormednessJudgesEveryClient) {
  auto op = [](int64_t index, Process process, OpType type) {
    Op o;
    o.index = index;
    o.type = type;
    o.process = process;
    o.f = "txn";
    o.value = Txn{{MicroKind::kRead, 1, std::vector<int64_t>{}}};
    return o;
  };
  auto judge = [](const std::vector<Op>& ops) {
    History h;
    h.ops = ops;
    Result<CompactHistory> c = CompactHistory::from_history(h);
    EXPECT_TRUE(c.ok());
    return c->check_well_formed().to_string();
  };
  for (int64_t p : {int64_t{0}, int64_t{3}, int64_t{70000}, int64_t{-3}, std::numeric_limits<int64_t>::max()}) {
    const Process client = Process::integer(p);
    const std::string orphan = "op 1 (process " + std::to_string(p) + ", :ok) completes no pending invocation";
    EXPECT_EQ(judge({op(0, client, OpType::kInvoke), op(1, client, OpType::kOk), op(2, client, OpType::kInvoke),
                     op(3, client, OpType::kInfo)}),
              Status::success().to_string())
        << p;
    EXPECT_NE(judge({op(0, Process::integer(p == 0 ? 1 : 0), OpType::kInvoke), op(1, client, OpType::kOk)}).find(orphan),
              std::string::npos)
        << p;
    // A second completion, after other clients' operations.
    const std::string twice = judge({op(0, client, OpType::kInvoke), op(1, Process::integer(p == 5 ? 6 : 5), OpType::kInvoke),
                                     op(2, client, OpType::kOk), op(3, client, OpType::kFail)});
    EXPECT_NE(twice.find("op 3 (process " + std::to_string(p) + ", :fail) completes no pending"), std::string::npos)
        << twice;
    // A duplicate :index is named first, though the orphan comes earlier.
    const std::string both = judge({op(5, client, OpType::kOk), op(7, client, OpType::kInvoke), op(5, client, OpType::kOk)});
    EXPECT_NE(both.find("duplicate :index 5 (operations 1 and 3"), std::string::npos) << both;
  }
  EXPECT_EQ(judge({op(0, Process::keyword("nemesis"), OpType::kInfo), op(1, Process::keyword("nemesis"), OpType::kInfo)}),
            Status::success().to_string());
}

// Joining a chunk with over a million list elements [compact.3]: the
// result is still the two histories, in order, with every list where it
// was.
TEST(CompactHistory, AppendingABigChunkKeepsEveryList) {
  auto chunk = [](int64_t first_index, int64_t ops, int64_t list_length) {
    History h;
    for (int64_t i = 0; i < ops; ++i) {
      std::vector<int64_t> list(static_cast<size_t>(list_length));
      for (int64_t j = 0; j < list_length; ++j) list[static_cast<size_t>(j)] = first_index + i + j;
      Op op;
      op.index = first_index + i;
      op.type = OpType::kOk;
      op.process = Process::integer(i % 3);
      op.f = "txn";
      op.value = Txn{{MicroKind::kRead, i % 11, std::move(list)}, {MicroKind::kAppend, i % 5, first_index + i}};
      h.ops.push_back(std::move(op));
    }
    return h;
  };
  const History first = chunk(0, 10, 7);
  const History second = chunk(10, 2100, 512);  // 1,075,200 elements
  Result<CompactHistory> joined = CompactHistory::from_history(first);
  Result<CompactHistory> tail = CompactHistory::from_history(second);
  ASSERT_TRUE(joined.ok() && tail.ok());
  ASSERT_TRUE(joined->append(std::move(*tail)).ok());
  History expected = first;
  for (const Op& op : second.ops) expected.ops.push_back(op);
  EXPECT_EQ(joined->to_history(), expected);
  EXPECT_EQ(tail->size(), 0u);
}

// [compact.3] Appended chunks keep their lists in segments of their own,
// a chunk's own segments included; building goes on in segment 0 after an
// append; past the segment numbers a micro-op can name, lists are copied.
TEST(CompactHistory, AppendedChunksKeepTheirListsInSegments) {
  auto op_with_list = [](int64_t index, std::vector<int64_t> list) {
    Op op;
    op.index = index;
    op.type = OpType::kOk;
    op.process = Process::integer(index % 3);
    op.f = "txn";
    op.value = Txn{{MicroKind::kRead, index % 7, std::move(list)}, {MicroKind::kAppend, 1, index}};
    return op;
  };
  History expected;
  auto chunk = [&](int64_t first, int64_t ops) {
    History h;
    for (int64_t i = first; i < first + ops; ++i) {
      h.ops.push_back(op_with_list(i, {i, i + 1, i + 2}));
      expected.ops.push_back(h.ops.back());
    }
    Result<CompactHistory> c = CompactHistory::from_history(h);
    EXPECT_TRUE(c.ok());
    return std::move(*c);
  };
  CompactHistory joined = chunk(0, 5);
  CompactHistory middle = chunk(5, 4);
  CompactHistory last = chunk(9, 3);
  ASSERT_TRUE(middle.append(std::move(last)).ok());  // middle now has a segment
  ASSERT_TRUE(joined.append(std::move(middle)).ok());
  ASSERT_TRUE(joined.append(op_with_list(12, {40, 41})).ok());  // into segment 0
  expected.ops.push_back(op_with_list(12, {40, 41}));
  ASSERT_TRUE(joined.append(chunk(13, 2)).ok());
  EXPECT_EQ(joined.to_history(), expected);
  EXPECT_EQ(joined.element_count(), 14u * 3 + 2);

  // Far more chunks than segment numbers: the last ones are copied.
  const int64_t chunks = std::numeric_limits<uint16_t>::max() + 10;
  for (int64_t i = 0; i < chunks; ++i) ASSERT_TRUE(joined.append(chunk(15 + i, 1)).ok());
  EXPECT_EQ(joined.size(), expected.ops.size());
  EXPECT_EQ(joined.element_count(), static_cast<size_t>(14 + chunks) * 3 + 2);
  for (size_t i = 0; i < expected.ops.size(); i += 997) EXPECT_EQ(joined.op(i), expected.ops[i]) << i;
  EXPECT_EQ(joined.op(expected.ops.size() - 1), expected.ops.back());
}

}  // namespace
}  // namespace fl::history
