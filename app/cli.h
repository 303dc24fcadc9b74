// The headless commands of SPEC section 3: they need no display and no Qt.
#pragma once

namespace nscli {

// True if argv[1] names a headless command.
bool is_command(int argc, char** argv);
// Runs it; returns the exit status (0 done, 2 input refused, 1 anything else).
int run_command(int argc, char** argv);
// For the window: 0 if the arguments are fine, else prints why and returns the exit status.
int check_window_arguments(int argc, char** argv);
void print_help();
void print_version();

}  // namespace nscli
