// tests/campaign/report_png.h: just enough PNG decoding for the report's
// screenshot test (report_test.cc): 8-bit RGB or RGBA, not interlaced, as
// Chromium writes screenshots. Anything else is reported, not guessed.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace fl::campaign::testing {

struct Png {
  uint32_t width = 0, height = 0;
  std::vector<uint8_t> rgb;  // width * height * 3, row-major
  uint8_t r(uint32_t x, uint32_t y) const { return rgb[(size_t{y} * width + x) * 3]; }
  uint8_t g(uint32_t x, uint32_t y) const { return rgb[(size_t{y} * width + x) * 3 + 1]; }
  uint8_t b(uint32_t x, uint32_t y) const { return rgb[(size_t{y} * width + x) * 3 + 2]; }
};

inline uint32_t png_be32(const std::string& bytes, size_t at) {
  return (uint32_t{static_cast<uint8_t>(bytes[at])} << 24) | (uint32_t{static_cast<uint8_t>(bytes[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(bytes[at + 2])} << 8) | uint32_t{static_cast<uint8_t>(bytes[at + 3])};
}

inline uint8_t png_paeth(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return static_cast<uint8_t>(a);
  return static_cast<uint8_t>(pb <= pc ? b : c);
}

// The decoded image, or nullopt with `*why` set.
inline std::optional<Png> decode_png(const std::string& bytes, std::string* why) {
  static const std::string kSignature = "\x89PNG\r\n\x1a\n";
  if (bytes.size() < 33 || bytes.compare(0, 8, kSignature) != 0 || bytes.compare(12, 4, "IHDR") != 0) {
    *why = "not a PNG (signature or IHDR missing)";
    return std::nullopt;
  }
  Png png;
  png.width = png_be32(bytes, 16);
  png.height = png_be32(bytes, 20);
  const uint8_t depth = static_cast<uint8_t>(bytes[24]), colour = static_cast<uint8_t>(bytes[25]);
  const uint8_t interlace = static_cast<uint8_t>(bytes[28]);
  if (depth != 8 || (colour != 2 && colour != 6) || interlace != 0 || png.width == 0 || png.height == 0 ||
      png.width > 16384 || png.height > 16384) {
    *why = "unsupported PNG: depth " + std::to_string(depth) + ", colour type " + std::to_string(colour);
    return std::nullopt;
  }
  std::string idat;
  for (size_t at = 8; at + 12 <= bytes.size();) {
    const uint32_t length = png_be32(bytes, at);
    if (at + 12 + size_t{length} > bytes.size()) break;
    if (bytes.compare(at + 4, 4, "IDAT") == 0) idat.append(bytes, at + 8, length);
    at += 12 + size_t{length};
  }
  const size_t channels = colour == 6 ? 4 : 3;
  const size_t stride = size_t{png.width} * channels;
  std::vector<uint8_t> raw((stride + 1) * png.height);
  uLongf raw_size = raw.size();
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) != Z_OK ||
      raw_size != raw.size()) {
    *why = "the image data does not inflate to width x height";
    return std::nullopt;
  }
  std::vector<uint8_t> previous(stride, 0), row(stride);
  png.rgb.resize(size_t{png.width} * png.height * 3);
  for (uint32_t y = 0; y < png.height; ++y) {
    const uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* in = &raw[y * (stride + 1) + 1];
    for (size_t i = 0; i < stride; ++i) {
      const int a = i >= channels ? row[i - channels] : 0;
      const int b = previous[i];
      const int c = i >= channels ? previous[i - channels] : 0;
      int predictor = 0;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = (a + b) / 2; break;
        case 4: predictor = png_paeth(a, b, c); break;
        default: *why = "bad filter type " + std::to_string(filter); return std::nullopt;
      }
      row[i] = static_cast<uint8_t>(in[i] + predictor);
    }
    for (uint32_t x = 0; x < png.width; ++x) {
      for (size_t k = 0; k < 3; ++k) png.rgb[(size_t{y} * png.width + x) * 3 + k] = row[x * channels + k];
    }
    previous.swap(row);
  }
  return png;
}

}  // namespace fl::campaign::testing
