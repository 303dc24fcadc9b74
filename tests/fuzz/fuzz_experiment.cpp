// libFuzzer target: the experiment parser and validator on arbitrary bytes. Any input must give
// an Experiment or a ConfigError naming a field, never a crash, a hang or another exception;
// an accepted experiment must survive to_json and parse again to the same JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const ns::Experiment e = ns::parse_experiment_text(text);
        const nlohmann::json j = ns::to_json(e);
        const ns::Experiment again = ns::parse_experiment(j);
        if (ns::to_json(again) != j) std::abort();  // a resolved experiment reads back as itself
        (void)ns::estimate_training_bytes(e.runs.empty() ? e.model : e.runs[0].model,
                                          e.runs.empty() ? e.train : e.runs[0].train);
    } catch (const ns::ConfigError& err) {
        if (std::string(err.what()).empty()) std::abort();
    }
    return 0;
}
