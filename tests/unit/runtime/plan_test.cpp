#include <catch2/catch.hpp>

#include "berth/runtime/plan.hpp"
#include "berth/runtime/seccomp.hpp"

#include <sys/resource.h>

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

TEST_CASE("seccomp: Docker-format profiles compile, bad ones are refused") {
  auto ok = compile_profile(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,
    "syscalls":[{"names":["read","write","exit_group","no_such_call"],"action":"SCMP_ACT_ALLOW"},
                {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]},
                {"names":["ptrace"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_PTRACE"]}}]})",
                            default_caps());
  REQUIRE(ok);
  CHECK(ok->size() > 5);
  CHECK_FALSE(compile_profile("[]", 0));
  CHECK_FALSE(compile_profile("{", 0));
  CHECK_FALSE(compile_profile(R"({"defaultAction":"SCMP_ACT_WHAT"})", 0));
  CHECK_FALSE(compile_profile(
      R"({"syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":9,"op":"SCMP_CMP_EQ"}]}]})", 0));
  CHECK_FALSE(compile_profile(
      R"({"syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"op":"LIKE"}]}]})", 0));
}

TEST_CASE("ulimits: names, numbers, soft <= hard") {
  auto u = parse_ulimit("nofile=100:200");
  REQUIRE(u);
  CHECK(u->soft == 100);
  CHECK(u->hard == 200);
  CHECK(parse_ulimit("core=-1")->soft == RLIM_INFINITY);
  CHECK_FALSE(parse_ulimit("bogus=1"));
  CHECK_FALSE(parse_ulimit("nofile"));
  CHECK_FALSE(parse_ulimit("nofile=2:1"));
  CHECK_FALSE(parse_ulimit("nofile=x"));
}
