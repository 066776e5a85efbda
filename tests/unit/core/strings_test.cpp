#include <catch2/catch.hpp>

#include "berth/core/strings.hpp"

using namespace berth;

TEST_CASE("strings: edit distance for command suggestions") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("pull", "pull") == 0);
  CHECK(edit_distance("pul", "pull") == 1);
  CHECK(edit_distance("psh", "push") == 1);
  CHECK(edit_distance("stsrt", "start") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("abc", "") == 3);
}
