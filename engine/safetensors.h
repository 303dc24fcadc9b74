// safetensors read and write: 8-byte little-endian header length, a JSON header, raw little-endian data.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ns {

enum class DType { F32, F64, I64 };
const char* to_string(DType);
std::size_t dtype_size(DType);

struct Tensor {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;  // empty = scalar
    std::vector<std::uint8_t> data;   // little-endian, row-major, size = numel * dtype_size

    std::int64_t numel() const;
    static Tensor f32(std::string name, std::vector<std::int64_t> shape, const float* values);
    static Tensor f32_from(std::string name, std::vector<std::int64_t> shape, const double* values);
    static Tensor i64(std::string name, std::vector<std::int64_t> shape, const std::int64_t* values);
    std::vector<float> to_f32() const;    // converts F64 too; throws for I64
    std::vector<double> to_f64() const;   // converts F32 too; throws for I64
    std::vector<std::int64_t> to_i64() const;  // throws unless I64
};

// A refused file: the message names the file, the tensor or header field, and the reason.
class SafetensorsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The header and the data are sorted by tensor name, so the same tensors always give the same
// bytes. Written to a temporary file in the same folder, synced and renamed into place.
void write_safetensors(const std::string& path, const std::vector<Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});
std::vector<Tensor> read_safetensors(const std::string& path,
                                     std::map<std::string, std::string>* metadata = nullptr);
// Same, from bytes already in memory (`what` names the source in messages).
std::vector<Tensor> parse_safetensors(const std::uint8_t* bytes, std::size_t size, const std::string& what,
                                      std::map<std::string, std::string>* metadata = nullptr);

}  // namespace ns
