// libFuzzer target: the fault-plan parser must reject any input with a
// Status, never crash, hang or abort; what it accepts must round-trip.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "faultvfs/fault_plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto plan = fl::faultvfs::parse_fault_plan(text);
  if (!plan.ok()) {
    FL_ASSERT(plan.status().code() == fl::Code::kInvalidArgument);
    return 0;
  }
  auto again = fl::faultvfs::parse_fault_plan(fl::faultvfs::to_json(*plan));
  FL_ASSERT(again.ok());
  FL_ASSERT(*again == *plan);
  return 0;
}
