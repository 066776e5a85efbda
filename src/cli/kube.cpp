// kube generate (generate kube), kube play (play kube), kube down.
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>

#include "berth/engine/kube.hpp"
#include "commands.hpp"

namespace berth::cli {

namespace {

void add_kube_generate(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::KubeGenerateOptions>());
  auto file = r.keep(std::make_shared<std::string>());
  sub->add_flag("-s,--service", o->service, "Also generate a Service for the published ports");
  sub->add_option("-t,--type", o->type, "Kind of object to generate: pod or deployment");
  sub->add_option("-r,--replicas", o->replicas, "Replicas of a deployment");
  sub->add_option("-f,--filename", *file, "Write the YAML to this file instead of standard output");
  sub->add_option("names", o->names, "Containers or pods")->required();
  r.on(sub, [o, file](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    std::string text = TRY(engine::kube_generate(c, *o));
    if (file->empty()) {
      fmt::print("{}", text);
      return 0;
    }
    std::ofstream out(*file, std::ios::trunc);
    out << text;
    out.close();
    if (!out) return fail(Errc::system, "write {}", *file);
    return 0;
  });
}

void print_play(const engine::KubePlayReport& rep) {
  for (const auto& v : rep.volumes) fmt::print("Volume:\n{}\n", v);
  for (const auto& p : rep.pods) {
    fmt::print("Pod:\n{}\n", p.id);
    if (!p.containers.empty()) fmt::print("{}:\n", p.containers.size() == 1 ? "Container" : "Containers");
    for (const auto& id : p.containers) fmt::print("{}\n", id);
    fmt::print("\n");
  }
}

void print_down(const engine::KubeDownReport& rep) {
  if (!rep.stopped.empty()) fmt::print("Pods stopped:\n");
  for (const auto& id : rep.stopped) fmt::print("{}\n", id);
  if (!rep.removed.empty()) fmt::print("Pods removed:\n");
  for (const auto& id : rep.removed) fmt::print("{}\n", id);
}

void add_kube_play(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::KubePlayOptions>());
  auto file = r.keep(std::make_shared<std::string>());
  auto down = r.keep(std::make_shared<bool>(false));
  auto start = r.keep(std::make_shared<std::string>("true"));
  sub->add_flag("--down", *down, "Stop and remove the pods the YAML describes");
  sub->add_flag("--replace", o->replace, "Remove pods of the same names first");
  sub->add_option("--start", *start, "Start the pods after creating them (true or false)");
  auto build = r.keep(std::make_shared<std::string>());
  sub->add_flag("--build{true}", *build,
                "Build images from CONTEXT/IMAGE/Containerfile (--build=false: never; default: when missing)");
  sub->add_option("--context-dir", o->context_dir, "Where --build looks for image directories (default: .)");
  sub->add_option("--network,--net", o->network, "Network mode of the pods (as run --network)");
  sub->add_option("--configmap", o->configmaps, "A YAML file of ConfigMaps the pods use")
      ->delimiter(',')
      ->allow_extra_args(false);
  sub->add_option("-p,--publish", o->publish, "Publish a port of every pod ([IP:][HOST:]CTR[/PROTO])")
      ->allow_extra_args(false);
  sub->add_option("file", *file, "Kubernetes YAML file, or - for standard input")->required();
  r.on(sub, [o, file, down, start, build](engine::GlobalOptions& g) -> Result<int> {
    if (*start != "true" && *start != "false")
      return fail(Errc::usage, "invalid --start \"{}\": true or false", *start);
    if (!build->empty() && *build != "true" && *build != "false")
      return fail(Errc::usage, "invalid --build \"{}\": true or false", *build);
    if (!build->empty()) o->build = *build == "true";
    o->start = *start == "true";
    std::string text = TRY(engine::read_kube_input(*file));
    auto c = TRY(engine::open_context(g));
    if (*down) {
      print_down(TRY(engine::kube_down(c, text, *file)));
      return 0;
    }
    print_play(TRY(engine::kube_play(c, *o, text, *file)));
    return 0;
  });
}

void add_kube_down(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto file = r.keep(std::make_shared<std::string>());
  sub->add_option("file", *file, "Kubernetes YAML file, or - for standard input")->required();
  r.on(sub, [file](engine::GlobalOptions& g) -> Result<int> {
    std::string text = TRY(engine::read_kube_input(*file));
    auto c = TRY(engine::open_context(g));
    print_down(TRY(engine::kube_down(c, text, *file)));
    return 0;
  });
}

}  // namespace

void kube_commands(CLI::App& app, CommandTable& r) {
  CLI::App* kube = r.sub(&app, "kube", "Play containers, pods or volumes from a structured file");
  kube->require_subcommand(1);
  add_kube_generate(r, r.sub(kube, "generate", "Generate Kubernetes YAML based on containers or pods"));
  add_kube_play(r, r.sub(kube, "play", "Play a pod or volume based on Kubernetes YAML"));
  add_kube_down(r, r.sub(kube, "down", "Remove pods based on Kubernetes YAML"));
  add_kube_generate(r, r.sub(r.group("generate"), "kube", "Generate Kubernetes YAML based on containers or pods"));
  CLI::App* play = r.sub(&app, "play", "Play containers, pods or volumes from a structured file");
  play->require_subcommand(1);
  add_kube_play(r, r.sub(play, "kube", "Play a pod or volume based on Kubernetes YAML"));
}

}  // namespace berth::cli
