#include <catch2/catch.hpp>

#include "berth/runtime/plan.hpp"
#include "berth/runtime/seccomp.hpp"

using namespace berth;
using namespace berth::runtime;

TEST_CASE("caps: podman's default set and names") {
  CHECK(default_caps() == 0x800405fbULL);
  CHECK(*cap_mask("CAP_NET_RAW") == (1ULL << 13));
  CHECK(*cap_mask("net_raw") == (1ULL << 13));
  CHECK(*cap_mask("all") != 0);
  CHECK_FALSE(cap_mask("bogus"));
}

TEST_CASE("plan: a spec compiles to a plan the child can walk") {
  Spec s;
  s.lowers = {"/s/layers/b/diff", "/s/layers/a/diff"};
  s.layers_dir = "/s/layers";
  s.upper = "/s/c/upper";
  s.work = "/s/c/work";
  s.merged = "/s/c/merged";
  s.argv = {"sh", "-c", "true"};
  s.env = {"PATH=/bin", "A=b"};
  s.caps = default_caps();
  s.masked = default_masked_paths();
  s.readonly_paths = default_readonly_paths();
  auto cp = compile(s);
  REQUIRE(cp);
  const ChildPlan& p = (*cp)->plan;
  CHECK(std::string(p.overlay_data) == "lowerdir=b/diff:a/diff,upperdir=/s/c/upper,workdir=/s/c/work");
  CHECK(p.n_lowers == 2);
  CHECK(std::string(p.argv[0]) == "sh");
  CHECK(p.argv[3] == nullptr);
  CHECK(std::string(p.path_env) == "/bin");
  CHECK(p.seccomp != nullptr);
  CHECK(p.seccomp_len > 10);
  bool has_proc = false, has_kcore_mask = false;
  for (unsigned i = 0; i < p.n_mounts; i++) {
    has_proc |= p.mounts[i].kind == MountKind::mount && std::string(p.mounts[i].target) == "proc";
    has_kcore_mask |= p.mounts[i].kind == MountKind::mask && std::string(p.mounts[i].target) == "proc/kcore";
  }
  CHECK(has_proc);
  CHECK(has_kcore_mask);
  s.privileged = true;
  auto priv = compile(s);
  CHECK((*priv)->plan.seccomp == nullptr);
  s.argv.clear();
  CHECK_FALSE(compile(s));
}

TEST_CASE("plan: failures become podman's exit categories") {
  Spec s;
  s.argv = {"nosuch"};
  auto cp = compile(s);
  REQUIRE(cp);
  CHECK(describe_failure(s, **cp, {Stage::exec, 0, ENOENT}).code == Errc::command_not_found);
  CHECK(describe_failure(s, **cp, {Stage::exec, 0, EACCES}).code == Errc::cannot_invoke);
  CHECK(describe_failure(s, **cp, {Stage::pivot, 0, EINVAL}).code == Errc::system);
  CHECK(!denied_syscalls().empty());
}
