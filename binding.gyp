{
  "variables": { "addon_cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"] },
  "target_defaults": {
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native/common"],
    "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions"],
    "cflags_cc": ["-std=c++20", "<@(addon_cflags)"],
    "cflags": ["<@(addon_cflags)"]
  },
  "targets": [
    {
      "target_name": "vantage_proc",
      "sources": ["<!@(ls -1 native/addon/proc/*.cc 2>/dev/null || true)"]
    },
    {
      "target_name": "vantage_disk",
      "sources": ["<!@(ls -1 native/addon/disk/*.cc 2>/dev/null || true)"],
      "libraries": ["-lpthread"]
    }
  ]
}
