// Spec -> ChildPlan: every decision and allocation happens here, before the clone.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "berth/runtime/child.hpp"
#include "berth/runtime/spec.hpp"
#include "berth/sys/fd.hpp"

namespace berth::runtime {

// Owns every string and array the plan points to; immutable once built.
class CompiledPlan {
 public:
  ChildPlan plan{};
  const std::vector<MountOp>& mounts() const { return mounts_; }
  // A container with a user namespace of its own, whose root may not walk the store or the
  // run directory: makes the overlay and clones each bind's source now, as berth, and hands
  // them to the child as mount fds (ChildPlan::overlay_fd, MountOp::tree_fd). Call it in a
  // private mount namespace of berth's (the fallback for old kernels mounts and unmounts).
  Result<void> detach_mounts();

 private:
  friend Result<std::unique_ptr<CompiledPlan>> compile(const Spec& spec);
  friend struct PlanBuilder;  // plan.cpp: compile's steps
  const char* keep(std::string s) { return strs_.emplace_back(std::move(s)).c_str(); }
  void op(MountKind k, const char* src, std::string target, const char* fstype, unsigned long flags, const char* data,
          Guard guard = Guard::none);
  std::deque<std::string> strs_;
  std::vector<const char*> lowers_, argv_, envp_;
  std::vector<MountOp> mounts_;
  std::vector<gid_t> groups_;
  std::vector<sock_filter> bpf_;
  std::vector<sys::UniqueFd> fds_;  // detach_mounts'
};

Result<std::unique_ptr<CompiledPlan>> compile(const Spec& spec);

// Words for a child's failure report, using the plan that produced it.
Error describe_failure(const Spec& spec, const CompiledPlan& plan, const ChildReport& r);

}  // namespace berth::runtime
