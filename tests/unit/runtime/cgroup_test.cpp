// The files and values a container's limits become in each kind of hierarchy. This host's
// kernel has its memory, pids and cpu controllers in v1 hierarchies, so a cgroup v2 with those
// controllers cannot be made here: the v2 layout is checked on a directory laid out as cgroupfs
// shows it (the v1 path and the v2 fallback run for real in tests/system/045-run-flags.bats).
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "berth/runtime/cgroup.hpp"

using namespace berth;
using namespace berth::runtime;
namespace fs = std::filesystem;

namespace {

struct Tree {
  fs::path root;
  Tree() {
    char t[] = "/tmp/berth-cgroup-test.XXXXXX";
    root = ::mkdtemp(t);
  }
  ~Tree() { fs::remove_all(root); }
  void put(const fs::path& rel, const std::string& text) const {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << text;
  }
  std::string get(const fs::path& rel) const {
    std::ifstream in(root / rel);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

}  // namespace

TEST_CASE("cgroup v2: berth/NAME, controllers enabled on the way, memory.max, pids.max, cpu.max") {
  Tree t;
  t.put("cgroup.controllers", "cpuset cpu io memory pids\n");
  t.put("cgroup.subtree_control", "");
  // cgroupfs makes a new cgroup's interface files itself; here they are made ahead of time
  for (const char* f : {"cgroup.subtree_control", "memory.max", "pids.max", "cpu.max", "cgroup.procs"})
    t.put(fs::path("berth/berth-c1") / f, "");
  t.put("berth/cgroup.subtree_control", "");
  CgroupMounts m;
  m.v2 = t.root;
  CgroupLimits l;
  l.memory = 64 << 20;
  l.pids = 20;
  l.cpus = 0.5;
  Cgroup cg = Cgroup::create_in(m, "berth-c1", l);
  REQUIRE(cg.dirs() == std::vector<std::string>{(t.root / "berth/berth-c1").string()});
  CHECK(t.get("berth/berth-c1/memory.max") == "67108864");
  CHECK(t.get("berth/berth-c1/pids.max") == "20");
  CHECK(t.get("berth/berth-c1/cpu.max") == "50000 100000");
  // each controller was enabled in the root's and berth/'s subtree_control (the last write stays)
  CHECK(t.get("cgroup.subtree_control") == "+cpu");
  CHECK(t.get("berth/cgroup.subtree_control") == "+cpu");
  cg.add(4242);
  CHECK(t.get("berth/berth-c1/cgroup.procs") == "4242");
}

TEST_CASE("cgroup v2: an unlimited pids limit is \"max\"; a controller v2 lacks is left out") {
  Tree t;
  t.put("cgroup.controllers", "pids\n");
  t.put("berth/berth-c2/pids.max", "");
  CgroupMounts m;
  m.v2 = t.root;
  CgroupLimits l;
  l.pids = -1;
  l.memory = 64 << 20;  // not in cgroup.controllers: one warning, no limit
  Cgroup cg = Cgroup::create_in(m, "berth-c2", l);
  REQUIRE(cg.dirs().size() == 1);
  CHECK(t.get("berth/berth-c2/pids.max") == "max");
  CHECK_FALSE(fs::exists(t.root / "berth/berth-c2/memory.max"));
}

TEST_CASE("cgroup v1: each controller's own hierarchy wins over v2, with v1's file names") {
  Tree t;
  t.put("unified/cgroup.controllers", "memory pids cpu\n");
  for (const char* f : {"memory/berth/berth-c3/memory.limit_in_bytes", "cpu,cpuacct/berth/berth-c3/cpu.cfs_period_us",
                        "cpu,cpuacct/berth/berth-c3/cpu.cfs_quota_us"})
    t.put(f, "");
  CgroupMounts m;
  m.v2 = t.root / "unified";
  m.v1 = {{"rw,memory", t.root / "memory"}, {"rw,cpu,cpuacct", t.root / "cpu,cpuacct"}};
  CgroupLimits l;
  l.memory = 8 << 20;
  l.cpus = 1.25;
  Cgroup cg = Cgroup::create_in(m, "berth-c3", l);
  CHECK(cg.dirs().size() == 2);
  CHECK(t.get("memory/berth/berth-c3/memory.limit_in_bytes") == "8388608");
  CHECK(t.get("cpu,cpuacct/berth/berth-c3/cpu.cfs_quota_us") == "125000");
  CHECK(t.get("cpu,cpuacct/berth/berth-c3/cpu.cfs_period_us") == "100000");
  CHECK_FALSE(fs::exists(t.root / "unified/berth"));
  cg.remove();  // rmdir of directories that still hold files: cgroupfs would allow it, a real dir not
}

TEST_CASE("cgroup mounts: this host's hierarchies are found") {
  CgroupMounts m = CgroupMounts::host();
  struct stat st;
  CHECK((!m.v2.empty() || !m.v1.empty()));
  if (!m.v2.empty()) CHECK(::stat((m.v2 + "/cgroup.controllers").c_str(), &st) == 0);
  for (const auto& [opts, point] : m.v1) CHECK(::stat(point.c_str(), &st) == 0);
}

TEST_CASE("cgroup stats: memory.stat and cpu.stat lines, block I/O in v1 and v2 forms, limits") {
  auto m = parse_keyed("cache 4096\ntotal_inactive_file 8192\nbad line here\nrss x\n");
  CHECK(m["cache"] == 4096);
  CHECK(m["total_inactive_file"] == 8192);
  CHECK(m.count("rss") == 0);
  CHECK(parse_block_io("8:0 Read 4096\n8:0 Write 512\n8:0 Sync 9\n8:16 Read 4\nTotal 4612\n") ==
        std::pair<std::uint64_t, std::uint64_t>{4100, 512});
  CHECK(parse_block_io("8:0 rbytes=4096 wbytes=100 rios=1 wios=1\n259:0 rbytes=1 wbytes=2\n") ==
        std::pair<std::uint64_t, std::uint64_t>{4097, 102});
  CHECK(parse_block_io("") == std::pair<std::uint64_t, std::uint64_t>{0, 0});
  CHECK_FALSE(parse_memory_limit("max\n"));
  CHECK_FALSE(parse_memory_limit("9223372036854771712\n"));  // v1's "no limit"
  CHECK(parse_memory_limit("67108864\n") == 67108864);
  CHECK_FALSE(parse_memory_limit(""));
}

TEST_CASE("cgroup: a process in no berth cgroup has none to freeze") {
  CHECK(berth_cgroup_of(::getpid(), "freezer").empty());
  CHECK_FALSE(freeze_cgroup_of(::getpid(), true));
  CHECK_FALSE(cgroup_frozen(::getpid()));
}
