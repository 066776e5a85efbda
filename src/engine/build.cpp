// berth build: stages in order (only those the target needs), each instruction applied to an
// image config in memory; RUN is a container of berth's own, committed; COPY and ADD write a
// directory that becomes a layer (build_copy.cpp). Each layer step and each stage's end is
// cached under a key chained from the base image's id and every instruction since.
#include "berth/engine/build.hpp"
#include "berth/sys/tempdir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

#include "berth/core/containerfile.hpp"
#include "berth/core/humanize.hpp"
#include "berth/core/log.hpp"
#include "berth/core/path.hpp"
#include "berth/core/reference.hpp"
#include "berth/core/strings.hpp"
#include "berth/engine/changes.hpp"
#include "berth/engine/images.hpp"
#include "berth/engine/resolve.hpp"
#include "berth/engine/run.hpp"
#include "berth/image/commit.hpp"
#include "berth/image/config.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/process.hpp"
#include "build_internal.hpp"

namespace berth::engine {

namespace cf = containerfile;

namespace {

constexpr size_t kMaxConfig = 16 << 20;

struct StageDef {
  std::string name;  // AS name, lower case; empty: none
  const cf::Instruction* from = nullptr;
  std::vector<const cf::Instruction*> steps;
  std::string base;  // FROM's image, expanded (a stage name, "scratch" or an image)
  int base_stage = -1;
  std::set<int> deps;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

struct Builder {
  Builder(Context& ctx, const BuildOptions& opts, std::FILE* o_) : c(ctx), o(opts), out(o_) {}
  Context& c;
  const BuildOptions& o;
  std::FILE* out;
  cf::File file;
  std::string fname;
  std::map<std::string, std::string> build_args;
  std::set<std::string> used_args;
  std::map<std::string, std::optional<std::string>> global_args;
  std::vector<StageDef> stages;
  std::vector<std::optional<StageState>> done;
  cf::IgnoreRules ignore;
  int total_stages = 0;
  std::map<size_t, int> stage_no;  // "[N/T]": a needed stage's place among them
  BuildResult result;
  Digest last_arrow;  // "--> ID" once per image

  // --- set-up ---

  Result<void> read_build_args() {
    for (const auto& f : o.build_arg_files) {
      auto text = TRY(context(sys::read_host_file(f, 1 << 20), "--build-arg-file " + f));
      for (const auto& line : split(text, '\n')) {
        std::string_view l = trim(line);
        if (l.empty() || l.starts_with('#')) continue;
        TRY(add_build_arg(std::string(l)));
      }
    }
    for (const auto& a : o.build_args) TRY(add_build_arg(a));
    return {};
  }

  Result<void> add_build_arg(const std::string& a) {
    auto eq = a.find('=');
    if (eq == 0) return fail(Errc::usage, "invalid --build-arg \"{}\": a name is needed", a);
    if (eq != std::string::npos) {
      build_args[a.substr(0, eq)] = a.substr(eq + 1);
    } else if (const char* v = std::getenv(a.c_str())) {
      build_args[a] = v;
    }
    return {};
  }

  Result<void> plan() {
    std::vector<const cf::Instruction*> before;
    for (const auto& in : file.instructions) {
      if (in.keyword == "FROM") {
        stages.push_back(StageDef{});
        stages.back().from = &in;
        continue;
      }
      if (stages.empty()) {
        if (in.keyword != "ARG")
          return fail(Errc::usage, "{}:{}: {} before FROM: only ARG may come first", fname, in.line, in.keyword);
        for (auto& [k, v] : TRY(cf::pairs(in.args, nullptr, file.escape, false))) {
          auto b = build_args.find(k);
          global_args[k] = b != build_args.end() ? std::optional(b->second) : v;
          if (b != build_args.end()) used_args.insert(k);
        }
        continue;
      }
      stages.back().steps.push_back(&in);
    }
    if (stages.empty()) return fail(Errc::usage, "{}: no FROM instruction", fname);
    cf::Lookup globals = [this](std::string_view k) -> std::optional<std::string> {
      auto it = global_args.find(std::string(k));
      return it == global_args.end() ? std::nullopt : it->second;
    };
    for (size_t i = 0; i < stages.size(); i++) TRY(plan_stage(i, globals));
    return {};
  }

  Result<void> plan_stage(size_t i, const cf::Lookup& globals) {
    StageDef& s = stages[i];
    auto w = TRY(cf::words(s.from->args, &globals, file.escape));
    if (w.empty()) return fail(Errc::usage, "{}:{}: FROM needs an image", fname, s.from->line);
    if (w.size() == 3 && lower(w[1]) == "as")
      s.name = lower(w[2]);
    else if (w.size() != 1)
      return fail(Errc::usage, "{}:{}: FROM takes IMAGE [AS NAME]", fname, s.from->line);
    s.base = w[0];
    for (size_t j = 0; j < i; j++)
      if (!stages[j].name.empty() && stages[j].name == lower(s.base)) s.base_stage = static_cast<int>(j);
    if (s.base_stage >= 0) s.deps.insert(s.base_stage);
    for (const auto* in : s.steps) {
      if (in->keyword != "COPY" && in->keyword != "ADD" && in->keyword != "RUN") continue;
      for (const auto& [k, flag] : in->flags) {
        std::string v = flag;
        if (k == "mount") {  // RUN --mount=...,from=NAME
          auto at = flag.find("from=");
          if (at == std::string::npos || (at > 0 && flag[at - 1] != ',')) continue;
          v = flag.substr(at + 5,
                          flag.find(',', at) == std::string::npos ? std::string::npos : flag.find(',', at) - at - 5);
        } else if (k != "from") {
          continue;
        }
        int dep = stage_ref(v, i);
        if (dep == -2) return fail(Errc::usage, "{}:{}: circular dependency detected on stage: {}", fname, in->line, v);
        if (dep >= 0) s.deps.insert(dep);
      }
    }
    return {};
  }

  // A COPY --from value in stage `cur`: an earlier stage's index; -2 for itself or a later
  // stage (a cycle); -1 for an image.
  int stage_ref(const std::string& v, size_t cur) const {
    std::string l = lower(v);
    bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
    for (size_t j = 0; j < stages.size(); j++)
      if ((!stages[j].name.empty() && stages[j].name == l) || (digits && std::stoul(v) == j))
        return j < cur ? static_cast<int>(j) : -2;
    return -1;
  }

  Result<int> target_stage() const {
    if (o.target.empty()) return static_cast<int>(stages.size()) - 1;
    for (size_t j = 0; j < stages.size(); j++)
      if (stages[j].name == lower(o.target)) return static_cast<int>(j);
    return fail(Errc::usage, "the target \"{}\" was not found in the provided Containerfile", o.target);
  }

  // --- running ---

  Result<Digest> run() {
    TRY(read_build_args());
    auto [text, name] = TRY(read_containerfile(o));
    fname = name;
    file = TRY(cf::parse(text, fname));
    TRY(load_ignore());
    TRY(plan());
    int target = TRY(target_stage());
    std::set<int> need;
    std::vector<int> todo = {target};
    while (!todo.empty()) {
      int s = todo.back();
      todo.pop_back();
      if (!need.insert(s).second) continue;
      for (int d : stages[static_cast<size_t>(s)].deps) todo.push_back(d);
    }
    total_stages = static_cast<int>(need.size());
    for (int s : need) stage_no[static_cast<size_t>(s)] = static_cast<int>(stage_no.size()) + 1;
    done.resize(stages.size());
    std::set<int> built;
    while (built.size() < need.size()) {
      // the stages whose dependencies are built: together (--jobs), each in a process of its own
      std::vector<int> wave;
      for (int s : need)
        if (!built.contains(s) &&
            std::ranges::all_of(stages[static_cast<size_t>(s)].deps, [&](int d) { return built.contains(d); }))
          wave.push_back(s);
      if (o.jobs <= 1 || wave.size() == 1) wave.resize(1);
      if (wave.size() > static_cast<size_t>(o.jobs)) wave.resize(static_cast<size_t>(o.jobs));
      if (wave.size() == 1) {
        int s = wave[0];
        auto st = TRY(build_stage(static_cast<size_t>(s), s == target));
        if (result.run_status != 0) return Digest{};
        done[static_cast<size_t>(s)] = std::move(st);
      } else {
        TRY(build_together(wave, target));
        if (result.run_status != 0) return Digest{};
      }
      built.insert(wave.begin(), wave.end());
    }
    Digest final_id = *done[static_cast<size_t>(target)]->image;
    warn_unused_args();
    return final_id;
  }

  // Builds `wave` (stages that need none of each other) at once, one forked process each; each
  // reports its image (or its failure) on a pipe, and the parent takes the results in order.
  Result<void> build_together(const std::vector<int>& wave, int target) {
    std::fflush(out);
    std::vector<std::pair<pid_t, sys::UniqueFd>> kids;
    for (int s : wave) {
      int fds[2];
      if (::pipe2(fds, O_CLOEXEC) != 0) return fail_errno("pipe");
      sys::UniqueFd rd(fds[0]), wr(fds[1]);
      pid_t pid = TRY(sys::clone_process(0));
      if (pid == 0) {
        rd.reset();
        std::string msg;
        auto st = build_stage(static_cast<size_t>(s), s == target);
        if (!st)
          msg = fmt::format("E {} {}", exit_code(st.error().code), st.error().message);
        else if (result.run_status != 0)
          msg = fmt::format("R {} {}", result.run_status, result.failed_step);
        else
          msg = "O " + st->image->str();
        std::fflush(out);
        (void)sys::write_all(wr.get(), msg);
        std::_Exit(0);
      }
      kids.emplace_back(pid, std::move(rd));
    }
    std::optional<Error> first_error;
    for (size_t k = 0; k < kids.size(); k++) {
      std::string msg = sys::read_all(kids[k].second.get(), 1 << 20).value_or("");
      (void)sys::wait_child(kids[k].first);
      auto sp = msg.find(' ');
      std::string kind = msg.substr(0, sp), rest = sp == std::string::npos ? "" : msg.substr(sp + 1);
      if (kind == "O") {
        StageState st;
        TRY(load_image_state(st, TRY(Digest::parse(rest))));
        st.name = stages[static_cast<size_t>(wave[k])].name;
        done[static_cast<size_t>(wave[k])] = std::move(st);
      } else if (kind == "R" && result.run_status == 0) {
        auto sp2 = rest.find(' ');
        result.run_status = std::stoi(rest.substr(0, sp2));
        result.failed_step = sp2 == std::string::npos ? "" : rest.substr(sp2 + 1);
      } else if (kind != "R" && !first_error) {
        auto sp2 = rest.find(' ');
        first_error =
            Error{errc_from_exit_code(kind == "E" ? std::atoi(rest.c_str()) : 125), 0,
                  kind == "E" && sp2 != std::string::npos ? rest.substr(sp2 + 1) : "a build stage's process died"};
      }
    }
    if (first_error) return std::unexpected(*first_error);
    return {};
  }

  // --timestamp: the configs' and history's times and the layers' file times
  image::CommitOptions commit_options() const {
    image::CommitOptions co;
    if (o.timestamp >= 0) {
      co.created = rfc3339_utc(static_cast<std::int64_t>(o.timestamp));
      co.mtime = o.timestamp;
    }
    return co;
  }

  void warn_unused_args() const {
    std::vector<std::string> unused;
    for (const auto& [k, v] : build_args)
      if (!used_args.contains(k) && !kProxyArgs.contains(k)) unused.push_back(k);
    if (!unused.empty()) log::warn("one or more build args were not consumed: [{}]", fmt::join(unused, " "));
  }

  Result<void> load_ignore() {
    auto found =
        TRY(read_first(o.ignorefile, {o.context + "/.containerignore", o.context + "/.dockerignore"}, "--ignorefile"));
    if (found) ignore = cf::IgnoreRules::parse(found->first);
    return {};
  }

  void step_line(size_t stage, int n, int total, const std::string& text) {
    if (o.quiet) return;
    if (total_stages > 1) fmt::print(out, "[{}/{}] ", stage_no[stage], total_stages);
    fmt::print(out, "STEP {}/{}: {}\n", n, total, text);
    std::fflush(out);
  }

  void arrow(const Digest& id, bool cached) {
    if (o.quiet || (!cached && last_arrow == id)) return;
    last_arrow = id;
    if (cached) fmt::print(out, "--> Using cache {}\n", id.hex());
    fmt::print(out, "--> {}\n", id.hex().substr(0, 12));
    std::fflush(out);
  }

  Result<StageState> build_stage(size_t i, bool is_target) {
    const StageDef& def = stages[i];
    int total = static_cast<int>(def.steps.size()) + 1;
    step_line(i, 1, total, def.from->original);
    StageState st = TRY(start_stage(def));
    TRY(run_triggers(st));
    int n = 1;
    for (const auto* in : def.steps) {
      step_line(i, ++n, total, in->original);
      TRY(context(apply(st, *in), fmt::format("{}:{}: {}", fname, in->line, in->keyword)));
      if (result.run_status != 0) return st;
    }
    if (is_target) TRY(apply_final_options(st));
    TRY(finish_stage(st, is_target));
    return st;
  }

  // The platform a stage's FROM image is for: FROM --platform (its ARGs expanded), else the
  // build's --platform; its arch is empty for this machine's.
  Result<PullRequest> stage_platform(const StageDef& def, const StageState& st) {
    PullRequest p = o.pull_base;
    bool given = !p.arch.empty();
    for (const auto& [k, v] : def.from->flags) {
      if (k != "platform") continue;
      cf::Lookup vars = [&](std::string_view n) -> std::optional<std::string> {
        if (auto a = st.platform_args.find(std::string(n)); a != st.platform_args.end()) return a->second;
        if (auto g = global_args.find(std::string(n)); g != global_args.end()) return g->second;
        return std::nullopt;
      };
      TRY(context(parse_platform(TRY(cf::expand(v, &vars, file.escape)), p),
                  fmt::format("{}:{}: FROM --platform", fname, def.from->line)));
      given = true;
    }
    if (!given || (p.os == "linux" && p.arch == image::host_arch() && p.variant.empty())) {
      p.os = "linux";
      p.arch = p.variant = "";
    }
    return p;
  }

  Result<StageState> start_stage(const StageDef& def) {
    StageState st;
    st.name = def.name;
    st.platform_args = platform_args(o.pull_base);
    PullRequest platform = TRY(stage_platform(def, st));
    // the predefined proxy ARGs: in RUN's environment without a declaration, as Docker's
    for (const auto& p : kProxyArgs)
      if (auto b = build_args.find(p); b != build_args.end()) st.args[p] = b->second;
    if (def.base_stage >= 0) {
      const auto& prev = *done[static_cast<size_t>(def.base_stage)];
      st.image = prev.image;
      st.cfg = prev.cfg;
      st.layers = prev.layers;
    } else if (lower(def.base) == "scratch") {
      st.cfg = scratch_config();
    } else {
      TRY(load_image_state(st, TRY(image_of(def.base, &platform))));
    }
    std::string key = "FROM " + (st.image ? st.image->str() : std::string("scratch"));
    if (!platform.arch.empty()) {  // the new image is for that platform, whatever its base's config says
      st.cfg["os"] = platform.os;
      st.cfg["architecture"] = platform.arch;
      if (!platform.variant.empty()) st.cfg["variant"] = platform.variant;
      st.dirty = true;
      key += " " + platform.os + "/" + platform.arch + "/" + platform.variant;
    }
    st.base_layers = st.layers.size();
    st.key = Digest::of(key).hex();
    return st;
  }

  static Json scratch_config() {
    return Json{{"architecture", image::host_arch()},
                {"os", "linux"},
                {"config", Json::object()},
                {"rootfs", {{"type", "layers"}, {"diff_ids", Json::array()}}},
                {"history", Json::array()}};
  }

  Result<void> load_image_state(StageState& st, const Digest& id) {
    st.cfg = TRY(parse_json(TRY(c.store.read_blob(id, kMaxConfig)), "image config"));
    st.layers = TRY(c.store.image(id)).layers;
    st.image = id;
    st.dirty = false;
    if (!st.cfg.contains("history") || !st.cfg["history"].is_array()) st.cfg["history"] = Json::array();
    return {};
  }

  // --- the cache ---

  std::optional<Digest> cache_get(const std::string& key) {
    if (!o.layers || o.no_cache) {
      log::debug("cache: not used ({})", o.no_cache ? "--no-cache" : "--layers=false");
      return std::nullopt;
    }
    auto text = sys::read_file_at(c.store.root(), "build-cache/" + key, 256);
    if (!text) {
      log::debug(
          "cache: no entry for key {} (this instruction, its ARG values, the content it copies or a step "
          "before it differs from every earlier build)",
          key.substr(0, 12));
      return std::nullopt;
    }
    auto id = Digest::parse(trim(*text));
    if (!id || !c.store.image(*id)) {
      log::debug("cache: key {} names image {}, which is gone", key.substr(0, 12), trim(*text));
      return std::nullopt;
    }
    return *id;
  }

  void cache_put(const std::string& key, const Digest& id) {
    if (!o.layers) return;
    if (auto d = sys::ensure_dir(c.store.root(), "build-cache", 0700); !d) return;
    auto dir = sys::open_beneath(c.store.root(), "build-cache", O_RDONLY | O_DIRECTORY);
    if (dir) (void)sys::write_replace(dir->get(), key, id.str() + "\n", 0600);
  }

  void chain(StageState& st, const std::string& what) {
    std::string args;
    for (const auto& [k, v] : st.args)
      if (v) args += k + "=" + *v + "\n";
    st.key = Digest::of(st.key + "\n" + what + "\n" + args).hex();
  }

  // The config as it is now, committed (with no layer) when it changed since the last image.
  Result<Digest> flush(StageState& st) {
    if (st.image && !st.dirty) return *st.image;
    if (auto hit = cache_get(st.key)) {
      TRY(load_image_state(st, *hit));
      return *hit;
    }
    image::CommitOptions co = commit_options();
    auto img = TRY(image::commit_layers(c.store, st.cfg, st.layers, "", co));
    cache_put(st.key, img.id);
    TRY(load_image_state(st, img.id));
    return img.id;
  }

  // A layer step whose key (chained already) is cached: the stage goes on from its image.
  Result<bool> from_cache(StageState& st) {
    auto hit = cache_get(st.key);
    if (!hit) return false;
    TRY(load_image_state(st, *hit));
    arrow(*hit, true);
    return true;
  }

  // The image a layer step starts from: the config so far, committed under a key of its own
  // (derived from the step's, which already covers everything before it).
  Result<Digest> flush_before_step(StageState& st) {
    std::string key = st.key;
    st.key = Digest::of(key + "\nbase").hex();
    auto id = flush(st);
    st.key = key;
    return id;
  }

  // The base image's ONBUILD instructions run first, as Docker's; the new image does not
  // keep them.
  Result<void> run_triggers(StageState& st) {
    Json& cfg = st.cfg["config"];
    if (!cfg.is_object() || !cfg.contains("OnBuild") || !cfg["OnBuild"].is_array() || cfg["OnBuild"].empty()) return {};
    Json triggers = cfg["OnBuild"];
    cfg.erase("OnBuild");
    st.dirty = true;
    if (!o.quiet) fmt::print(out, "# Executing {} build trigger{}\n", triggers.size(), triggers.size() == 1 ? "" : "s");
    for (const auto& t : triggers) {
      if (!t.is_string()) continue;
      auto parsed = TRY(cf::parse(t.get<std::string>(), "ONBUILD"));
      for (const auto& in : parsed.instructions) {
        if (in.keyword == "FROM" || in.keyword == "ONBUILD")
          return fail(Errc::usage, "ONBUILD {}: not allowed as a trigger", in.keyword);
        TRY(context(apply(st, in), "ONBUILD " + in.keyword));
        if (result.run_status != 0) return {};
      }
    }
    return {};
  }

  Result<void> finish_stage(StageState& st, bool is_target) {
    Digest id = TRY(flush(st));
    if (is_target && o.squash_all)
      st.image = id = TRY(squash_all(c, st.cfg, id, commit_options()));
    else if (is_target && o.squash)
      st.image = id = TRY(squash_new(c, id, st.base_layers, commit_options()));
    if (is_target && !o.annotations.empty()) st.image = id = TRY(annotate(c, id, o.annotations, commit_options()));
    if (is_target) TRY(set_manifest_format(c, id, o.format == "docker"));
    if (!is_target) {
      arrow(id, false);
      return {};
    }
    std::vector<std::string> names;
    for (const auto& t : o.tags) names.push_back(TRY(Reference::normalize(t, "localhost")).str());
    if (!o.quiet) fmt::print(out, "COMMIT {}\n", names.empty() ? "" : names[0]);
    arrow(id, false);
    if (!names.empty()) TRY(tag_image(c, id.str(), names));
    if (!o.quiet)
      for (const auto& n : names) fmt::print(out, "Successfully tagged {}\n", n);
    return {};
  }

  Result<void> apply_final_options(StageState& st) {
    if (o.omit_history) {
      st.cfg["history"] = Json::array();
      chain(st, "--omit-history");
      st.dirty = true;
    }
    for (const auto& l : o.labels) {
      auto eq = l.find('=');
      st.cfg["config"]["Labels"][l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
      chain(st, "LABEL " + l);
      st.dirty = true;
    }
    for (const auto& e : o.env) {
      auto eq = e.find('=');
      if (eq == std::string::npos) return fail(Errc::usage, "invalid --env \"{}\": want KEY=VALUE", e);
      set_env(st.cfg, e.substr(0, eq), e.substr(eq + 1));
      chain(st, "ENV " + e);
      st.dirty = true;
    }
    return {};
  }

  Result<void> apply(StageState& st, const cf::Instruction& in);
  Result<void> apply_meta(StageState& st, const cf::Instruction& in, const cf::Lookup& vars);
  Result<void> apply_arg(StageState& st, const cf::Instruction& in);
  Result<void> run_step(StageState& st, const cf::Instruction& in);
  Result<void> copy_step(StageState& st, const cf::Instruction& in, const cf::Lookup& vars);
  Result<Digest> from_image(const std::string& v);  // a stage's image, else image_of
  // pulled as --pull says; for `platform` when given, else for this machine
  Result<Digest> image_of(const std::string& ref, const PullRequest* platform = nullptr);
};

namespace {

void add_history(StageState& st, const std::string& text, const BuildOptions& o) {
  auto when = o.timestamp >= 0 ? o.timestamp : static_cast<long long>(std::time(nullptr));
  st.cfg["history"].push_back(Json{{"created", rfc3339_utc(static_cast<std::int64_t>(when))},
                                   {"created_by", "/bin/sh -c #(nop) " + text},
                                   {"empty_layer", true}});
}

}  // namespace

Result<void> Builder::apply(StageState& st, const cf::Instruction& in) {
  cf::Lookup vars = [&st](std::string_view k) { return st.lookup(k); };
  if (in.keyword == "ARG") return apply_arg(st, in);
  if (in.keyword == "RUN") return run_step(st, in);
  if (in.keyword == "COPY" || in.keyword == "ADD") return copy_step(st, in, vars);
  TRY(apply_meta(st, in, vars));
  chain(st, in.original);
  add_history(st, in.original, o);
  st.dirty = true;
  return {};
}

Result<void> Builder::apply_arg(StageState& st, const cf::Instruction& in) {
  for (auto& [k, v] : TRY(cf::pairs(in.args, nullptr, file.escape, false))) {
    std::optional<std::string> value = v;
    if (auto b = build_args.find(k); b != build_args.end()) {
      value = b->second;
      used_args.insert(k);
    } else if (!value) {
      if (auto g = global_args.find(k); g != global_args.end()) value = g->second;
      if (auto p = st.platform_args.find(k); !value && p != st.platform_args.end()) value = p->second;
    } else {
      cf::Lookup vars = [&st](std::string_view n) { return st.lookup(n); };
      value = TRY(cf::expand(*value, &vars, file.escape));
    }
    st.args[k] = value;
  }
  chain(st, in.original);
  return {};
}

Result<void> Builder::apply_meta(StageState& st, const cf::Instruction& in, const cf::Lookup& vars) {
  Json& cfg = st.cfg["config"];
  if (!cfg.is_object()) cfg = Json::object();
  const std::string& kw = in.keyword;
  char esc = file.escape;
  if (kw == "ENV" || kw == "LABEL") {
    for (auto& [k, v] : TRY(cf::pairs(in.args, &vars, esc, true))) {
      if (!v) return fail(Errc::usage, "{} {}: a value is needed (KEY=VALUE)", kw, k);
      if (kw == "ENV")
        set_env(st.cfg, k, *v);
      else
        cfg["Labels"][k] = *v;
    }
  } else if (kw == "CMD" || kw == "ENTRYPOINT") {
    Json cmd = Json::array();
    if (in.json) {
      for (const auto& a : in.json_args) cmd.push_back(a);
    } else {
      for (const auto& a : st.shell) cmd.push_back(a);
      cmd.push_back(in.args);
    }
    cfg[kw == "CMD" ? "Cmd" : "Entrypoint"] = cmd;
    if (kw == "ENTRYPOINT" && !st.cmd_set_here) cfg.erase("Cmd");  // a new ENTRYPOINT drops the base's CMD
    if (kw == "CMD") st.cmd_set_here = true;
  } else if (kw == "WORKDIR") {
    std::string d = TRY(cf::expand(in.args, &vars, esc));
    if (d.empty()) return fail(Errc::usage, "WORKDIR needs a directory");
    std::string cur = cfg.value("WorkingDir", std::string("/"));
    cfg["WorkingDir"] = clean_path(d.starts_with('/') ? d : cur + "/" + d);
  } else if (kw == "USER") {
    std::string u = TRY(cf::expand(in.args, &vars, esc));
    if (u.empty()) return fail(Errc::usage, "USER needs a user");
    cfg["User"] = u;
  } else if (kw == "EXPOSE") {
    for (const auto& p : TRY(cf::words(in.args, &vars, esc))) TRY(image::apply_change(st.cfg, "EXPOSE " + p));
  } else if (kw == "VOLUME") {
    auto vols = in.json ? in.json_args : TRY(cf::words(in.args, &vars, esc));
    if (vols.empty()) return fail(Errc::usage, "VOLUME needs a path");
    for (const auto& v : vols) cfg["Volumes"][v] = Json::object();
  } else if (kw == "STOPSIGNAL") {
    cfg["StopSignal"] = TRY(cf::expand(in.args, &vars, esc));
  } else if (kw == "HEALTHCHECK" || kw == "ONBUILD") {
    TRY(image::apply_change(st.cfg, kw + " " + in.args));
  } else if (kw == "MAINTAINER") {
    st.cfg["author"] = in.args;
  } else if (kw == "SHELL") {
    if (!in.json || in.json_args.empty())
      return fail(Errc::usage, "SHELL requires the JSON form: [\"executable\", ...]");
    st.shell = in.json_args;
    Json sh = Json::array();
    for (const auto& a : in.json_args) sh.push_back(a);
    cfg["Shell"] = sh;
  } else {
    return fail(Errc::usage, "unknown instruction: {}", kw);
  }
  return {};
}

Result<void> Builder::run_step(StageState& st, const cf::Instruction& in) {
  std::vector<std::string> argv;
  std::string shown;
  if (in.json) {
    argv = in.json_args;
    shown = in.args;
  } else {
    // RUN <<EOF alone: the heredoc is the script; with a command, the shell reads the
    // heredocs itself (RUN python3 <<EOF)
    std::string rest = in.args;
    for (const auto& h : in.heredocs)
      for (const char* form : {"<<-", "<<"})
        for (const char* q : {"\"", "'", ""})
          if (auto at = rest.find(std::string(form) + q + h.name + q); at != std::string::npos)
            rest.erase(at, std::string(form).size() + 2 * std::strlen(q) + h.name.size());
    std::string script;
    if (in.heredocs.size() == 1 && trim(rest).empty()) {
      script = in.heredocs[0].content;
    } else {
      script = in.args;
      for (const auto& h : in.heredocs) script += "\n" + h.content + h.name;
    }
    argv = st.shell;
    argv.push_back(script);
    shown = script;
  }
  auto mounts = TRY(run_mounts(c, o, st, in.flags, [this](const std::string& v) { return from_image(v); }));
  chain(
      st, in.original + [&] {
        std::string h;
        for (const auto& d : in.heredocs) h += "\n" + d.content;
        return h;
      }());
  if (TRY(from_cache(st))) return {};
  Digest base = TRY(flush_before_step(st));
  auto container = TRY(run_step_container(c, o, st, base, argv, mounts));
  if (container.status != 0) {
    remove_step_container(c, container.id);
    result.run_status = container.status;
    result.failed_step = in.original;
    return {};
  }
  Digest img = TRY(commit_step_container(c, container.id, st, "/bin/sh -c " + shown, mounts, commit_options()));
  cache_put(st.key, img);
  TRY(load_image_state(st, img));
  arrow(img, false);
  return {};
}

Result<void> Builder::copy_step(StageState& st, const cf::Instruction& in, const cf::Lookup& vars) {
  CopySpec spec;
  spec.add = in.keyword == "ADD";
  spec.heredocs = in.heredocs;
  std::vector<std::string> w;
  if (in.json)
    for (const auto& a : in.json_args) w.push_back(TRY(cf::expand(a, &vars, file.escape)));
  else
    w = TRY(cf::words(in.args, &vars, file.escape));
  if (w.size() < 2)
    return fail(Errc::usage, "{} requires at least two arguments: a source and a destination", in.keyword);
  spec.dest = w.back();
  w.pop_back();
  spec.sources = std::move(w);
  if (!spec.dest.starts_with('/')) spec.dest = st.workdir() + (st.workdir().ends_with('/') ? "" : "/") + spec.dest;
  std::string flags;
  for (const auto& [k, v] : in.flags) {
    std::string value = TRY(cf::expand(v, &vars, file.escape));
    flags += " --" + k + "=" + value;
    if (k == "chown")
      spec.chown = value;
    else if (k == "chmod")
      spec.chmod = value;
    else if (k == "from")
      spec.from_image = TRY(from_image(value));
    else if (k == "keep-git-dir" && spec.add)
      spec.keep_git_dir = value == "true" || value.empty();
    else if (k != "link")
      return fail(Errc::unsupported, "{} --{} is not supported yet", in.keyword, k);
  }
  auto job = TRY(CopyJob::prepare(c, o, ignore, st, spec, vars));
  chain(st, in.keyword + flags + " " + job.digest() + " " + spec.dest);
  if (TRY(from_cache(st))) return {};
  TRY(flush_before_step(st));
  image::CommitOptions co = commit_options();
  co.created_by = fmt::format("/bin/sh -c #(nop) {}{} {} in {}", in.keyword, flags, job.digest(), spec.dest);
  auto img = TRY(image::commit_layer_from(
      c.store, st.cfg, st.layers, [&](int fd, std::uint64_t* bytes) { return job.write_tar(fd, bytes); }, co));
  cache_put(st.key, img.id);
  TRY(load_image_state(st, img.id));
  arrow(img.id, false);
  return {};
}

Result<Digest> Builder::from_image(const std::string& v) {
  if (int j = stage_ref(v, stages.size()); j >= 0) {
    const auto& st = done[static_cast<size_t>(j)];
    if (!st || !st->image) return fail(Errc::usage, "--from={}: the stage has not been built", v);
    return *st->image;
  }
  return image_of(v);
}

Result<Digest> Builder::image_of(const std::string& ref, const PullRequest* platform) {
  auto policy = TRY(parse_pull_policy(o.pull));
  PullRequest pr = platform ? *platform : o.pull_base;
  pr.quiet = o.quiet;
  auto what = TRY(ensure_image(c, ref, policy, pr));
  return TRY(resolve_image(c.store, TRY(c.store.names()), what)).id;
}

Result<BuildResult> build_image(Context& c, const BuildOptions& given, std::FILE* out) {
  // `build -`: the Containerfile on stdin and an empty context, as podman and docker.
  BuildOptions o = given;
  sys::TempDir empty;
  if (o.context == "-") {
    if (!o.file.empty() && o.file != "-")
      return fail(Errc::usage, "the context is stdin (-): the Containerfile comes from it, not from --file");
    empty = TRY(sys::TempDir::create(c.store.tmp(), "build-stdin-"));
    o.file = "-";
    o.context = fmt::format("/proc/self/fd/{}", empty.fd());
  }
  Builder b{c, o, out};
  auto id = TRY(b.run());
  b.result.id = id;
  if (b.result.run_status == 0) {
    if (!o.iidfile.empty())
      TRY(sys::write_output_file(o.iidfile, [&](int fd) { return sys::write_all(fd, id.str()); }));
    fmt::print(out, "{}\n", id.hex());
  }
  return b.result;
}

}  // namespace berth::engine
