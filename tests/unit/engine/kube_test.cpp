#include <catch2/catch.hpp>

#include "berth/engine/kube.hpp"

using namespace berth;
using namespace berth::engine;

TEST_CASE("kube: quantities in and out") {
  CHECK(detail::kube_bytes("64Mi") == 64LL << 20);
  CHECK(detail::kube_bytes("1G") == 1000000000LL);
  CHECK(detail::kube_bytes(Json(4096)) == 4096);
  CHECK(detail::kube_bytes("1.5Ki") == 1536);
  CHECK(!detail::kube_bytes("lots"));
  CHECK(!detail::kube_bytes("-1Mi"));
  CHECK(detail::kube_cpus("500m") == 0.5);
  CHECK(detail::kube_cpus(Json(2)) == 2.0);
  CHECK(!detail::kube_cpus("fast"));
  CHECK(detail::kube_bytes_text(64LL << 20) == "64Mi");
  CHECK(detail::kube_bytes_text(3LL << 30) == "3Gi");
  CHECK(detail::kube_bytes_text(1000) == "1000");
  CHECK(detail::kube_cpus_text(0.5) == "500m");
  CHECK(detail::kube_cpus_text(2) == "2");
}

TEST_CASE("kube: argv split into command and args against the image") {
  using V = std::vector<std::string>;
  auto same = detail::kube_command({"/ep", "x"}, {"/ep"}, {"x"});
  CHECK(same.first.empty());
  CHECK(same.second.empty());
  auto args = detail::kube_command({"/ep", "y", "z"}, {"/ep"}, {"x"});
  CHECK(args.first.empty());
  CHECK(args.second == V{"y", "z"});
  auto cmd = detail::kube_command({"sh", "-c", "true"}, {}, {"/bin/sh"});
  CHECK(cmd.first == V{"sh", "-c", "true"});
  CHECK(cmd.second.empty());
}

TEST_CASE("kube: names for volumes are DNS labels") {
  CHECK(detail::kube_name("/srv/My_Data") == "srv-my-data");
  CHECK(detail::kube_name("___") == "vol");
  CHECK(detail::kube_name(std::string(80, 'a')).size() == 50);
}
