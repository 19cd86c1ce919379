#include "classify.h"

#include <cstring>
#include <string>

namespace vantage::disk {
namespace {

bool StartsWith(const uint8_t* d, size_t n, const char* magic, size_t len, size_t at = 0) {
  return n >= at + len && memcmp(d + at, magic, len) == 0;
}

// A lower-case extension of at most 8 bytes packed into a number (first byte lowest), so the
// per-file lookup hashes one integer: it runs for every file of a scan, and std::hash of a string
// plus an unordered_map probe was about 1 % of a warm scan's CPU.
uint64_t PackedExtension(std::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= name.size() || name.size() - dot > 9) return 0;
  uint64_t key = 0;
  for (size_t i = dot + 1, shift = 0; i < name.size(); i++, shift += 8) {
    uint8_t c = uint8_t(name[i]);
    key |= uint64_t(c >= 'A' && c <= 'Z' ? c + 32 : c) << shift;
  }
  return key;
}

// Open addressing over a power-of-two table, several times larger than the extensions it holds.
class ExtensionTable {
 public:
  ExtensionTable() {
    auto add = [&](Category c, std::initializer_list<const char*> exts) {
      for (const char* e : exts) Put(PackedExtension(std::string("x.") + e), c);
    };
    add(kVideo, {"mp4", "m4v", "mkv", "webm", "avi", "mov", "wmv", "flv", "mpg", "mpeg", "ts", "m2ts", "3gp", "ogv", "vob"});
    add(kImage, {"png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff", "heic", "heif", "avif", "svg", "ico", "psd",
                 "raw", "cr2", "nef", "xcf", "jxl"});
    add(kAudio, {"mp3", "flac", "ogg", "oga", "opus", "wav", "m4a", "aac", "wma", "aiff", "mid", "midi"});
    add(kArchive, {"zip", "gz", "tgz", "xz", "txz", "zst", "bz2", "tbz2", "7z", "rar", "tar", "lz4", "lzma", "deb",
                   "rpm", "jar", "apk", "iso", "img", "dmg", "squashfs", "snap", "whl", "cab", "ar", "cpio", "zstd"});
    add(kDocument, {"pdf", "doc", "docx", "odt", "xls", "xlsx", "ods", "ppt", "pptx", "odp", "rtf", "epub", "djvu",
                    "ps", "tex", "pages", "key", "numbers"});
    add(kCode, {"c", "h", "cc", "cpp", "cxx", "hpp", "hh", "js", "mjs", "cjs", "ts", "tsx", "jsx", "py", "rb", "go",
                "rs", "java", "kt", "scala", "swift", "m", "mm", "cs", "php", "pl", "pm", "sh", "bash", "zsh", "fish",
                "lua", "r", "jl", "hs", "ml", "ex", "exs", "erl", "clj", "el", "vim", "sql", "css", "scss", "less",
                "html", "htm", "vue", "svelte", "gyp", "cmake", "mk", "s", "asm", "d", "zig", "nim", "dart", "proto",
                "json", "yaml", "yml", "toml", "xml", "ini", "cfg", "conf"});
    add(kText, {"txt", "md", "rst", "log", "csv", "tsv", "text", "org", "adoc", "1", "2", "3", "5", "8", "po", "pot"});
    add(kBinary, {"so", "o", "a", "ko", "exe", "dll", "bin", "elf", "pyc", "class", "wasm", "node", "dylib", "lib",
                  "obj", "pack", "idx"});
    add(kDatabase, {"sqlite", "sqlite3", "db", "mdb", "accdb", "ldb", "kdbx", "frm", "ibd", "dbf"});
    add(kFont, {"ttf", "otf", "woff", "woff2", "pfb", "pcf", "ttc", "eot"});
    // "ts" is ambiguous (MPEG transport stream vs TypeScript); source trees hold far more of the latter.
    Put(PackedExtension("x.ts"), kCode);
  }

  Category Find(uint64_t key) const {
    if (key == 0) return kOther;
    for (size_t i = Slot(key);; i = (i + 1) & (kSize - 1)) {
      if (keys_[i] == key) return cats_[i];
      if (keys_[i] == 0) return kOther;
    }
  }

 private:
  static constexpr size_t kSize = 1024;
  static size_t Slot(uint64_t key) { return size_t((key * 0x9E3779B97F4A7C15ull) >> 54); }
  void Put(uint64_t key, Category c) {
    size_t i = Slot(key);
    while (keys_[i] != 0 && keys_[i] != key) i = (i + 1) & (kSize - 1);
    keys_[i] = key;
    cats_[i] = c;
  }
  uint64_t keys_[kSize] = {};
  Category cats_[kSize] = {};
};

const ExtensionTable& Extensions() {
  static const ExtensionTable table;
  return table;
}

// Mostly printable ASCII or valid UTF-8 with no NUL: text.
bool LooksLikeText(const uint8_t* d, size_t n) {
  if (n == 0) return false;
  size_t i = 0, control = 0;
  while (i < n) {
    uint8_t c = d[i];
    if (c == 0) return false;
    if (c < 0x80) {
      if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b) control++;
      i++;
      continue;
    }
    size_t len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 0) return false;
    if (i + len > n) break;  // a sequence cut by the end of the sample
    for (size_t k = 1; k < len; k++)
      if ((d[i + k] & 0xc0) != 0x80) return false;
    i += len;
  }
  return control * 20 < n;
}

}  // namespace

Category CategoryByExtension(std::string_view name) { return Extensions().Find(PackedExtension(name)); }

int ClassifyContent(const uint8_t* d, size_t n, std::string_view name) {
  if (n < 4) return -1;
  if (StartsWith(d, n, "\x89PNG\r\n\x1a\n", 8)) return kImage;
  if (StartsWith(d, n, "\xff\xd8\xff", 3)) return kImage;
  if (StartsWith(d, n, "GIF87a", 6) || StartsWith(d, n, "GIF89a", 6)) return kImage;
  if (StartsWith(d, n, "RIFF", 4) && n >= 12) {
    if (StartsWith(d, n, "WEBP", 4, 8)) return kImage;
    if (StartsWith(d, n, "WAVE", 4, 8)) return kAudio;
    if (StartsWith(d, n, "AVI ", 4, 8)) return kVideo;
    return -1;
  }
  if (StartsWith(d, n, "BM", 2) && n >= 26 && d[14] >= 12 && d[15] == 0 && d[16] == 0 && d[17] == 0) return kImage;
  if (StartsWith(d, n, "II*\0", 4) || StartsWith(d, n, "MM\0*", 4)) return kImage;
  if (n >= 12 && StartsWith(d, n, "ftyp", 4, 4)) {
    std::string_view brand(reinterpret_cast<const char*>(d + 8), 4);
    if (brand == "heic" || brand == "heix" || brand == "mif1" || brand == "msf1" || brand == "avif" || brand == "heim")
      return kImage;
    if (brand == "M4A " || brand == "M4B " || brand == "M4P ") return kAudio;
    return kVideo;
  }
  if (StartsWith(d, n, "\x1a\x45\xdf\xa3", 4)) return kVideo;  // EBML: Matroska / WebM
  if (StartsWith(d, n, "ID3", 3)) return kAudio;
  // MPEG audio frame sync (also ADTS AAC): valid version, layer, bitrate and sample-rate fields.
  if (n >= 3 && d[0] == 0xff && (d[1] & 0xe0) == 0xe0 && (d[1] & 0x18) != 0x08 && (d[2] & 0xf0) != 0xf0 &&
      (d[2] & 0x0c) != 0x0c)
    return kAudio;
  if (StartsWith(d, n, "fLaC", 4)) return kAudio;
  if (StartsWith(d, n, "OggS", 4)) {
    // Theora or a known video codec in the first page → video; else audio (vorbis, opus, flac).
    for (size_t i = 28; i + 6 < n && i < 64; i++)
      if (memcmp(d + i, "theora", 6) == 0) return kVideo;
    return kAudio;
  }
  if (StartsWith(d, n, "MThd", 4)) return kAudio;
  if (StartsWith(d, n, "PK\x03\x04", 4) || StartsWith(d, n, "PK\x05\x06", 4)) {
    // OOXML/ODF/EPUB hold a telling first member name; jar/apk/whl are archives anyway.
    std::string_view head(reinterpret_cast<const char*>(d), n);
    if (head.find("mimetypeapplication/vnd.oasis") != std::string_view::npos ||
        head.find("mimetypeapplication/epub") != std::string_view::npos || head.find("[Content_Types].xml") != std::string_view::npos ||
        head.find("word/") != std::string_view::npos || head.find("xl/") != std::string_view::npos ||
        head.find("ppt/") != std::string_view::npos)
      return kDocument;
    Category byName = CategoryByExtension(name);
    return byName == kDocument ? kDocument : kArchive;
  }
  if (StartsWith(d, n, "\x1f\x8b", 2)) return kArchive;
  if (StartsWith(d, n, "\xfd" "7zXZ\0", 6)) return kArchive;
  if (StartsWith(d, n, "\x28\xb5\x2f\xfd", 4)) return kArchive;
  if (StartsWith(d, n, "BZh", 3)) return kArchive;
  if (StartsWith(d, n, "7z\xbc\xaf\x27\x1c", 6)) return kArchive;
  if (StartsWith(d, n, "Rar!\x1a\x07", 6)) return kArchive;
  if (StartsWith(d, n, "\x04\x22\x4d\x18", 4)) return kArchive;  // lz4 frame
  if (StartsWith(d, n, "!<arch>\n", 8)) return CategoryByExtension(name) == kBinary ? kBinary : kArchive;
  if (StartsWith(d, n, "ustar", 5, 257)) return kArchive;
  if (StartsWith(d, n, "hsqs", 4)) return kArchive;  // squashfs
  if (StartsWith(d, n, "%PDF-", 5)) return kDocument;
  if (StartsWith(d, n, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8)) return kDocument;  // OLE2: doc/xls/ppt
  if (StartsWith(d, n, "{\\rtf", 5)) return kDocument;
  if (StartsWith(d, n, "AT&TFORM", 8)) return kDocument;  // DjVu
  if (StartsWith(d, n, "\x7f" "ELF", 4)) return kBinary;
  if (StartsWith(d, n, "MZ", 2)) return kBinary;
  if (StartsWith(d, n, "\xcf\xfa\xed\xfe", 4) || StartsWith(d, n, "\xce\xfa\xed\xfe", 4) ||
      StartsWith(d, n, "\xca\xfe\xba\xbe", 4))
    return kBinary;  // Mach-O (cafebabe is also a Java class: binary either way)
  if (StartsWith(d, n, "\0asm", 4)) return kBinary;
  if (StartsWith(d, n, "SQLite format 3\0", 16)) return kDatabase;
  if (StartsWith(d, n, "\0\x01\0\0", 4) || StartsWith(d, n, "OTTO", 4) || StartsWith(d, n, "true", 4) ||
      StartsWith(d, n, "ttcf", 4))
    return kFont;
  if (StartsWith(d, n, "wOFF", 4) || StartsWith(d, n, "wOF2", 4)) return kFont;
  if (LooksLikeText(d, n)) {
    Category byName = CategoryByExtension(name);
    return byName == kCode || byName == kText || byName == kDocument ? byName : kText;
  }
  return -1;
}

}  // namespace vantage::disk
