#include "app/cli.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>

#include "engine/config.h"
#include "engine/parallel.h"
#include "engine/probe.h"
#include "engine/report.h"
#include "engine/safetensors.h"

namespace nscli {

namespace {

constexpr int kDone = 0, kFailed = 1, kRefused = 2;

struct UsageError {
    std::string message;
};

struct Args {
    std::string command, experiment, out;
    int threads = 0;
};

int parse_int(const std::string& opt, const char* value, int lo, int hi) {
    try {
        std::size_t used = 0;
        const long v = std::stol(value, &used);
        if (used != std::strlen(value) || v < lo || v > hi) throw std::out_of_range(opt);
        return static_cast<int>(v);
    } catch (const std::exception&) {
        throw UsageError{opt + " needs a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                         ", not '" + value + "'"};
    }
}

Args parse(int argc, char** argv) {
    Args a;
    a.command = argv[1];
    for (int i = 2; i < argc; ++i) {
        const std::string s = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) throw UsageError{s + " needs a value"};
            return argv[++i];
        };
        if (s == "--out") a.out = value();
        else if (s == "--threads") a.threads = parse_int("--threads", value(), 1, 256);
        else if (s.size() > 1 && s[0] == '-') throw UsageError{"unknown option " + s};
        else if (a.experiment.empty()) a.experiment = s;
        else throw UsageError{"unexpected argument '" + s + "'"};
    }
    if (a.experiment.empty()) throw UsageError{a.command + " needs an experiment file"};
    if (a.out.empty()) throw UsageError{a.command + " needs --out DIR"};
    return a;
}

int probe(const Args& a) {
    const ns::Experiment e = ns::load_experiment_file(a.experiment);
    const int threads = a.threads > 0 ? a.threads : ns::Parallel::hardware_threads();
    const auto results = ns::run_probe(e, a.out, threads);
    for (const auto& r : results)
        std::fprintf(stderr, "%-16s loss %.4f  gradient norm %.4g  -> %s\n", r.run.c_str(), r.loss, r.grad_norm,
                     r.folder.c_str());
    return kDone;
}

}  // namespace

bool is_command(int argc, char** argv) {
    return argc >= 2 && std::strcmp(argv[1], "probe") == 0;
}

int run_command(int argc, char** argv) {
    const std::string cmd = argv[1];
    try {
        const Args a = parse(argc, argv);
        return probe(a);
    } catch (const UsageError& u) {
        std::fprintf(stderr, "normscope %s: %s\nTry 'normscope --help'.\n", cmd.c_str(), u.message.c_str());
        return kRefused;
    } catch (const ns::ConfigError& e) {
        std::fprintf(stderr, "normscope %s: %s\n", cmd.c_str(), e.what());
        return kRefused;
    } catch (const ns::OutputError& e) {
        std::fprintf(stderr, "normscope %s: %s\n", cmd.c_str(), e.what());
        return kRefused;
    } catch (const ns::SafetensorsError& e) {
        std::fprintf(stderr, "normscope %s: %s\n", cmd.c_str(), e.what());
        return kRefused;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "normscope %s: failed: %s\n", cmd.c_str(), e.what());
        return kFailed;
    }
}

int check_window_arguments(int argc, char** argv) {
    if (argc < 2) return 0;
    const std::string a = argv[1];
    std::error_code ec;
    if (!std::filesystem::exists(a, ec)) {
        const bool json = a.size() > 5 && a.compare(a.size() - 5, 5, ".json") == 0;
        if (json || a.find('/') != std::string::npos)
            std::fprintf(stderr, "normscope: %s: the file does not exist\n", a.c_str());
        else
            std::fprintf(stderr, "normscope: unknown command '%s'\nTry 'normscope --help'.\n", a.c_str());
        return kRefused;
    }
    if (argc > 2) {
        std::fprintf(stderr, "normscope: the window takes one experiment file at most, not '%s'\nTry 'normscope --help'.\n", argv[2]);
        return kRefused;
    }
    return 0;
}

void print_help() {
    std::printf(
        "NormScope %s: see what normalization and residual connections do inside a Transformer.\n"
        "\n"
        "Usage:\n"
        "  normscope [EXPERIMENT.json]          open the window (the built-in Post-LN vs Pre-LN\n"
        "                                       experiment if no file is given)\n"
        "  normscope probe EXPERIMENT.json --out DIR [--threads N]\n"
        "                                       one forward and backward pass at initialisation on\n"
        "                                       the first training batch of every run; writes\n"
        "                                       norm_stats.csv, grad_norms.csv, residual.csv and\n"
        "                                       weights/grads/batch.safetensors to DIR/<run>/\n"
        "  normscope --help                     this text\n"
        "  normscope --version                  the version\n"
        "\n"
        "Exit status: 0 done, 2 the input was refused (the message names the file, the field and\n"
        "the reason), 1 anything else went wrong.\n",
        NORMSCOPE_VERSION);
}

void print_version() { std::printf("normscope %s\n", NORMSCOPE_VERSION); }

}  // namespace nscli
