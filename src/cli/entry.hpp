// berth's entry point below main.cpp (which only catches what escapes it).
#pragma once

namespace berth::cli {

// Runs berth with these arguments (or the Quadlet generator, called by that name); returns
// the process's exit code.
int main(int argc, char** argv);

}  // namespace berth::cli
