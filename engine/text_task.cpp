// The `text` task: a character-level causal language model on a UTF-8 file.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "engine/rng.h"
#include "engine/tasks.h"

namespace ns {

namespace {

// Decodes UTF-8 strictly; returns false at the first invalid sequence (its byte offset in *bad).
bool decode_utf8(const std::string& s, std::vector<char32_t>& out, std::size_t* bad) {
    out.clear();
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        int len = 0;
        char32_t cp = 0;
        if (c < 0x80) { len = 1; cp = c; }
        else if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
        else { *bad = i; return false; }
        if (i + len > s.size()) { *bad = i; return false; }
        for (int k = 1; k < len; ++k) {
            const unsigned char cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) { *bad = i; return false; }
            cp = (cp << 6) | (cc & 0x3F);
        }
        const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
        if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) { *bad = i; return false; }
        out.push_back(cp);
        i += len;
    }
    return true;
}

class TextTask : public TaskData {
public:
    TextTask(const ModelConfig& m, const TrainConfig& t, const std::string& source_dir) {
        batch_ = t.batch;
        seq_len_ = t.seq_len;
        vocab_ = m.vocab;
        val_batches_ = t.val_batches;
        seed_ = t.seed;
        const std::string field = "train.text_file";
        std::filesystem::path p = t.text_file;
        if (p.is_relative() && !source_dir.empty()) p = std::filesystem::path(source_dir) / p;
        path_ = p.string();
        std::error_code ec;
        if (!std::filesystem::is_regular_file(p, ec))
            throw ConfigError(field, "'" + path_ + "' does not exist or is not a file");
        const auto size = std::filesystem::file_size(p, ec);
        if (ec) throw ConfigError(field, "'" + path_ + "' cannot be read: " + ec.message());
        if (size > (64u << 20)) throw ConfigError(field, "'" + path_ + "' is larger than 64 MiB");
        std::ifstream in(p, std::ios::binary);
        if (!in) throw ConfigError(field, "'" + path_ + "' cannot be opened");
        std::ostringstream ss;
        ss << in.rdbuf();
        const std::string bytes = ss.str();
        if (bytes.empty()) throw ConfigError(field, "'" + path_ + "' is empty");
        if (bytes.find('\0') != std::string::npos)
            throw ConfigError(field, "'" + path_ + "' looks binary (it contains a NUL byte); the text task needs UTF-8 text");
        std::vector<char32_t> chars;
        std::size_t bad = 0;
        if (!decode_utf8(bytes, chars, &bad))
            throw ConfigError(field, "'" + path_ + "' is not valid UTF-8 (first bad byte at offset " + std::to_string(bad) + ")");
        if (chars.size() < static_cast<std::size_t>(4 * (seq_len_ + 1)))
            throw ConfigError(field, "'" + path_ + "' has " + std::to_string(chars.size()) +
                                         " characters; the text task needs at least " + std::to_string(4 * (seq_len_ + 1)) +
                                         " for seq_len " + std::to_string(seq_len_));
        // Vocabulary: the (vocab - 1) most frequent characters (ties by code point), the last id
        // for every other character.
        std::map<char32_t, std::size_t> freq;
        for (char32_t c : chars) ++freq[c];
        std::vector<std::pair<char32_t, std::size_t>> order(freq.begin(), freq.end());
        std::stable_sort(order.begin(), order.end(), [](auto& a, auto& b) { return a.second > b.second; });
        const bool all_fit = order.size() <= static_cast<std::size_t>(vocab_);
        const std::size_t keep = all_fit ? order.size() : static_cast<std::size_t>(vocab_ - 1);
        std::map<char32_t, std::int32_t> id;
        for (std::size_t i = 0; i < keep; ++i) id[order[i].first] = static_cast<std::int32_t>(i);
        const std::int32_t unk = static_cast<std::int32_t>(vocab_ - 1);
        tokens_.reserve(chars.size());
        for (char32_t c : chars) {
            auto it = id.find(c);
            tokens_.push_back(it == id.end() ? unk : it->second);
        }
        // The last tenth (at least 2 windows) is held out for validation.
        const std::size_t window = static_cast<std::size_t>(seq_len_) + 1;
        std::size_t val = std::max(tokens_.size() / 10, 2 * window);
        split_ = tokens_.size() - val;
        distinct_ = order.size();
    }

    void fill_train_batch(std::uint64_t k, Batch& b) const override { make(hash_keys(seed_, 0x747874, k), 0, split_, b); }
    Batch val_batch(int i) const override {
        Batch b;
        make(hash_keys(seed_, 0x747876, static_cast<std::uint64_t>(i)), split_, tokens_.size(), b);
        return b;
    }

private:
    void make(std::uint64_t key, std::size_t from, std::size_t to, Batch& b) const {
        b.batch = batch_;
        b.seq_len = seq_len_;
        const std::size_t T = seq_len_, n = static_cast<std::size_t>(batch_) * T;
        b.ids.resize(n);
        b.targets.resize(n);
        Rng rng(key);
        const std::size_t starts = to - from - T;  // windows of T+1 tokens inside [from, to)
        for (int s = 0; s < batch_; ++s) {
            const std::size_t o = from + rng.below(starts);
            for (std::size_t t = 0; t < T; ++t) {
                b.ids[s * T + t] = tokens_[o + t];
                b.targets[s * T + t] = tokens_[o + t + 1];
            }
        }
    }
    std::string path_;
    std::vector<std::int32_t> tokens_;
    std::size_t split_ = 0, distinct_ = 0;
};

}  // namespace

std::unique_ptr<TaskData> make_text_task(const ModelConfig& m, const TrainConfig& t, const std::string& source_dir) {
    return std::make_unique<TextTask>(m, t, source_dir);
}

}  // namespace ns
