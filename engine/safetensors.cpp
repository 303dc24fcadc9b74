// safetensors: u64 little-endian header length N, N bytes of JSON header, then the data buffer.
// Reading trusts nothing in the file: every length, offset and shape is checked before use.
#include "engine/safetensors.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

static_assert(std::endian::native == std::endian::little,
              "tensor data is copied as-is; a big-endian host would need byte swapping");

namespace ns {

namespace {

using json = nlohmann::json;

constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;  // as the reference implementation
constexpr const char* kMetadataKey = "__metadata__";

// Names in messages are cut short: a hostile file may carry a megabyte-long name.
std::string quoted(const std::string& name) {
    std::size_t cut = 80;
    if (name.size() <= cut) return "\"" + name + "\"";
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
    return "\"" + name.substr(0, cut) + "...\"";
}

[[noreturn]] void refuse(const std::string& what, const std::string& tensor, const std::string& reason) {
    std::string message = what + ": ";
    if (!tensor.empty()) message += "tensor " + quoted(tensor) + ": ";
    throw SafetensorsError(message + reason);
}

bool dtype_from_string(const std::string& s, DType& out) {
    if (s == "F32") out = DType::F32;
    else if (s == "F64") out = DType::F64;
    else if (s == "I64") out = DType::I64;
    else return false;
    return true;
}

// Number of elements, or false if a dimension is negative or the product exceeds int64.
bool checked_numel(const std::vector<std::int64_t>& shape, std::int64_t& numel) {
    std::int64_t n = 1;
    for (const std::int64_t d : shape) {
        if (d < 0) return false;
        if (__builtin_mul_overflow(n, d, &n)) return false;
    }
    numel = n;
    return true;
}

// Bytes of `numel` elements of `dtype`, or false if that does not fit in size_t.
bool checked_bytes(std::int64_t numel, DType dtype, std::size_t& bytes) {
    return !__builtin_mul_overflow(static_cast<std::uint64_t>(numel), dtype_size(dtype), &bytes);
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::size_t byte_size_of(const std::string& what, const std::string& name, const std::vector<std::int64_t>& shape,
                         DType dtype) {
    std::int64_t n = 0;
    std::size_t bytes = 0;
    if (!checked_numel(shape, n) || !checked_bytes(n, dtype, bytes))
        refuse(what, name, "invalid shape " + shape_text(shape) + " (negative or too large)");
    return bytes;
}

// The expected data size of `t`, checked against what it holds.
void check_data_size(const std::string& what, const Tensor& t) {
    const std::size_t bytes = byte_size_of(what, t.name, t.shape, t.dtype);
    if (t.data.size() != bytes)
        refuse(what, t.name,
               "holds " + std::to_string(t.data.size()) + " bytes of data, but shape " + shape_text(t.shape) +
                   " of " + to_string(t.dtype) + " needs " + std::to_string(bytes));
}

template <class Out, class In>
std::vector<Out> convert(const Tensor& t) {
    const std::size_t n = t.data.size() / sizeof(In);
    std::vector<Out> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        In v;
        std::memcpy(&v, t.data.data() + i * sizeof(In), sizeof(In));
        out[i] = static_cast<Out>(v);
    }
    return out;
}

template <class T>
Tensor make_tensor(std::string name, std::vector<std::int64_t> shape, DType dtype, const T* values) {
    Tensor t;
    t.name = std::move(name);
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.data.resize(byte_size_of("safetensors", t.name, t.shape, t.dtype));
    if (values && !t.data.empty()) std::memcpy(t.data.data(), values, t.data.size());
    return t;
}

// ---------------------------------------------------------------------------------------------
// Writing

void write_all(int fd, const std::uint8_t* bytes, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, bytes, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category());
        }
        bytes += n;
        size -= static_cast<std::size_t>(n);
    }
}

// "<path>.tmp-<16 hex digits>", unique enough with O_EXCL and a retry.
std::string temp_name(const std::string& path, unsigned attempt) {
    static std::atomic<std::uint64_t> counter{0};
    std::uint64_t x = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    x ^= static_cast<std::uint64_t>(::getpid()) << 32;
    x ^= (counter.fetch_add(1) + attempt) * 0x9E3779B97F4A7C15ull;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    char hex[17];
    for (int i = 15; i >= 0; --i, x >>= 4) hex[i] = "0123456789abcdef"[x & 15];
    hex[16] = '\0';
    return path + ".tmp-" + hex;
}

struct HeaderEntry {
    std::string name;
    DType dtype;
    std::vector<std::int64_t> shape;
    std::uint64_t begin, end;
};

}  // namespace

// -------------------------------------------------------------------------------------------------

const char* to_string(DType d) {
    switch (d) {
    case DType::F32: return "F32";
    case DType::F64: return "F64";
    case DType::I64: return "I64";
    }
    return "?";
}

std::size_t dtype_size(DType d) {
    switch (d) {
    case DType::F32: return 4;
    case DType::F64: return 8;
    case DType::I64: return 8;
    }
    return 0;
}

std::int64_t Tensor::numel() const {
    std::int64_t n = 0;
    if (!checked_numel(shape, n))
        refuse("safetensors", name, "invalid shape " + shape_text(shape) + " (negative or too large)");
    return n;
}

Tensor Tensor::f32(std::string name, std::vector<std::int64_t> shape, const float* values) {
    return make_tensor(std::move(name), std::move(shape), DType::F32, values);
}

Tensor Tensor::f32_from(std::string name, std::vector<std::int64_t> shape, const double* values) {
    Tensor t = make_tensor<float>(std::move(name), std::move(shape), DType::F32, nullptr);  // zeros
    const std::size_t n = t.data.size() / sizeof(float);
    for (std::size_t i = 0; i < n; ++i) {
        const float v = static_cast<float>(values[i]);
        std::memcpy(t.data.data() + i * sizeof(float), &v, sizeof(float));
    }
    return t;
}

Tensor Tensor::i64(std::string name, std::vector<std::int64_t> shape, const std::int64_t* values) {
    return make_tensor(std::move(name), std::move(shape), DType::I64, values);
}

std::vector<float> Tensor::to_f32() const {
    check_data_size("safetensors", *this);
    switch (dtype) {
    case DType::F32: return convert<float, float>(*this);
    case DType::F64: return convert<float, double>(*this);
    case DType::I64: break;
    }
    refuse("safetensors", name, "is I64, not a floating-point tensor");
}

std::vector<double> Tensor::to_f64() const {
    check_data_size("safetensors", *this);
    switch (dtype) {
    case DType::F32: return convert<double, float>(*this);
    case DType::F64: return convert<double, double>(*this);
    case DType::I64: break;
    }
    refuse("safetensors", name, "is I64, not a floating-point tensor");
}

std::vector<std::int64_t> Tensor::to_i64() const {
    check_data_size("safetensors", *this);
    if (dtype != DType::I64) refuse("safetensors", name, std::string("is ") + to_string(dtype) + ", not I64");
    return convert<std::int64_t, std::int64_t>(*this);
}

void write_safetensors(const std::string& path, const std::vector<Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
    // Header and data both in name order, so the same tensors always give the same bytes.
    std::vector<const Tensor*> order;
    for (const Tensor& t : tensors) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](const Tensor* a, const Tensor* b) { return a->name < b->name; });

    json header = json::object();
    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < order.size(); ++i) {
        const Tensor& t = *order[i];
        if (t.name == kMetadataKey) refuse(path, t.name, "this name is reserved for the metadata");
        if (i > 0 && order[i - 1]->name == t.name) refuse(path, t.name, "two tensors have this name");
        check_data_size(path, t);
        header[t.name] = {{"dtype", to_string(t.dtype)},
                          {"shape", t.shape},
                          {"data_offsets", {offset, offset + t.data.size()}}};
        offset += t.data.size();
    }
    if (!metadata.empty()) header[kMetadataKey] = metadata;

    std::string text;
    try {
        text = header.dump();
    } catch (const json::exception&) {
        refuse(path, "", "a tensor name or metadata string is not valid UTF-8");
    }
    // Pad with spaces so that the data starts 8-byte aligned.
    text.append((8 - text.size() % 8) % 8, ' ');
    std::uint8_t length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<std::uint8_t>(std::uint64_t(text.size()) >> (8 * i));

    std::string temp;
    int fd = -1;
    for (unsigned attempt = 0; attempt < 100 && fd < 0; ++attempt) {
        temp = temp_name(path, attempt);
        fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) refuse(path, "", std::string("cannot create a temporary file next to it: ") + std::strerror(errno));

    try {
        write_all(fd, length, sizeof length);
        write_all(fd, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
        for (const Tensor* t : order) write_all(fd, t->data.data(), t->data.size());
        if (::fsync(fd) != 0) throw std::system_error(errno, std::generic_category());
        const int fd_to_close = fd;
        fd = -1;
        if (::close(fd_to_close) != 0) throw std::system_error(errno, std::generic_category());
        if (::rename(temp.c_str(), path.c_str()) != 0) throw std::system_error(errno, std::generic_category());
    } catch (const std::system_error& e) {
        if (fd >= 0) ::close(fd);
        ::unlink(temp.c_str());
        refuse(path, "", std::string("cannot write: ") + e.code().message());
    }
    // Make the rename itself durable; a failure here loses nothing already written.
    std::string folder = std::filesystem::path(path).parent_path().string();
    if (folder.empty()) folder = ".";
    const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

std::vector<Tensor> read_safetensors(const std::string& path, std::map<std::string, std::string>* metadata) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) refuse(path, "", "is a folder, not a safetensors file");
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) refuse(path, "", std::string("cannot open: ") + std::strerror(errno));
    const std::streamoff size = in.tellg();
    if (size < 0) refuse(path, "", "cannot determine the file size");
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    in.seekg(0);
    if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size))
        refuse(path, "", "cannot read the whole file");
    return parse_safetensors(bytes.data(), bytes.size(), path, metadata);
}

std::vector<Tensor> parse_safetensors(const std::uint8_t* bytes, std::size_t size, const std::string& what,
                                      std::map<std::string, std::string>* metadata) {
    if (size < 8)
        refuse(what, "", "file too short (" + std::to_string(size) +
                               " bytes) to hold the 8-byte header length: not a safetensors file");
    std::uint64_t header_size = 0;
    for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | bytes[i];
    if (header_size > kMaxHeaderBytes)
        refuse(what, "", "header length " + std::to_string(header_size) +
                               " is over the 100 MB limit: not a safetensors file, or a damaged one");
    if (header_size > size - 8)
        refuse(what, "", "header length " + std::to_string(header_size) + " runs past the end of the file (" +
                             std::to_string(size) + " bytes)");

    const char* header_begin = reinterpret_cast<const char*>(bytes + 8);
    const std::uint8_t* data = bytes + 8 + header_size;
    const std::uint64_t data_size = size - 8 - header_size;

    // nlohmann keeps the last of equal keys silently; a repeated tensor name is refused instead.
    std::vector<std::set<std::string>> open_objects;
    json::parser_callback_t check_duplicates = [&](int depth, json::parse_event_t event, json& parsed) {
        // A valid header is three levels deep; stopping early keeps a hostile one from using gigabytes.
        if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) && depth >= 32)
            refuse(what, "", "header is nested too deeply (more than 32 levels)");
        if (event == json::parse_event_t::object_start) open_objects.emplace_back();
        else if (event == json::parse_event_t::object_end) open_objects.pop_back();
        else if (event == json::parse_event_t::key) {
            const std::string& key = parsed.get_ref<const std::string&>();
            if (!open_objects.back().insert(key).second) {
                if (depth == 1) refuse(what, key, "two tensors have this name");
                refuse(what, "", "header repeats the key " + quoted(key));
            }
        }
        return true;
    };
    json header;
    try {
        header = json::parse(header_begin, header_begin + header_size, check_duplicates);
    } catch (const json::exception& e) {
        refuse(what, "", std::string("header is not valid JSON (") + e.what() + ")");
    }
    if (!header.is_object()) refuse(what, "", "header is not a JSON object");

    std::map<std::string, std::string> meta;
    std::vector<HeaderEntry> entries;
    for (const auto& [name, entry] : header.items()) {
        if (name == kMetadataKey) {
            if (!entry.is_object()) refuse(what, "", "__metadata__ is not an object");
            for (const auto& [key, value] : entry.items()) {
                if (!value.is_string()) refuse(what, "", "__metadata__ value of " + quoted(key) + " is not a string");
                meta[key] = value.get<std::string>();
            }
            continue;
        }
        if (!entry.is_object()) refuse(what, name, "entry is not an object");
        HeaderEntry e;
        e.name = name;

        const auto dtype = entry.find("dtype");
        if (dtype == entry.end() || !dtype->is_string()) refuse(what, name, "missing or non-string \"dtype\"");
        if (!dtype_from_string(dtype->get<std::string>(), e.dtype))
            refuse(what, name, "unsupported dtype " + quoted(dtype->get<std::string>()) + " (F32, F64 or I64)");

        const auto shape = entry.find("shape");
        if (shape == entry.end() || !shape->is_array()) refuse(what, name, "missing or non-array \"shape\"");
        for (const json& d : *shape) {
            if (d.is_number_unsigned()) {
                const auto u = d.get<std::uint64_t>();
                if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                    refuse(what, name, "shape dimension " + d.dump() + " is too large");
                e.shape.push_back(static_cast<std::int64_t>(u));
            } else if (d.is_number_integer()) {
                refuse(what, name, "shape has a negative dimension " + d.dump());
            } else {
                refuse(what, name, "shape dimension " + d.dump().substr(0, 40) + " is not an integer");
            }
        }
        std::int64_t numel = 0;
        std::size_t bytes_needed = 0;
        if (!checked_numel(e.shape, numel) || !checked_bytes(numel, e.dtype, bytes_needed))
            refuse(what, name, "shape " + shape_text(e.shape) + " has too many elements");

        const auto offsets = entry.find("data_offsets");
        if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 ||
            !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned())
            refuse(what, name, "\"data_offsets\" must be two non-negative integers [begin, end]");
        e.begin = (*offsets)[0].get<std::uint64_t>();
        e.end = (*offsets)[1].get<std::uint64_t>();
        if (e.begin > e.end) refuse(what, name, "data_offsets begin after they end");
        if (e.end > data_size)
            refuse(what, name, "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                                   "] run past the end of the data (" + std::to_string(data_size) + " bytes)");
        if (e.end - e.begin != bytes_needed)
            refuse(what, name, "data_offsets span " + std::to_string(e.end - e.begin) + " bytes, but shape " +
                                   shape_text(e.shape) + " of " + to_string(e.dtype) + " needs " +
                                   std::to_string(bytes_needed));
        entries.push_back(std::move(e));
    }

    // The tensors must tile the data buffer exactly: no overlap, no hole, nothing left over.
    std::sort(entries.begin(), entries.end(), [](const HeaderEntry& a, const HeaderEntry& b) {
        if (a.begin != b.begin) return a.begin < b.begin;
        if (a.end != b.end) return a.end < b.end;
        return a.name < b.name;
    });
    std::uint64_t expected = 0;
    const HeaderEntry* previous = nullptr;
    for (const HeaderEntry& e : entries) {
        if (e.begin < expected)
            refuse(what, e.name, "overlaps tensor " + quoted(previous ? previous->name : std::string()));
        if (e.begin > expected)
            refuse(what, e.name, "leaves a hole of " + std::to_string(e.begin - expected) + " bytes before it");
        expected = e.end;
        previous = &e;
    }
    if (expected != data_size)
        refuse(what, "", std::to_string(data_size - expected) + " bytes of data belong to no tensor");

    std::vector<Tensor> tensors;
    tensors.reserve(entries.size());
    for (HeaderEntry& e : entries) {
        Tensor t;
        t.name = std::move(e.name);
        t.dtype = e.dtype;
        t.shape = std::move(e.shape);
        t.data.assign(data + e.begin, data + e.end);
        tensors.push_back(std::move(t));
    }
    if (metadata) *metadata = std::move(meta);
    return tensors;
}

}  // namespace ns
