// The experiment file of SPEC section 2: parsing with defaults, per-run overrides, validation,
// and the fully resolved JSON written back out.
#include "engine/config.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <set>
#include <string_view>
#include <utility>

namespace ns {

namespace {

using json = nlohmann::json;

constexpr const char* kFormat = "normscope-experiment";
constexpr int kVersion = 1;
constexpr std::size_t kMaxFileBytes = 16u * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Names of enum values as written in files. One table per enum serves parsing and to_string.

template <class E>
using NameTable = std::initializer_list<std::pair<const char*, E>>;

constexpr NameTable<NormKind> kNormNames = {
    {"layernorm", NormKind::LayerNorm}, {"layernorm_std", NormKind::LayerNormStd},
    {"rmsnorm", NormKind::RMSNorm},     {"batchnorm", NormKind::BatchNorm},
    {"dyt", NormKind::DyT},             {"none", NormKind::None}};
constexpr NameTable<NormPlacement> kPlacementNames = {
    {"post", NormPlacement::Post}, {"pre", NormPlacement::Pre},
    {"sandwich", NormPlacement::Sandwich}, {"deepnorm", NormPlacement::DeepNorm}};
constexpr NameTable<Positional> kPositionalNames = {
    {"sinusoidal", Positional::Sinusoidal}, {"learned", Positional::Learned}, {"none", Positional::None}};
constexpr NameTable<Activation> kActivationNames = {{"relu", Activation::ReLU}, {"gelu", Activation::GELU}};
constexpr NameTable<InitScheme> kInitNames = {{"xavier", InitScheme::Xavier}, {"torch", InitScheme::Torch}};
constexpr NameTable<Task> kTaskNames = {
    {"reverse", Task::Reverse}, {"sort", Task::Sort}, {"copy", Task::Copy},
    {"histogram", Task::Histogram}, {"text", Task::Text}};
constexpr NameTable<Optimizer> kOptimizerNames = {
    {"sgd", Optimizer::SGD}, {"adam", Optimizer::Adam}, {"adamw", Optimizer::AdamW}};
constexpr NameTable<Schedule> kScheduleNames = {
    {"constant", Schedule::Constant}, {"linear", Schedule::Linear},
    {"cosine", Schedule::Cosine}, {"inverse_sqrt", Schedule::InverseSqrt}};
constexpr NameTable<bool> kEmbeddingScaleNames = {{"none", false}, {"sqrt_d", true}};

template <class E>
const char* name_of(NameTable<E> table, E value) {
    for (const auto& [name, v] : table)
        if (v == value) return name;
    return "?";
}

// ---------------------------------------------------------------------------------------------
// Reading typed values. Every failure names the field and says what was expected and found.

[[noreturn]] void fail(const std::string& field, const std::string& reason) {
    throw ConfigError(field, reason);
}

std::string join(const std::string& prefix, const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
}

// Shortest text that reads back as the same double (nlohmann prints round-trip precision).
std::string number_text(double x) {
    if (std::isnan(x)) return "NaN";
    if (std::isinf(x)) return x > 0 ? "infinity" : "-infinity";
    return json(x).dump();
}

std::string describe(const json& v) {
    switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return v.get<bool>() ? "true" : "false";
    case json::value_t::string: {
        std::string s = v.get<std::string>();
        if (s.size() > 40) {
            std::size_t cut = 40;
            while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
            s = s.substr(0, cut) + "...";
        }
        return "the string \"" + s + "\"";
    }
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "the number " + v.dump();
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    default: return "a value of another kind";
    }
}

[[noreturn]] void wrong_type(const std::string& field, const std::string& expected, const json& found) {
    fail(field, "expected " + expected + ", found " + describe(found));
}

int get_int(const json& v, const std::string& field) {
    constexpr auto lo = std::numeric_limits<int>::min();
    constexpr auto hi = std::numeric_limits<int>::max();
    const std::string range = " is out of range (an integer here lies between " + std::to_string(lo) +
                              " and " + std::to_string(hi) + ")";
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(hi)) fail(field, v.dump() + range);
        return static_cast<int>(u);
    }
    if (v.is_number_integer()) {
        const auto i = v.get<std::int64_t>();
        if (i < lo || i > hi) fail(field, v.dump() + range);
        return static_cast<int>(i);
    }
    if (v.is_number_float()) {
        // 2.0 is accepted as 2 (some writers print every number as a float); 2.5 is not.
        const double d = v.get<double>();
        if (!std::isfinite(d) || d != std::floor(d)) wrong_type(field, "an integer", v);
        if (d < static_cast<double>(lo) || d > static_cast<double>(hi)) fail(field, v.dump() + range);
        return static_cast<int>(d);
    }
    wrong_type(field, "an integer", v);
}

std::uint64_t get_seed(const json& v, const std::string& field) {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer()) {
        const auto i = v.get<std::int64_t>();
        if (i < 0) wrong_type(field, "a non-negative integer", v);
        return static_cast<std::uint64_t>(i);
    }
    if (v.is_number_float()) {
        const double d = v.get<double>();
        // 2^64 is exactly representable; everything below it converts without UB.
        if (!std::isfinite(d) || d != std::floor(d) || d < 0) wrong_type(field, "a non-negative integer", v);
        if (d >= 18446744073709551616.0) fail(field, v.dump() + " is out of range (a seed fits in 64 bits)");
        return static_cast<std::uint64_t>(d);
    }
    wrong_type(field, "a non-negative integer", v);
}

double get_double(const json& v, const std::string& field) {
    if (!v.is_number()) wrong_type(field, "a number", v);
    return v.get<double>();
}

bool get_bool(const json& v, const std::string& field) {
    if (!v.is_boolean()) wrong_type(field, "true or false", v);
    return v.get<bool>();
}

std::string get_string(const json& v, const std::string& field) {
    if (!v.is_string()) wrong_type(field, "a string", v);
    return v.get<std::string>();
}

template <class E>
std::string allowed_list(NameTable<E> table) {
    std::string list;
    for (const auto& [name, value] : table) {
        (void)value;
        if (!list.empty()) list += ", ";
        list += name;
    }
    return list;
}

template <class E>
E get_enum(const json& v, const std::string& field, NameTable<E> table) {
    if (!v.is_string()) wrong_type(field, "one of " + allowed_list(table), v);
    const std::string s = v.get<std::string>();
    for (const auto& [name, value] : table)
        if (s == name) return value;
    fail(field, "unknown value \"" + s + "\"; allowed values: " + allowed_list(table));
}

std::optional<bool> get_final_norm(const json& v, const std::string& field) {
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_string()) {
        if (v.get<std::string>() == "auto") return std::nullopt;
        fail(field, "unknown value \"" + v.get<std::string>() + "\"; allowed values: true, false, \"auto\"");
    }
    wrong_type(field, "true, false or \"auto\"", v);
}

// Edit distance, for "did you mean" on unknown keys.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1u : 0u)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

[[noreturn]] void unknown_key(const std::string& field, const std::string& key,
                              const std::vector<std::string_view>& known) {
    std::string_view best;
    std::size_t best_distance = 3;  // suggest only close misspellings
    for (std::string_view k : known) {
        const std::size_t d = edit_distance(key, k);
        if (d < best_distance) best_distance = d, best = k;
    }
    fail(field, best.empty() ? std::string("unknown key")
                             : "unknown key (did you mean \"" + std::string(best) + "\"?)");
}

// ---------------------------------------------------------------------------------------------
// The keys of "model" and "train": each applies one JSON value to the struct.

template <class Config>
struct KeyRule {
    const char* name;
    void (*apply)(Config&, const json&, const std::string& field);
};

const std::vector<KeyRule<ModelConfig>>& model_rules() {
    using M = ModelConfig;
    static const std::vector<KeyRule<M>> rules = {
        {"layers", [](M& m, const json& v, const std::string& f) { m.layers = get_int(v, f); }},
        {"d_model", [](M& m, const json& v, const std::string& f) { m.d_model = get_int(v, f); }},
        {"heads", [](M& m, const json& v, const std::string& f) { m.heads = get_int(v, f); }},
        {"d_ff", [](M& m, const json& v, const std::string& f) { m.d_ff = get_int(v, f); }},
        {"vocab", [](M& m, const json& v, const std::string& f) { m.vocab = get_int(v, f); }},
        {"max_len", [](M& m, const json& v, const std::string& f) { m.max_len = get_int(v, f); }},
        {"norm", [](M& m, const json& v, const std::string& f) { m.norm = get_enum(v, f, kNormNames); }},
        {"placement",
         [](M& m, const json& v, const std::string& f) { m.placement = get_enum(v, f, kPlacementNames); }},
        {"final_norm", [](M& m, const json& v, const std::string& f) { m.final_norm = get_final_norm(v, f); }},
        {"embedding_norm", [](M& m, const json& v, const std::string& f) { m.embedding_norm = get_bool(v, f); }},
        {"residual", [](M& m, const json& v, const std::string& f) { m.residual = get_bool(v, f); }},
        {"positional",
         [](M& m, const json& v, const std::string& f) { m.positional = get_enum(v, f, kPositionalNames); }},
        {"embedding_scale",
         [](M& m, const json& v, const std::string& f) {
             m.embedding_scale_sqrt_d = get_enum(v, f, kEmbeddingScaleNames);
         }},
        {"activation",
         [](M& m, const json& v, const std::string& f) { m.activation = get_enum(v, f, kActivationNames); }},
        {"eps", [](M& m, const json& v, const std::string& f) { m.eps = get_double(v, f); }},
        {"causal", [](M& m, const json& v, const std::string& f) { m.causal = get_bool(v, f); }},
        {"dropout", [](M& m, const json& v, const std::string& f) { m.dropout = get_double(v, f); }},
        {"init", [](M& m, const json& v, const std::string& f) { m.init = get_enum(v, f, kInitNames); }},
        {"dyt_alpha", [](M& m, const json& v, const std::string& f) { m.dyt_alpha = get_double(v, f); }},
    };
    return rules;
}

const std::vector<KeyRule<TrainConfig>>& train_rules() {
    using T = TrainConfig;
    static const std::vector<KeyRule<T>> rules = {
        {"task", [](T& t, const json& v, const std::string& f) { t.task = get_enum(v, f, kTaskNames); }},
        {"text_file", [](T& t, const json& v, const std::string& f) { t.text_file = get_string(v, f); }},
        {"seq_len", [](T& t, const json& v, const std::string& f) { t.seq_len = get_int(v, f); }},
        {"batch", [](T& t, const json& v, const std::string& f) { t.batch = get_int(v, f); }},
        {"steps", [](T& t, const json& v, const std::string& f) { t.steps = get_int(v, f); }},
        {"seed", [](T& t, const json& v, const std::string& f) { t.seed = get_seed(v, f); }},
        {"optimizer",
         [](T& t, const json& v, const std::string& f) { t.optimizer = get_enum(v, f, kOptimizerNames); }},
        {"lr", [](T& t, const json& v, const std::string& f) { t.lr = get_double(v, f); }},
        {"betas",
         [](T& t, const json& v, const std::string& f) {
             if (!v.is_array()) wrong_type(f, "an array of two numbers", v);
             if (v.size() != 2)
                 fail(f, "expected an array of two numbers, found an array of " + std::to_string(v.size()));
             t.beta1 = get_double(v[0], f + "[0]");
             t.beta2 = get_double(v[1], f + "[1]");
         }},
        {"adam_eps", [](T& t, const json& v, const std::string& f) { t.adam_eps = get_double(v, f); }},
        {"momentum", [](T& t, const json& v, const std::string& f) { t.momentum = get_double(v, f); }},
        {"weight_decay", [](T& t, const json& v, const std::string& f) { t.weight_decay = get_double(v, f); }},
        {"warmup", [](T& t, const json& v, const std::string& f) { t.warmup = get_int(v, f); }},
        {"schedule",
         [](T& t, const json& v, const std::string& f) { t.schedule = get_enum(v, f, kScheduleNames); }},
        {"min_lr_ratio", [](T& t, const json& v, const std::string& f) { t.min_lr_ratio = get_double(v, f); }},
        {"clip", [](T& t, const json& v, const std::string& f) { t.clip = get_double(v, f); }},
        {"eval_every", [](T& t, const json& v, const std::string& f) { t.eval_every = get_int(v, f); }},
        {"probe_every", [](T& t, const json& v, const std::string& f) { t.probe_every = get_int(v, f); }},
        {"val_batches", [](T& t, const json& v, const std::string& f) { t.val_batches = get_int(v, f); }},
    };
    return rules;
}

// Applies every key of `object` (found at JSON path `path`) to `config`, refusing unknown keys.
template <class Config>
void apply_keys(Config& config, const json& object, const std::string& path,
                const std::vector<KeyRule<Config>>& rules) {
    if (!object.is_object()) wrong_type(path, "an object", object);
    for (const auto& [key, value] : object.items()) {
        const std::string field = join(path, key);
        const KeyRule<Config>* rule = nullptr;
        for (const auto& r : rules)
            if (key == r.name) rule = &r;
        if (!rule) {
            std::vector<std::string_view> known;
            for (const auto& r : rules) known.emplace_back(r.name);
            unknown_key(field, key, known);
        }
        rule->apply(config, value, field);
    }
}

// A text_file written relative to the experiment file becomes a path that works from anywhere,
// so the resolved experiment can be written to another folder and still find its text.
void resolve_text_file(TrainConfig& t, const std::string& source_dir) {
    if (t.text_file.empty() || source_dir.empty()) return;
    const std::filesystem::path p(t.text_file);
    if (p.is_relative()) t.text_file = (std::filesystem::path(source_dir) / p).lexically_normal().string();
}

// The overrides as they will be written back: the same keys, each with its resolved, canonical value.
json canonical_overrides(const json& given, const json& resolved) {
    json out = json::object();
    for (const auto& [key, value] : given.items()) {
        (void)value;
        out[key] = resolved.contains(key) ? resolved.at(key) : json("");
    }
    return out;
}

std::string lowercase(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// ---------------------------------------------------------------------------------------------
// Reading text: UTF-8 check, JSON with line:column, duplicate keys refused.

struct TextPosition {
    std::size_t line = 1, column = 1;
};

// Line and column (1-based, column in bytes) of byte `index`.
TextPosition position_of(const std::string& text, std::size_t index) {
    TextPosition pos;
    const std::size_t end = std::min(index, text.size());
    for (std::size_t i = 0; i < end; ++i) {
        if (text[i] == '\n') {
            ++pos.line;
            pos.column = 1;
        } else {
            ++pos.column;
        }
    }
    if (index > text.size()) pos.column += index - text.size();
    return pos;
}

std::string at_position(const std::string& text, std::size_t index) {
    const TextPosition pos = position_of(text, index);
    return "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column);
}

// Index of the first byte that is not part of well-formed UTF-8, or npos.
std::size_t first_invalid_utf8(const std::string& text) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte (Unicode table 3-7)
        if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c == 0xE0) len = 3, lo = 0xA0;
        else if (c >= 0xE1 && c <= 0xEC) len = 3;
        else if (c == 0xED) len = 3, hi = 0x9F;
        else if (c >= 0xEE && c <= 0xEF) len = 3;
        else if (c == 0xF0) len = 4, lo = 0x90;
        else if (c >= 0xF1 && c <= 0xF3) len = 4;
        else if (c == 0xF4) len = 4, hi = 0x8F;
        else return i;
        if (n - i < len) return i;
        if (s[i + 1] < lo || s[i + 1] > hi) return i;
        for (std::size_t k = 2; k < len; ++k)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
        i += len;
    }
    return std::string::npos;
}

// nlohmann keeps the last of two equal keys silently; a file that says "lr" twice is refused instead.
class DuplicateKeyCheck {
public:
    bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
        case json::parse_event_t::array_start:
            // An experiment is four levels deep; stopping early keeps a hostile file from using gigabytes.
            if (frames_.size() >= kMaxDepth) fail(path(), "nested too deeply (more than 32 levels)");
            frames_.push_back({event == json::parse_event_t::object_start, {}, {}, 0});
            break;
        case json::parse_event_t::key: {
            Frame& top = frames_.back();
            top.key = parsed.get<std::string>();
            if (!top.keys.insert(top.key).second) fail(path(), "duplicate key");
            break;
        }
        case json::parse_event_t::object_end:
        case json::parse_event_t::array_end:
            frames_.pop_back();
            element_done();
            break;
        case json::parse_event_t::value: element_done(); break;
        }
        return true;
    }

private:
    static constexpr std::size_t kMaxDepth = 32;
    struct Frame {
        bool is_object;
        std::set<std::string> keys;
        std::string key;
        std::size_t index;
    };
    void element_done() {
        if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().index;
    }
    std::string path() const {
        std::string p;
        for (const Frame& f : frames_) {
            if (f.is_object) p = join(p, f.key);
            else p += "[" + std::to_string(f.index) + "]";
        }
        return p;
    }
    std::vector<Frame> frames_;
};

// nlohmann's messages start "[json.exception.parse_error.101] parse error at line 1, column 2: ";
// keep only the description after that, since the position is given separately.
std::string json_error_detail(const char* what) {
    std::string s(what);
    const std::size_t bracket = s.find("] ");
    if (bracket != std::string::npos) s = s.substr(bracket + 2);
    const std::size_t column = s.find(", column ");
    if (column != std::string::npos) {
        const std::size_t colon = s.find(": ", column);
        if (colon != std::string::npos) s = s.substr(colon + 2);
    }
    return s;
}

json parse_json_text(const std::string& text) {
    const std::size_t bad = first_invalid_utf8(text);
    if (bad != std::string::npos)
        fail("", "the file is not valid UTF-8 (at " + at_position(text, bad) + ")");
    try {
        DuplicateKeyCheck check;
        return json::parse(text, [&check](int depth, json::parse_event_t event, json& parsed) {
            return check(depth, event, parsed);
        });
    } catch (const json::parse_error& e) {
        // e.byte counts the bytes read, the offending one included.
        const std::size_t index = e.byte > 0 ? e.byte - 1 : 0;
        fail("", "invalid JSON at " + at_position(text, index) + ": " + json_error_detail(e.what()));
    } catch (const json::exception& e) {
        fail("", "invalid JSON: " + json_error_detail(e.what()));
    }
}

const char* kDefaultExperimentJson = R"json({
  "format": "normscope-experiment", "version": 1,
  "name": "Post-LN vs Pre-LN",
  "model": { "layers": 6, "d_model": 64, "heads": 4, "d_ff": 256, "vocab": 32, "max_len": 16,
             "norm": "layernorm", "placement": "post", "final_norm": "auto", "embedding_norm": false,
             "residual": true, "positional": "learned", "embedding_scale": "none",
             "activation": "relu", "eps": 1e-5, "causal": false, "dropout": 0.0,
             "init": "xavier", "dyt_alpha": 0.5 },
  "train": { "task": "reverse", "seq_len": 16, "batch": 32, "steps": 400, "seed": 0,
             "optimizer": "adam", "lr": 0.003, "betas": [0.9, 0.98], "weight_decay": 0.0,
             "warmup": 0, "schedule": "constant", "clip": 0.0,
             "eval_every": 20, "probe_every": 20 },
  "runs": [ { "name": "Post-LN", "model": { "placement": "post" } },
            { "name": "Pre-LN",  "model": { "placement": "pre" } } ]
}
)json";

}  // namespace

// -------------------------------------------------------------------------------------------------

double ModelConfig::residual_alpha() const {
    return placement == NormPlacement::DeepNorm ? std::pow(2.0 * layers, 0.25) : 1.0;
}

double ModelConfig::init_beta() const {
    return placement == NormPlacement::DeepNorm ? std::pow(8.0 * layers, -0.25) : 1.0;
}

const char* to_string(NormKind v) { return name_of(kNormNames, v); }
const char* to_string(NormPlacement v) { return name_of(kPlacementNames, v); }
const char* to_string(Positional v) { return name_of(kPositionalNames, v); }
const char* to_string(Activation v) { return name_of(kActivationNames, v); }
const char* to_string(InitScheme v) { return name_of(kInitNames, v); }
const char* to_string(Task v) { return name_of(kTaskNames, v); }
const char* to_string(Optimizer v) { return name_of(kOptimizerNames, v); }
const char* to_string(Schedule v) { return name_of(kScheduleNames, v); }

std::string file_safe_name(const std::string& run_name) {
    constexpr std::size_t kMaxLength = 120;  // well under the 255 bytes a file name may have
    std::string out;
    for (const char ch : run_name) {
        const auto c = static_cast<unsigned char>(ch);
        const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          c == '.' || c == '-' || c == '_';
        const char next = keep ? ch : '_';
        if (next == '_' && !out.empty() && out.back() == '_') continue;
        out += next;
        if (out.size() >= kMaxLength) break;
    }
    if (out.empty()) return "run";
    if (out == "." || out == "..") return "_";
    return out;
}

double estimate_training_bytes(const ModelConfig& m, const TrainConfig& t) {
    const double L = m.layers, D = m.d_model, H = m.heads, F = m.d_ff, V = m.vocab;
    const double B = t.batch, T = t.seq_len;
    // learned positions are parameters; a sinusoidal table is a constant of the same size
    const double positions = m.positional != Positional::None ? double(m.max_len) * D : 0.0;
    const double per_layer = (3 * D * D + 3 * D)   // in_proj
                             + (D * D + D)         // out_proj
                             + (F * D + F)         // linear1
                             + (D * F + D)         // linear2
                             + 4 * 2 * D;          // up to four norms with gain and bias
    const double params = V * D + positions + L * per_layer + (V * D + V) + 4 * D;
    // weights, gradients, Adam m and v, and for models of up to kMaxCutParams the second half of
    // the weight gradients' rows (at every parameter's offset; a batch of one product tile has none)
    const double state = 4.0 * params * (params <= double(kMaxCutParams) ? 5 : 4);
    const double activations = 4.0 * B * T * L * (12 * D + 2 * F + 2 * H * T) + 4.0 * B * T * V * 3 +
                               4.0 * B * T * (3 * D + std::max(3 * D, F));  // the backward's second scratch set
    return state + activations;
}

void validate(const ModelConfig& m, const TrainConfig& t, const std::string& prefix) {
    const std::string model = prefix + "model";
    const std::string train = prefix + "train";
    auto at_least = [](const std::string& field, long long value, long long minimum) {
        if (value < minimum)
            fail(field, "must be at least " + std::to_string(minimum) + ", got " + std::to_string(value));
    };
    // [0, 1) or [0, 1]; written so that NaN fails too.
    auto unit_interval = [](const std::string& field, double value, bool one_allowed) {
        const bool ok = value >= 0 && (one_allowed ? value <= 1 : value < 1);
        if (!ok) fail(field, std::string("must be in ") + (one_allowed ? "[0, 1]" : "[0, 1)") + ", got " + number_text(value));
    };
    auto non_negative = [](const std::string& field, double value) {
        if (!(value >= 0 && std::isfinite(value)))
            fail(field, "must be a non-negative finite number, got " + number_text(value));
    };
    auto positive = [](const std::string& field, double value) {
        if (!(value > 0 && std::isfinite(value)))
            fail(field, "must be a positive finite number, got " + number_text(value));
    };

    if (m.layers < 1 || m.layers > 1024)
        fail(model + ".layers", "must be between 1 and 1024, got " + std::to_string(m.layers));
    at_least(model + ".d_model", m.d_model, 1);
    at_least(model + ".heads", m.heads, 1);
    if (m.d_model % m.heads != 0)
        fail(model + ".heads", "heads (" + std::to_string(m.heads) + ") must divide d_model (" +
                                   std::to_string(m.d_model) + ")");
    at_least(model + ".d_ff", m.d_ff, 1);
    at_least(model + ".vocab", m.vocab, 2);
    at_least(model + ".max_len", m.max_len, 1);
    if (m.max_len > 65536) fail(model + ".max_len", "must be at most 65536, got " + std::to_string(m.max_len));
    if (m.norm == NormKind::LayerNormStd && m.d_model < 2)
        fail(model + ".d_model", "layernorm_std divides by d_model - 1, so d_model must be at least 2");
    positive(model + ".eps", m.eps);
    unit_interval(model + ".dropout", m.dropout, false);
    if (!std::isfinite(m.dyt_alpha)) fail(model + ".dyt_alpha", "must be a finite number");

    at_least(train + ".seq_len", t.seq_len, 1);
    if (t.seq_len > m.max_len)
        fail(train + ".seq_len", "seq_len (" + std::to_string(t.seq_len) + ") must not exceed model.max_len (" +
                                     std::to_string(m.max_len) + ")");
    at_least(train + ".batch", t.batch, 1);
    at_least(train + ".steps", t.steps, 0);
    non_negative(train + ".lr", t.lr);
    unit_interval(train + ".betas[0]", t.beta1, false);
    unit_interval(train + ".betas[1]", t.beta2, false);
    positive(train + ".adam_eps", t.adam_eps);
    unit_interval(train + ".momentum", t.momentum, false);
    non_negative(train + ".weight_decay", t.weight_decay);
    at_least(train + ".warmup", t.warmup, 0);
    non_negative(train + ".clip", t.clip);
    at_least(train + ".eval_every", t.eval_every, 1);
    at_least(train + ".probe_every", t.probe_every, 1);
    at_least(train + ".val_batches", t.val_batches, 1);
    unit_interval(train + ".min_lr_ratio", t.min_lr_ratio, true);

    if (t.task == Task::Text) {
        if (t.text_file.empty())
            fail(train + ".text_file", "the text task needs a text_file (a UTF-8 file, relative to the experiment file)");
        if (!m.causal)
            fail(model + ".causal", "the text task is a causal language model: set model.causal to true");
    }
    if (t.task == Task::Histogram && static_cast<long long>(m.vocab) < static_cast<long long>(t.seq_len) + 1)
        fail(model + ".vocab", "the histogram task needs vocab >= seq_len + 1 (targets are counts 1.." +
                                   std::to_string(t.seq_len) + "), got vocab " + std::to_string(m.vocab));
    if (m.norm == NormKind::BatchNorm && static_cast<long long>(t.batch) * t.seq_len < 2)
        fail(train + ".batch", "batchnorm needs at least 2 positions per batch for its statistics "
                               "(batch * seq_len is 1)");

    const double bytes = estimate_training_bytes(m, t);
    if (!(bytes <= kMaxTrainingBytes)) {
        const double gib = bytes / (1024.0 * 1024.0 * 1024.0);
        char amount[64];
        std::snprintf(amount, sizeof amount, gib < 1e6 ? "%.1f" : "%.3g", gib);
        char limit[32];
        std::snprintf(limit, sizeof limit, "%g", kMaxTrainingBytes / (1024.0 * 1024.0 * 1024.0));
        fail(model, std::string("too large for memory: training needs about ") + amount +
                        " GiB, more than the limit of " + limit + " GiB");
    }
}

json to_json(const ModelConfig& m) {
    json j = json::object();
    j["layers"] = m.layers;
    j["d_model"] = m.d_model;
    j["heads"] = m.heads;
    j["d_ff"] = m.d_ff;
    j["vocab"] = m.vocab;
    j["max_len"] = m.max_len;
    j["norm"] = to_string(m.norm);
    j["placement"] = to_string(m.placement);
    j["final_norm"] = m.final_norm ? json(*m.final_norm) : json("auto");
    j["embedding_norm"] = m.embedding_norm;
    j["residual"] = m.residual;
    j["positional"] = to_string(m.positional);
    j["embedding_scale"] = name_of(kEmbeddingScaleNames, m.embedding_scale_sqrt_d);
    j["activation"] = to_string(m.activation);
    j["eps"] = m.eps;
    j["causal"] = m.causal;
    j["dropout"] = m.dropout;
    j["init"] = to_string(m.init);
    j["dyt_alpha"] = m.dyt_alpha;
    return j;
}

json to_json(const TrainConfig& t) {
    json j = json::object();
    j["task"] = to_string(t.task);
    if (!t.text_file.empty()) j["text_file"] = t.text_file;
    j["seq_len"] = t.seq_len;
    j["batch"] = t.batch;
    j["steps"] = t.steps;
    j["seed"] = t.seed;
    j["optimizer"] = to_string(t.optimizer);
    j["lr"] = t.lr;
    j["betas"] = json::array({t.beta1, t.beta2});
    j["adam_eps"] = t.adam_eps;
    j["momentum"] = t.momentum;
    j["weight_decay"] = t.weight_decay;
    j["warmup"] = t.warmup;
    j["schedule"] = to_string(t.schedule);
    j["min_lr_ratio"] = t.min_lr_ratio;
    j["clip"] = t.clip;
    j["eval_every"] = t.eval_every;
    j["probe_every"] = t.probe_every;
    j["val_batches"] = t.val_batches;
    return j;
}

json to_json(const Experiment& e) {
    json runs = json::array();
    for (const RunSpec& r : e.runs) {
        json run = json::object();
        run["name"] = r.name;
        run["model"] = r.model_overrides.is_object() ? r.model_overrides : json::object();
        run["train"] = r.train_overrides.is_object() ? r.train_overrides : json::object();
        runs.push_back(std::move(run));
    }
    json j = json::object();
    j["format"] = kFormat;
    j["version"] = kVersion;
    j["name"] = e.name;
    j["model"] = to_json(e.model);
    j["train"] = to_json(e.train);
    j["runs"] = std::move(runs);
    return j;
}

Experiment parse_experiment(const json& j, const std::string& source_dir) {
    if (!j.is_object()) fail("", "an experiment file must hold a JSON object, found " + describe(j));
    static const std::vector<std::string_view> top_keys = {"format", "version", "name", "model", "train", "runs"};
    for (const auto& [key, value] : j.items()) {
        (void)value;
        if (std::find(top_keys.begin(), top_keys.end(), key) == top_keys.end()) unknown_key(key, key, top_keys);
    }

    if (!j.contains("format"))
        fail("format", std::string("missing: an experiment file declares \"format\": \"") + kFormat + "\"");
    if (get_string(j.at("format"), "format") != kFormat)
        fail("format", std::string("expected \"") + kFormat + "\", found " + describe(j.at("format")) +
                           " (this is not a NormScope experiment file)");
    if (!j.contains("version")) fail("version", "missing: an experiment file declares \"version\": 1");
    const int version = get_int(j.at("version"), "version");
    if (version != kVersion)
        fail("version", "unsupported version " + std::to_string(version) + "; this program reads version " +
                            std::to_string(kVersion));

    Experiment e;
    e.source_dir = source_dir;
    if (j.contains("name")) e.name = get_string(j.at("name"), "name");
    if (j.contains("model")) apply_keys(e.model, j.at("model"), "model", model_rules());
    if (j.contains("train")) apply_keys(e.train, j.at("train"), "train", train_rules());
    resolve_text_file(e.train, source_dir);

    const bool explicit_runs = j.contains("runs") && !(j.at("runs").is_array() && j.at("runs").empty());
    if (explicit_runs) {
        const json& runs = j.at("runs");
        if (!runs.is_array()) wrong_type("runs", "an array of runs", runs);
        for (std::size_t i = 0; i < runs.size(); ++i) {
            const std::string path = "runs[" + std::to_string(i) + "]";
            const json& r = runs[i];
            if (!r.is_object()) wrong_type(path, "an object with a \"name\"", r);
            static const std::vector<std::string_view> run_keys = {"name", "model", "train"};
            for (const auto& [key, value] : r.items()) {
                (void)value;
                if (std::find(run_keys.begin(), run_keys.end(), key) == run_keys.end())
                    unknown_key(path + "." + key, key, run_keys);
            }
            RunSpec run;
            if (!r.contains("name")) fail(path + ".name", "missing: every run needs a name");
            run.name = get_string(r.at("name"), path + ".name");
            run.model = e.model;
            run.train = e.train;
            if (r.contains("model")) {
                apply_keys(run.model, r.at("model"), path + ".model", model_rules());
                run.model_overrides = canonical_overrides(r.at("model"), to_json(run.model));
            }
            if (r.contains("train")) {
                apply_keys(run.train, r.at("train"), path + ".train", train_rules());
                if (r.at("train").contains("text_file")) resolve_text_file(run.train, source_dir);
                json resolved = to_json(run.train);
                resolved["text_file"] = run.train.text_file;
                run.train_overrides = canonical_overrides(r.at("train"), resolved);
            }
            e.runs.push_back(std::move(run));
        }
    } else {
        RunSpec run;
        const bool blank = e.name.find_first_not_of(" \t\r\n") == std::string::npos;
        run.name = blank ? "run" : e.name;
        run.model = e.model;
        run.train = e.train;
        e.runs.push_back(std::move(run));
    }

    // Each run gets a folder named file_safe_name(name); two runs must not share one.
    std::vector<std::string> folders;
    for (std::size_t i = 0; i < e.runs.size(); ++i) {
        const std::string field = explicit_runs ? "runs[" + std::to_string(i) + "].name" : "name";
        const std::string& name = e.runs[i].name;
        if (name.find_first_not_of(" \t\r\n") == std::string::npos)
            fail(field, "a run needs a non-empty name");
        const std::string folder = lowercase(file_safe_name(name));
        if (folder == "experiment.json")
            fail(field, "the run name \"" + name + "\" is reserved (the output folder holds experiment.json)");
        for (std::size_t k = 0; k < folders.size(); ++k)
            if (folders[k] == folder)
                fail(field, "duplicate run name \"" + name + "\": it shares the folder \"" + file_safe_name(name) +
                                "\" with runs[" + std::to_string(k) + "] \"" + e.runs[k].name + "\"");
        folders.push_back(folder);
    }

    // Validate each resolved run. A problem the base has by itself, in a value the run does not
    // override, is reported at its base path ("model.heads"); any other at the run's path
    // ("runs[1].model.heads"), e.g. a run that switches to the histogram task with too small a vocab.
    for (std::size_t i = 0; i < e.runs.size(); ++i) {
        const RunSpec& run = e.runs[i];
        try {
            validate(run.model, run.train, "");
        } catch (const ConfigError& err) {
            if (!explicit_runs) throw;
            const std::string& field = err.field();  // "model.heads", "train.betas[0]" or "model"
            const std::size_t dot = field.find('.');
            bool overridden = false;
            if (dot != std::string::npos) {
                const std::string key = field.substr(dot + 1, field.find('[', dot) - dot - 1);
                overridden = (field.compare(0, dot, "model") == 0 ? run.model_overrides : run.train_overrides)
                                 .contains(key);
            }
            bool base_fails_alike = false;
            try {
                validate(e.model, e.train, "");
            } catch (const ConfigError& base_err) {
                base_fails_alike = base_err.field() == field;
            }
            if (!overridden && base_fails_alike) throw;
            throw ConfigError("runs[" + std::to_string(i) + "]." + field, err.reason());
        }
    }
    return e;
}

Experiment parse_experiment_text(const std::string& text, const std::string& source_dir) {
    return parse_experiment(parse_json_text(text), source_dir);
}

Experiment load_experiment_file(const std::string& path) {
    namespace fs = std::filesystem;
    try {
        std::error_code ec;
        const fs::file_status status = fs::status(path, ec);
        if (!fs::exists(status))
            fail("", "cannot read the file: " + (ec ? ec.message() : std::string("no such file")));
        if (fs::is_directory(status)) fail("", "cannot read the file: it is a folder");
        std::ifstream in(path, std::ios::binary);
        if (!in) fail("", std::string("cannot read the file: ") + std::strerror(errno));
        // Read at most one byte past the limit, so that special files cannot make us read forever.
        std::string text;
        char buffer[65536];
        while (in && text.size() <= kMaxFileBytes) {
            in.read(buffer, sizeof buffer);
            text.append(buffer, static_cast<std::size_t>(in.gcount()));
        }
        if (text.size() > kMaxFileBytes)
            fail("", "the file is larger than 16 MiB; an experiment file is a few kilobytes");
        if (in.bad()) fail("", "cannot read the file: read error");

        fs::path absolute = fs::absolute(fs::path(path), ec);
        const std::string source_dir = ec ? fs::path(path).parent_path().string()
                                          : absolute.lexically_normal().parent_path().string();
        return parse_experiment_text(text, source_dir);
    } catch (const ConfigError& e) {
        throw ConfigError(path, e.field(), e.reason());
    }
}

Experiment default_experiment() {
    return parse_experiment_text(kDefaultExperimentJson);
}

}  // namespace ns
