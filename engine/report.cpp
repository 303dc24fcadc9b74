#include "engine/report.h"

#include <fcntl.h>

#include <cerrno>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include <unistd.h>

namespace ns {

std::string csv_number(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

template <class T>
std::vector<TensorNorms> tensor_norms(const Model<T>& m) {
    std::vector<TensorNorms> out;
    for (const ParamInfo& t : m.tensors()) {
        if (t.is_buffer) continue;
        double g = 0, p = 0;
        for (std::size_t i = 0; i < t.size; ++i) {
            const double gi = m.grads()[t.offset + i], pi = m.params()[t.offset + i];
            g += gi * gi;
            p += pi * pi;
        }
        out.push_back({t.name, t.layer, std::sqrt(g), std::sqrt(p)});
    }
    return out;
}
template std::vector<TensorNorms> tensor_norms(const Model<float>&);
template std::vector<TensorNorms> tensor_norms(const Model<double>&);

double global_norm(const std::vector<TensorNorms>& norms) {
    double s = 0;
    for (const auto& n : norms) s += n.grad_norm * n.grad_norm;
    return std::sqrt(s);
}

std::string norm_stats_rows(long step, const ModelProbes& p) {
    std::string out;
    const int B = p.batch, Tn = p.seq_len;
    for (const NormSiteProbe& s : p.norms) {
        for (int t = 0; t < Tn; ++t) {
            double mi = 0, vi = 0, mo = 0, vo = 0;
            for (int b = 0; b < B; ++b) {
                const std::size_t r = static_cast<std::size_t>(b) * Tn + t;
                mi += s.mean_in[r];
                vi += s.var_in[r];
                mo += s.mean_out[r];
                vo += s.var_out[r];
            }
            out += std::to_string(step) + "," + s.site + "," + std::to_string(s.layer) + "," + std::to_string(t) + "," +
                   csv_number(mi / B) + "," + csv_number(vi / B) + "," + csv_number(mo / B) + "," + csv_number(vo / B) + "\n";
        }
    }
    return out;
}

std::string grad_norm_rows(long step, const std::vector<TensorNorms>& norms) {
    std::string out;
    for (const auto& n : norms)
        out += std::to_string(step) + "," + csv_field(n.name) + "," + std::to_string(n.layer) + "," +
               csv_number(n.grad_norm) + "," + csv_number(n.param_norm) + "\n";
    return out;
}

std::string residual_rows(long step, const ModelProbes& p) {
    std::string out;
    for (std::size_t l = 0; l < p.hidden_rms.size(); ++l)
        out += std::to_string(step) + "," + std::to_string(l) + "," + csv_number(p.hidden_rms[l]) + "," +
               csv_number(l < p.grad_rms.size() ? p.grad_rms[l] : 0.0) + "\n";
    return out;
}

template <class T>
std::vector<Tensor> weight_tensors(const Model<T>& m) {
    std::vector<Tensor> out;
    for (const ParamInfo& t : m.tensors()) {
        const T* src = (t.is_buffer ? m.buffers().data() : m.params().data()) + t.offset;
        std::vector<float> v(src, src + t.size);
        out.push_back(Tensor::f32(t.name, t.shape, v.data()));
    }
    return out;
}
template std::vector<Tensor> weight_tensors(const Model<float>&);
template std::vector<Tensor> weight_tensors(const Model<double>&);

template <class T>
std::vector<Tensor> grad_tensors(const Model<T>& m) {
    std::vector<Tensor> out;
    for (const ParamInfo& t : m.tensors()) {
        if (t.is_buffer) continue;
        const T* src = m.grads().data() + t.offset;
        std::vector<float> v(src, src + t.size);
        out.push_back(Tensor::f32(t.name, t.shape, v.data()));
    }
    return out;
}
template std::vector<Tensor> grad_tensors(const Model<float>&);
template std::vector<Tensor> grad_tensors(const Model<double>&);

template <class T>
void load_weights(Model<T>& m, const std::vector<Tensor>& tensors, const std::string& what) {
    auto shape_text = [](const std::vector<std::int64_t>& shape) {
        std::string t = "(";
        for (std::size_t i = 0; i < shape.size(); ++i) t += (i ? ", " : "") + std::to_string(shape[i]);
        return t + ")";
    };
    std::map<std::string, const Tensor*> by_name;
    for (const Tensor& t : tensors) by_name[t.name] = &t;
    for (const Tensor& t : tensors)
        if (!m.find(t.name))
            throw SafetensorsError(what + ": tensor '" + t.name + "': this model has no such tensor (" +
                                   std::to_string(m.config().layers) + " layers, d_model " +
                                   std::to_string(m.config().d_model) + ", norm placement and kind as configured)");
    // Check everything before changing anything.
    std::vector<std::pair<const ParamInfo*, std::vector<double>>> values;
    for (const ParamInfo& p : m.tensors()) {
        auto it = by_name.find(p.name);
        if (it == by_name.end()) {
            if (p.is_buffer) continue;
            throw SafetensorsError(what + ": tensor '" + p.name + "': missing (the model needs it, shape " +
                                   shape_text(p.shape) + ")");
        }
        const Tensor& t = *it->second;
        if (t.shape != p.shape)
            throw SafetensorsError(what + ": tensor '" + p.name + "': shape " + shape_text(t.shape) +
                                   " does not match the model's " + shape_text(p.shape));
        if (t.dtype == DType::I64)
            throw SafetensorsError(what + ": tensor '" + p.name + "': dtype I64; weights must be F32 or F64");
        std::vector<double> v = t.to_f64();
        for (std::size_t i = 0; i < v.size(); ++i)
            if (!std::isfinite(v[i]))
                throw SafetensorsError(what + ": tensor '" + p.name + "': value " + std::to_string(i) + " is not finite");
        values.emplace_back(&p, std::move(v));
    }
    for (const auto& [p, v] : values) {
        T* dst = (p->is_buffer ? m.buffers().data() : m.params().data()) + p->offset;
        for (std::size_t i = 0; i < v.size(); ++i) dst[i] = static_cast<T>(v[i]);
    }
}
template void load_weights(Model<float>&, const std::vector<Tensor>&, const std::string&);
template void load_weights(Model<double>&, const std::vector<Tensor>&, const std::string&);

std::vector<Tensor> batch_tensors(const Batch& b, const std::vector<float>& logits, int vocab, float loss) {
    std::vector<std::int64_t> ids(b.ids.begin(), b.ids.end()), tg(b.targets.begin(), b.targets.end());
    std::vector<Tensor> out;
    out.push_back(Tensor::i64("input_ids", {b.batch, b.seq_len}, ids.data()));
    out.push_back(Tensor::i64("targets", {b.batch, b.seq_len}, tg.data()));
    out.push_back(Tensor::f32("logits", {b.batch, b.seq_len, vocab}, logits.data()));
    out.push_back(Tensor::f32("loss", {}, &loss));
    return out;
}

void write_file_atomic(const std::string& path, const std::string& content) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::random_device rd;
    const fs::path tmp = dir / ("." + target.filename().string() + ".tmp-" + std::to_string(rd() % 1000000));
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw OutputError("cannot write '" + tmp.string() + "' (is the folder writable?)");
    std::size_t done = 0;
    bool ok = true;
    while (ok && done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;  // the new content is on disk before the name points to it
    ok = ::close(fd) == 0 && ok;
    std::error_code ec;
    if (!ok) {
        fs::remove(tmp, ec);
        throw OutputError("cannot write '" + path + "' (disk full?)");
    }
    fs::rename(tmp, target, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw OutputError("cannot replace '" + path + "': " + ec.message());
    }
}

void prepare_output_dir(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
        throw OutputError("output folder '" + dir + "' exists and is not a folder");
    fs::create_directories(dir, ec);
    if (ec) throw OutputError("cannot create output folder '" + dir + "': " + ec.message());
    if (::access(dir.c_str(), W_OK) != 0) throw OutputError("output folder '" + dir + "' is not writable");
}

}  // namespace ns
