// tests/workloads/forwarding_engine.h: an Engine that passes every call to
// another, for test engines that watch or change only a few of them.
#pragma once

#include <memory>
#include <string_view>
#include <utility>

#include "workloads/client.h"

namespace fl::workloads::testing {

class ForwardingEngine : public Engine {
 public:
  explicit ForwardingEngine(std::unique_ptr<Engine> inner) : inner_(std::move(inner)) {}
  Status open(faultvfs::Vfs& vfs, std::string_view dir) override { return inner_->open(vfs, dir); }
  Status check_integrity() override { return inner_->check_integrity(); }
  std::unique_ptr<Session> session() override { return inner_->session(); }
  Result<bool> maintenance_step() override { return inner_->maintenance_step(); }
  void kill() override { inner_->kill(); }
  bool needs_restart() const override { return inner_->needs_restart(); }
  Status close() override { return inner_->close(); }
  EngineClaims claims() const override { return inner_->claims(); }

 private:
  std::unique_ptr<Engine> inner_;
};

}  // namespace fl::workloads::testing
