#include "app/cli.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>

#include "engine/config.h"
#include "engine/parallel.h"
#include "engine/probe.h"
#include "engine/run_writer.h"
#include "engine/trainer.h"
#include "engine/report.h"
#include "engine/safetensors.h"
#include "engine/session.h"

namespace nscli {

namespace {

constexpr int kDone = 0, kFailed = 1, kRefused = 2;

struct UsageError {
    std::string message;
};

struct Args {
    std::string command, experiment, out, init;
    int threads = 0;
    long steps = -1;
    bool quiet = false;
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
        else if (s == "--init") a.init = value();
        else if (s == "--threads") a.threads = parse_int("--threads", value(), 1, 256);
        else if (s == "--steps" && a.command == "train") a.steps = parse_int("--steps", value(), 0, 100000000);
        else if (s == "--quiet" && a.command == "train") a.quiet = true;
        else if (s.size() > 1 && s[0] == '-') throw UsageError{"unknown option " + s};
        else if (a.experiment.empty()) a.experiment = s;
        else throw UsageError{"unexpected argument '" + s + "'"};
    }
    if (a.experiment.empty()) throw UsageError{a.command + " needs an experiment file"};
    if (a.out.empty()) throw UsageError{a.command + " needs --out DIR"};
    return a;
}

int probe(const Args& a) {
    const ns::Experiment e = ns::load_experiment_checked(a.experiment);
    const int threads = a.threads > 0 ? a.threads : ns::Parallel::hardware_threads();
    const std::vector<ns::Tensor> init = a.init.empty() ? std::vector<ns::Tensor>{} : ns::read_safetensors(a.init);
    const auto results = ns::run_probe(e, a.out, threads, init, a.init);
    for (const auto& r : results)
        std::fprintf(stderr, "%-16s loss %.4f  gradient norm %.4g  -> %s\n", r.run.c_str(), r.loss, r.grad_norm,
                     r.folder.c_str());
    return kDone;
}

// Writes the files and, unless quiet, shows each run's progress on standard error.
class Progress : public ns::TrainerSink {
public:
    Progress(ns::RunWriter& writer, const ns::Trainer& t, bool quiet) : writer_(writer), trainer_(t), quiet_(quiet) {
        last_.resize(t.num_runs());
        start_ = last_print_ = Clock::now();
    }
    void on_metrics(int run, const ns::StepMetrics& m) override {
        writer_.on_metrics(run, m);
        last_[run] = m;
        if (!quiet_ && run == trainer_.num_runs() - 1) maybe_print(false);
    }
    void on_probe(int run, const ns::ProbeSnapshot& p) override { writer_.on_probe(run, p); }
    void on_step_done(long step) override { writer_.on_step_done(step); }
    void on_diverged(int run, long step, const std::string& cause) override {
        writer_.on_diverged(run, step, cause);
        if (!quiet_)
            std::fprintf(stderr, "%s: diverged at step %ld: %s\n", trainer_.experiment().runs[run].name.c_str(), step,
                         cause.c_str());
    }
    void maybe_print(bool force) {
        const auto now = Clock::now();
        if (!force && now - last_print_ < std::chrono::milliseconds(1000)) return;
        last_print_ = now;
        const double secs = std::chrono::duration<double>(now - start_).count();
        const long step = trainer_.current_step(), total = trainer_.total_steps();
        const double rate = secs > 0 ? step / secs : 0.0;
        const double eta = rate > 0 ? (total - step) / rate : 0.0;
        for (int i = 0; i < trainer_.num_runs(); ++i) {
            const auto st = trainer_.status(i);
            const auto& m = last_[i];
            if (st.diverged)
                std::fprintf(stderr, "  %-20s diverged at step %ld (%s)\n", trainer_.experiment().runs[i].name.c_str(),
                             st.diverged_step, st.cause.c_str());
            else
                std::fprintf(stderr, "  %-20s step %5ld/%ld  loss %8.4f  acc %5.1f%%  %6.1f steps/s  ETA %4.0f s\n",
                             trainer_.experiment().runs[i].name.c_str(), st.step, static_cast<long>(trainer_.experiment().runs[i].train.steps),
                             m.train_loss, 100.0 * m.train_acc, rate, eta);
        }
    }

private:
    using Clock = std::chrono::steady_clock;
    ns::RunWriter& writer_;
    const ns::Trainer& trainer_;
    bool quiet_;
    std::vector<ns::StepMetrics> last_;
    Clock::time_point start_, last_print_;
};

int train(const Args& a) {
    ns::Experiment e = ns::load_experiment_checked(a.experiment);
    if (a.steps >= 0) {
        e.train.steps = static_cast<int>(a.steps);
        for (auto& r : e.runs) r.train.steps = static_cast<int>(a.steps);
    }
    const int threads = a.threads > 0 ? a.threads : ns::Parallel::hardware_threads();
    ns::Trainer trainer(e, threads);
    if (!a.init.empty()) trainer.set_initial_weights(ns::read_safetensors(a.init), a.init);
    ns::RunWriter writer(e, a.out);
    // Registered while it trains: if this process is killed, the window offers its results
    // (saved every 5 seconds) on its next start.
    std::string names;
    for (const auto& r : e.runs) {
        if (!names.empty()) names += ", ";
        names += r.name;
    }
    ns::Session session("train", a.out, a.experiment, names);
    if (!session.registered() && !a.quiet)
        std::fprintf(stderr, "normscope train: not registered for restore (%s)\n", session.error().c_str());
    writer.set_session(&session, trainer.total_steps());
    Progress progress(writer, trainer, a.quiet);
    trainer.set_sink(&progress);
    const auto t0 = std::chrono::steady_clock::now();
    trainer.run();
    writer.finish(trainer);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!a.quiet) {
        progress.maybe_print(true);
        const long steps = trainer.current_step();
        std::fprintf(stderr, "Trained %d run(s), %ld step%s, in %.1f s. Files in %s/\n", trainer.num_runs(), steps,
                     steps == 1 ? "" : "s", secs, a.out.c_str());
    }
    return kDone;
}

std::string experiment_arg(int argc, char** argv) {
    for (int i = 2; i < argc; ++i) {
        const std::string s = argv[i];
        if (s == "--out" || s == "--threads" || s == "--steps" || s == "--init") { ++i; continue; }
        if (!s.empty() && s[0] != '-') return s;
    }
    return {};
}

}  // namespace

bool is_command(int argc, char** argv) {
    return argc >= 2 && (std::strcmp(argv[1], "probe") == 0 || std::strcmp(argv[1], "train") == 0);
}

int run_command(int argc, char** argv) {
    const std::string cmd = argv[1];
    try {
        const Args a = parse(argc, argv);
        return a.command == "train" ? train(a) : probe(a);
    } catch (const UsageError& u) {
        std::fprintf(stderr, "normscope %s: %s\nTry 'normscope --help'.\n", cmd.c_str(), u.message.c_str());
        return kRefused;
    } catch (const ns::ConfigError& e) {
        // Errors found after loading (a run's data) name the experiment file too.
        const std::string file = e.file().empty() && argc > 2 ? experiment_arg(argc, argv) : e.file();
        const ns::ConfigError named(file, e.field(), e.reason());
        std::fprintf(stderr, "normscope %s: %s\n", cmd.c_str(), named.what());
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
        "  normscope train EXPERIMENT.json --out DIR [--threads N] [--steps N] [--init W] [--quiet]\n"
        "                                       train every run headless; writes metrics.csv,\n"
        "                                       norm_stats.csv, grad_norms.csv, residual.csv and the\n"
        "                                       final weights.safetensors to DIR/<run>/, progress on\n"
        "                                       standard error (--quiet silences it)\n"
        "  normscope probe EXPERIMENT.json --out DIR [--threads N] [--init W]\n"
        "                                       one forward and backward pass at initialisation on\n"
        "                                       the first training batch of every run; writes\n"
        "                                       norm_stats.csv, grad_norms.csv, residual.csv and\n"
        "                                       weights/grads/batch.safetensors to DIR/<run>/\n"
        "  normscope render DIR --out DIR2 [--format png,svg,pdf] [--scale S]\n"
        "                                       draw every chart of a train or probe result in DIR\n"
        "                                       without a display (PNG at S times, default 2)\n"
        "  --init W (train, probe)              start from the weights in W.safetensors instead of\n"
        "                                       the seed: a weights.safetensors of train or probe,\n"
        "                                       or a PyTorch state_dict with SPEC section 5 names\n"
        "  normscope --help                     this text\n"
        "  normscope --version                  the version\n"
        "\n"
        "Exit status: 0 done, 2 the input was refused (the message names the file, the field and\n"
        "the reason), 1 anything else went wrong.\n",
        NORMSCOPE_VERSION);
}

void print_version() { std::printf("normscope %s\n", NORMSCOPE_VERSION); }

}  // namespace nscli
