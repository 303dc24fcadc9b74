// `normscope probe`: one forward and backward pass at initialisation on the first training
// batch of every run, no update; writes SPEC section 4's files.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/config.h"
#include "engine/safetensors.h"

namespace ns {

struct ProbeSummary {
    std::string run;
    std::string folder;
    double loss = 0;
    double grad_norm = 0;
};

// Throws ConfigError (bad data, e.g. a text file) or OutputError (folder not writable).
// `init`: weights to start from instead of the seed (empty: the seed), read from `init_file`.
std::vector<ProbeSummary> run_probe(const Experiment& e, const std::string& out_dir, int threads,
                                    const std::vector<Tensor>& init = {}, const std::string& init_file = "");

}  // namespace ns
